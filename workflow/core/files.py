"""Safe file writes: atomic replace with fsync, owner-only modes, staging folders, backups.

Every file the package writes goes through here, so that a kill at any moment leaves the
old file or the new one (never half of one), no temporary file outlives a failure, and
nothing a child's papers are in is readable by other users of the machine.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

# Owner-only by default: these files hold children's personal data (issue 12). A panel that
# shares its workspace with a group sets `shared_group: true` in panel.yaml.
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
GROUP_FILE = 0o660
GROUP_DIR = 0o770

# Every temporary name this module makes carries this marker, so a sweep finds them all.
TEMP_MARKER = ".ccp-tmp-"
STALE_AFTER = timedelta(hours=1)


def file_mode(shared_group: bool = False) -> int:
    return GROUP_FILE if shared_group else PRIVATE_FILE


def dir_mode(shared_group: bool = False) -> int:
    return GROUP_DIR if shared_group else PRIVATE_DIR


def make_dirs(path: Path, *, mode: int = PRIVATE_DIR) -> Path:
    """Create ``path`` and any missing parents with ``mode``, whatever the umask."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir()
        os.chmod(folder, mode)
    return path


def temp_path(target: Path) -> Path:
    """A unique hidden name beside ``target`` (same file system, so the rename is atomic)."""
    target = Path(target)
    return target.with_name(f".{target.name}{TEMP_MARKER}{secrets.token_hex(6)}")


def write_atomic(
    target: Path,
    write: Callable[[IO[bytes]], None],
    *,
    mode: int = PRIVATE_FILE,
    before_replace: Callable[[], None] | None = None,
) -> Path:
    """Write ``target`` through ``write(file)`` into a temporary file, fsync, then rename.

    On any failure (a kill included, once the next command sweeps) the previous file is
    untouched and the temporary file is gone. ``before_replace`` runs after the new bytes are
    safe on disk and before the rename (a backup of the old file, say).
    """
    target = Path(target)
    make_dirs(target.parent, mode=dir_mode(mode == GROUP_FILE))
    temporary = temp_path(target)
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(descriptor, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)
    return target


def write_bytes(target: Path, data: bytes, *, mode: int = PRIVATE_FILE) -> Path:
    return write_atomic(target, lambda handle: handle.write(data), mode=mode)


def write_text(target: Path, text: str, *, mode: int = PRIVATE_FILE) -> Path:
    return write_bytes(target, text.encode("utf-8"), mode=mode)


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (a no-op where directories cannot be opened)."""
    if os.name != "posix":
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def staging_dir(beside: Path, *, mode: int = PRIVATE_DIR) -> Iterator[Path]:
    """A fresh hidden folder next to ``beside`` for the files of one step; removed on exit.

    Build every file of a step here, commit the register, then ``publish`` them: files not
    published when the block ends (a failure) are deleted with the folder.
    """
    beside = Path(beside)
    make_dirs(beside.parent, mode=mode)
    folder = temp_path(beside)
    folder.mkdir()
    os.chmod(folder, mode)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def publish(staged: Path, target: Path, *, dir_mode_: int = PRIVATE_DIR) -> Path:
    """Move one staged file into place atomically (same file system), replacing any old one."""
    target = Path(target)
    make_dirs(target.parent, mode=dir_mode_)
    os.replace(staged, target)
    fsync_dir(target.parent)
    return target


def publish_dir(staged: Path, target: Path) -> Path:
    """Put a whole staged folder in place of ``target`` (old one, if any, removed after)."""
    target = Path(target)
    make_dirs(target.parent)
    old = None
    if target.exists():
        old = temp_path(target)
        os.replace(target, old)
    try:
        os.replace(staged, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    fsync_dir(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def tree(root: Path) -> list[tuple[str, str, os.stat_result]]:
    """(path, name, lstat) of everything under ``root``, links not followed, and not inside a
    temporary folder. One pass with os.scandir: a workspace of 6,000 cases holds ~25,000
    entries, and every writing command looks at all of them (permissions, temporaries)."""
    found: list[tuple[str, str, os.stat_result]] = []
    folders = [str(root)]
    while folders:
        try:
            entries = os.scandir(folders.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                found.append((entry.path, entry.name, info))
                if stat.S_ISDIR(info.st_mode) and TEMP_MARKER not in entry.name:
                    folders.append(entry.path)
    return found


def sweep_temporaries(
    root: Path,
    *,
    older_than: timedelta = STALE_AFTER,
    entries: list[tuple[str, str, os.stat_result]] | None = None,
) -> list[Path]:
    """Remove temporary files and folders this module left behind (a killed command).

    Only names carrying the marker, and only those older than ``older_than``, so a command
    running at the same moment keeps its own. ``entries``: the ``tree`` of ``root`` when
    the caller has walked it already.
    """
    root = Path(root)
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    cutoff = time.time() - older_than.total_seconds()
    for path, name, info in tree(root) if entries is None else entries:
        if TEMP_MARKER not in name or info.st_mtime > cutoff:
            continue
        try:
            if stat.S_ISDIR(info.st_mode):
                shutil.rmtree(path)
            else:
                os.unlink(path)
        except OSError:
            continue
        removed.append(Path(path))
    return removed


def tighten(path: Path, *, mode: int) -> bool:
    """Set ``mode`` on ``path`` when it is looser; True when something changed."""
    current = path.stat().st_mode & 0o777
    if current & ~mode:
        os.chmod(path, mode)
        return True
    return False


# --- backups -------------------------------------------------------------------------------

_BACKUP_STAMP = re.compile(r"\d{8}T\d{12}")


def backup_copy(path: Path, backups_dir: Path, *, mode: int = PRIVATE_FILE) -> Path:
    """Copy ``path`` into ``backups_dir`` under a timestamped name; returns the copy."""
    make_dirs(backups_dir, mode=dir_mode(mode == GROUP_FILE))
    stamp = datetime.now()
    while True:
        target = backups_dir / f"{path.stem}-{stamp:%Y%m%dT%H%M%S%f}{path.suffix}"
        if not target.exists():
            break
        stamp += timedelta(microseconds=1)
    with path.open("rb") as source:
        write_atomic(target, lambda handle: shutil.copyfileobj(source, handle), mode=mode)
    return target


def rotate_backups(path: Path, backups_dir: Path, keep: int) -> None:
    """Keep only the newest ``keep`` backups of ``path``."""
    if not backups_dir.is_dir():
        return
    prefix, suffix = f"{path.stem}-", path.suffix
    backups = sorted(
        file
        for file in backups_dir.iterdir()
        if file.name.startswith(prefix)
        and file.name.endswith(suffix)
        and _BACKUP_STAMP.fullmatch(file.name[len(prefix) : len(file.name) - len(suffix)])
    )
    for old in backups[: max(len(backups) - keep, 0)]:
        try:
            old.unlink()
        except OSError:  # a backup open in Excel on Windows: the next save retries
            continue
