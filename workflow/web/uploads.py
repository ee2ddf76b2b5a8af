"""Uploaded files: saved to a private folder inside the workspace, removed after use;
downloads: only files inside the workspace."""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from flask import abort, send_file
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from workflow.core.errors import FileUnreadable
from workflow.workspace.paths import Workspace

# Hidden, so that no command lists it; inside the workspace, so that a child's papers
# never leave the folder the administrator chose to keep them in.
UPLOADS = ".web-uploads"


@contextmanager
def upload_folder(workspace: Workspace) -> Iterator[Path]:
    """A folder only this user can read (mkdtemp makes it 0700), removed afterwards."""
    parent = workspace.root / UPLOADS
    parent.mkdir(mode=0o700, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def save_upload(storage: FileStorage | None, folder: Path, *, what: str) -> Path:
    """Save one uploaded file under a safe name; its content is checked by the library."""
    if storage is None or not storage.filename:
        raise FileUnreadable(f"{what}: choose a file to upload")
    name = secure_filename(storage.filename)
    if not name or name.startswith("."):
        raise FileUnreadable(f"{what}: the file name {storage.filename!r} cannot be used")
    target = folder / name
    storage.save(target)
    return target


def place_papers(data: dict[str, Any], papers: list[FileStorage], folder: Path) -> None:
    """Put each uploaded paper where the referral names it (`papers/chronology.docx`).

    A path the referral gives that is absolute or climbs out (`..`) is left alone: the
    library's own check then names it, as `ccp referral check` would.
    """
    wanted = data.get("attachments") if isinstance(data, dict) else None
    if not isinstance(wanted, dict):
        return
    by_name = {secure_filename(p.filename or ""): p for p in papers if p and p.filename}
    for value in wanted.values():
        if not isinstance(value, str) or not value.strip():
            continue
        relative = PurePosixPath(value.replace("\\", "/"))
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            continue
        storage = by_name.get(secure_filename(relative.name))
        if storage is None:
            continue
        target = folder.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        storage.stream.seek(0)
        storage.save(target)


def inside(workspace: Workspace, relative: str) -> Path:
    """The workspace file a download asks for, or 404: never a path outside the workspace,
    a hidden file (the lock, uploads in progress) or a folder."""
    root = workspace.root.resolve()
    parts = PurePosixPath(relative.replace("\\", "/")).parts
    if not parts or any(part in ("..", "") or part.startswith(".") for part in parts):
        abort(404)
    path = root.joinpath(*parts).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        abort(404)
    return path


def download(workspace: Workspace, relative: str) -> Any:
    path = inside(workspace, relative)
    # Read whole (packs are tens of MB at most) so no file stays open after the response.
    data = io.BytesIO(path.read_bytes())
    return send_file(data, as_attachment=True, download_name=path.name, max_age=0)


def listed(workspace: Workspace, folder: Path, pattern: str = "*") -> list[str]:
    """Files under folder, as workspace-relative paths a download link can carry."""
    if not folder.is_dir():
        return []
    root = workspace.root
    return sorted(
        path.relative_to(root).as_posix()
        for path in folder.rglob(pattern)
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(root).parts)
    )
