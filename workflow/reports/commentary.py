"""The chair's commentary file: the template the chair fills, and reading it back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workflow.contract.commentary import Commentary
from workflow.core.dates import today, uk_date
from workflow.core.errors import FileUnreadable
from workflow.core.files import file_mode, write_text
from workflow.forms.blank import yaml_template
from workflow.forms.loading import load_form
from workflow.reports.counting import Period
from workflow.workspace.paths import Workspace

INTRO = [
    "The chair fills this in; the annual report prints it as written, so write for the",
    "Board: plain words, no child named or described so they could be recognised.",
    "Text with a colon, a # or a leading symbol goes in quotes. For several lines write |",
    "after the colon and the lines below it, indented; a blank line starts a new paragraph.",
]


def commentary_template(themes: list[str], title: str) -> str:
    """The commented YAML, with the year's themes listed ready for a comment each."""
    text = yaml_template(Commentary, title, INTRO)
    if not themes:
        return text
    listed = ["themes:"]
    for theme in themes:
        listed.append(f"  - theme: {json.dumps(theme, ensure_ascii=False)}")
        listed.append("    comment:")
    start = text.index("themes: []")
    end = text.index("\n\n", start)
    return text[:start] + "\n".join(listed) + text[end:]


def write_commentary_template(workspace: Workspace, period: Period, out: Path) -> Path:
    """The chair's file to fill for the report of `period`, its themes listed ready."""
    from workflow.reports.annual import gather

    out = Path(out)
    if out.exists():
        raise FileUnreadable(
            f"{out}: already exists; choose another name (it may hold the chair's words)"
        )
    if not out.parent.is_dir():
        raise FileUnreadable(
            f"{out}: the folder {out.parent} does not exist; create it first or choose another"
        )
    workspace.require()
    figures = gather(workspace, period, as_of=min(today(), period.end))
    themes = [row.label for row in figures.tables["themes"].rows if not row.total]
    title = f"The chair's commentary for the annual report {period.label} ({period.words})"
    text = commentary_template(themes, title)
    return write_text(out, text, mode=file_mode(workspace.panel.shared_group))


def load_commentary(path: Path) -> Commentary:
    """The chair's commentary, validated: every problem at once, naming the field."""
    return load_form(Commentary, Path(path))


def _paragraphs(text: str) -> list[str]:
    blocks = [" ".join(block.split()) for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]


def commentary_context(commentary: Commentary | None) -> dict[str, Any] | None:
    """What the template receives: paragraphs as lists, so each prints as its own."""
    if commentary is None:
        return None
    return {
        "commentary": _paragraphs(commentary.commentary),
        "impact": _paragraphs(commentary.impact),
        "themes": [
            {"theme": item.theme, "comment": _paragraphs(item.comment)}
            for item in commentary.themes
            if item.comment
        ],
        "recommendations": [
            {
                "recommendation": " ".join(item.recommendation.split()),
                "owner": item.owner or "",
                "by": uk_date(item.by) if item.by else "",
            }
            for item in commentary.recommendations
        ],
    }
