"""Who may read a workspace: owner-only files and folders, or the group when panel.yaml says so.

New files are written owner-only by ``files``; a workspace made by an older ccp (or copied
in with a loose umask) is tightened by the next command that writes, which records what it
changed in the register's Audit sheet. On Windows modes say nothing (NTFS reports 0o666 for
every file): the folder's access list protects the workspace, and nothing here acts.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.core import files
from workflow.workspace.paths import Workspace

# Bits that must be clear: everything for group and others, or only others when shared.
PRIVATE_MASK = 0o077
SHARED_MASK = 0o007


@dataclass
class Tightened:
    files: list[Path] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    swept: list[Path] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.files or self.folders)


def shared_group(workspace: Workspace) -> bool:
    return bool(workspace.panel.shared_group)


def file_mode(workspace: Workspace) -> int:
    """The mode every file of this workspace is written with (0600, or 0660 when shared)."""
    return files.file_mode(shared_group(workspace))


def dir_mode(workspace: Workspace) -> int:
    """The mode every folder of this workspace is made with (0700, or 0770 when shared)."""
    return files.dir_mode(shared_group(workspace))


def register_mode(workspace: Workspace) -> int:
    """For the register's own save: the mode register.xlsx and its backups are written with."""
    return file_mode(workspace)


def loose_paths(
    workspace: Workspace, entries: list[tuple[str, str, os.stat_result]] | None = None
) -> Tightened:
    """Files and folders in the workspace that others (or, unless shared, the group) can open.
    ``entries``: the workspace's ``files.tree``, when the caller has walked it already."""
    mask = SHARED_MASK if shared_group(workspace) else PRIVATE_MASK
    found = Tightened()
    if not files.posix_modes():
        # NTFS reports every file as 0o666 whoever can read it: the folder's access list
        # decides, and ccp neither reads nor changes it (`ccp doctor` shows it).
        return found
    root = workspace.root
    with contextlib.suppress(OSError):
        if os.lstat(root).st_mode & mask:
            found.folders.append(root)
    for path, _, info in files.tree(root) if entries is None else entries:
        if not info.st_mode & mask:
            continue
        # Links are not followed: a link's target may be outside the workspace.
        if stat.S_ISDIR(info.st_mode):
            found.folders.append(Path(path))
        elif stat.S_ISREG(info.st_mode):
            found.files.append(Path(path))
    return found


def tighten_paths(workspace: Workspace) -> Tightened:
    """Clear the group/other bits of every loose file and folder; sweep stale temporaries."""
    mask = SHARED_MASK if shared_group(workspace) else PRIVATE_MASK
    entries = files.tree(workspace.root) if workspace.root.is_dir() else []
    done = Tightened(swept=files.sweep_temporaries(workspace.root, entries=entries))
    swept = {str(path) for path in done.swept}
    loose = loose_paths(workspace, [entry for entry in entries if entry[0] not in swept])
    for path in [*loose.files, *loose.folders]:
        try:
            changed = files.set_mode(
                path, stat.S_IMODE(os.lstat(path).st_mode) & ~mask, follow_symlinks=False
            )
        except OSError:
            # A file owned by someone else cannot be changed by us: leave it, say nothing
            # about it as done; the next run tries again.
            continue
        if changed:
            (done.files if path in loose.files else done.folders).append(path)
    return done


def tighten_workspace(workspace: Workspace, register: Any, *, command: str = "") -> Tightened:
    """Tighten the workspace and add one Audit row saying what changed (the caller saves).

    Call it inside ``register_lock``, after loading the register and before saving it.
    """
    done = tighten_paths(workspace)
    if done:
        who = "the owner and group" if shared_group(workspace) else "the owner only"
        examples = ", ".join(
            workspace.relative(path) or "." for path in [*done.folders, *done.files][:3]
        )
        register.audit(
            command=command or "ccp",
            action="tightened permissions",
            target=workspace.root.name,
            detail=(
                f"{len(done.files)} file(s) and {len(done.folders)} folder(s) made readable by "
                f"{who} (e.g. {examples})"
            ),
        )
    return done


@contextlib.contextmanager
def private_umask(shared: bool = False) -> Iterator[None]:
    """Owner-only (or group) defaults for files other programs write for us (LibreOffice)."""
    previous = os.umask(SHARED_MASK if shared else PRIVATE_MASK)
    try:
        yield
    finally:
        os.umask(previous)


def seal(folder: Path, workspace: Workspace) -> None:
    """Give everything under ``folder`` (a staging folder) the workspace's modes.

    For files other libraries or programs wrote there (pypdf, LibreOffice) before they are
    published into the workspace.
    """
    if not files.posix_modes():
        return
    fmode, dmode = file_mode(workspace), dir_mode(workspace)
    files.set_mode(folder, dmode)
    for current, folders, names in os.walk(folder):
        for name in folders:
            files.set_mode(Path(current) / name, dmode, follow_symlinks=False)
        for name in names:
            path = Path(current) / name
            if not path.is_symlink():
                files.set_mode(path, fmode)
