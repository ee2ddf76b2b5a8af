"""`ccp templates copy`: start an edited copy of a shipped Word template in the workspace."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.core.errors import TemplateError
from workflow.core.files import file_mode, write_bytes
from workflow.core.resources import bundled
from workflow.templates.data import TEMPLATES
from workflow.workspace.paths import Workspace


@dataclass(frozen=True)
class Shipped:
    name: str
    description: str
    path: Path


def shipped_templates() -> list[Shipped]:
    folder = bundled("templates")
    return [
        Shipped(name, description, folder / name)
        for name, (description, _) in TEMPLATES.items()
        if (folder / name).is_file()
    ]


def copy_template(workspace: Workspace, name: str, *, force: bool = False) -> Path:
    """Start an edited copy of a shipped template in the workspace's templates/ folder."""
    workspace.require()
    shipped = {template.name: template for template in shipped_templates()}
    wanted = name if name.endswith(".docx") else f"{name}.docx"
    if wanted not in shipped:
        raise TemplateError(f"{name}: no such template{did_you_mean(wanted, shipped)}")
    target = workspace.templates_dir / wanted
    if target.exists() and not force:
        raise TemplateError(
            f"{workspace.relative(target)}: already exists (it may hold your edits); "
            "pass --force to replace it with the shipped one"
        )
    data = shipped[wanted].path.read_bytes()
    return write_bytes(target, data, mode=file_mode(workspace.panel.shared_group))


def did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]}?"
    return f"; the templates are: {', '.join(sorted(choices))}"
