"""A disposal in three steps a kill cannot split: files moved into a stage, the register
committed (tombstones), then the stage deleted. The next transaction finishes a disposal
whose tombstones are in the register and undoes one whose are not."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workflow.core import files
from workflow.workspace.paths import Workspace

STAGE_DIR = ".disposal"
MANIFEST = "manifest.json"


def stage_root(workspace: Workspace) -> Path:
    return workspace.root / STAGE_DIR


def stage_dir(workspace: Workspace, disposal: str) -> Path:
    return stage_root(workspace) / disposal


def stage(workspace: Workspace, disposal: str, case_id: str, paths: Sequence[Path]) -> Path:
    """Move ``paths`` (files or folders inside the workspace) into the disposal's stage."""
    folder = files.make_dirs(stage_dir(workspace, disposal) / "files")
    moves = [[workspace.relative(path), f"{index:05d}"] for index, path in enumerate(paths)]
    manifest = {"disposal": disposal, "case_id": case_id, "moves": moves}
    # The manifest first: a kill while moving leaves a stage the next command can undo.
    files.write_text(folder.parent / MANIFEST, json.dumps(manifest, indent=1))
    for relative, name in moves:
        source = workspace.root / relative
        if os.path.lexists(source):
            # Retried briefly; still held (open in Word, on Windows): FileInUse, naming it.
            files.replace(source, folder / name)
    files.fsync_dir(folder)
    return folder.parent


def backups_dir(workspace: Workspace, disposal: str) -> Path:
    """Where the commit keeps the old register: deleted with the stage."""
    return stage_dir(workspace, disposal) / "register-backup"


def finish(workspace: Workspace, disposal: str) -> None:
    """Delete what was staged (the register already holds the tombstones)."""
    folder = stage_dir(workspace, disposal)
    shutil.rmtree(folder, ignore_errors=True)
    _remove_if_empty(stage_root(workspace))


def undo(workspace: Workspace, disposal: str) -> list[Path]:
    """Put every staged file back where it was; the stage goes."""
    folder = stage_dir(workspace, disposal)
    restored: list[Path] = []
    manifest = _manifest(folder)
    for relative, name in manifest.get("moves", []) if manifest else []:
        staged = folder / "files" / name
        if not os.path.lexists(staged):
            continue
        target = workspace.root / relative
        files.make_dirs(target.parent)
        os.replace(staged, target)
        restored.append(target)
    shutil.rmtree(folder, ignore_errors=True)
    _remove_if_empty(stage_root(workspace))
    return restored


def _manifest(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


def pending(workspace: Workspace) -> list[str]:
    root = stage_root(workspace)
    if not root.is_dir():
        return []
    return sorted(entry.name for entry in root.iterdir() if entry.is_dir())


def recover(workspace: Workspace, register: Any) -> list[str]:
    """Finish or undo each interrupted disposal; what was done, one line each."""
    said = []
    for disposal in pending(workspace):
        committed = register.has_sheet("Tombstones") and register.select(
            "Tombstones", "disposal", [disposal]
        )
        if committed:
            finish(workspace, disposal)
            said.append(f"finished the interrupted disposal {disposal}")
        else:
            undo(workspace, disposal)
            said.append(f"undid the interrupted disposal {disposal}: its files are back")
    return said
