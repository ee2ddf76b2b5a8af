"""Safe file writes: atomic replace with fsync, owner-only modes, staging folders, backups.

Every file the package writes goes through here, so that a kill at any moment leaves the
old file or the new one (never half of one), no temporary file outlives a failure, and
nothing a child's papers are in is readable by other users of the machine.

It runs on Windows too: files are opened in binary mode, POSIX permission calls sit behind
``posix_modes()``, and a rename onto a file another program holds is retried, then refused
in one line naming the file and who holds it.
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

from workflow.core.errors import FileInUse, FileUnreadable, FileUnwritable

# Owner-only by default: these files hold children's personal data (issue 12). A panel that
# shares its workspace with a group sets `shared_group: true` in panel.yaml.
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
GROUP_FILE = 0o660
GROUP_DIR = 0o770

# Every temporary name this module makes carries this marker, so a sweep finds them all.
TEMP_MARKER = ".ccp-tmp-"
STALE_AFTER = timedelta(hours=1)


# Antivirus scanners and the search indexer hold a new file for a moment on Windows; a
# rename onto it fails meanwhile. About a second of retries outlasts them.
REPLACE_DELAYS = (0.05, 0.1, 0.2, 0.25, 0.4)


def posix_modes() -> bool:
    """True where owner-only modes protect the data (POSIX); the one check of this package.

    On Windows ``chmod`` sets only the read-only bit and NTFS reports every file as 0o666:
    the folder's access list decides who can read, so modes are neither set nor checked.
    """
    return os.name == "posix" and hasattr(os, "fchmod")


def set_mode(path: Path | str, mode: int, *, follow_symlinks: bool = True) -> bool:
    """``chmod`` where modes mean something; False when skipped (Windows, or a link we
    cannot change without following it)."""
    if not posix_modes():
        return False
    if not follow_symlinks and os.chmod not in os.supports_follow_symlinks:
        if os.path.islink(path):
            return False
        follow_symlinks = True
    os.chmod(path, mode, follow_symlinks=follow_symlinks)
    return True


def open_flags(flags: int) -> int:
    """``flags`` for ``os.open`` in binary mode, not inherited by child processes.

    Without O_BINARY, Windows opens in text mode and turns every LF written into CRLF: a
    corrupt .xlsx, .docx or .pdf. Elsewhere the flag does not exist and means nothing.
    """
    binary = getattr(os, "O_BINARY", 0)
    return flags | binary | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOINHERIT", 0)


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
        set_mode(folder, mode)
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
    temporary = temp_path(target)
    try:
        make_dirs(target.parent, mode=dir_mode(mode == GROUP_FILE))
        descriptor = os.open(temporary, open_flags(os.O_WRONLY | os.O_CREAT | os.O_EXCL), mode)
        with os.fdopen(descriptor, "wb") as handle:
            if posix_modes():
                os.fchmod(handle.fileno(), mode)
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if before_replace is not None:
            before_replace()
        replace(temporary, target)
    except OSError as err:
        _discard(temporary)
        raise FileUnwritable(_unwritable(target, err)) from err
    except BaseException:
        _discard(temporary)
        raise
    fsync_dir(target.parent)
    return target


def _discard(temporary: Path) -> None:
    # The reason the write failed (no folder, no access) often stops the removal too; the
    # sweep takes anything left, and the first error is the one to report.
    with contextlib.suppress(OSError):
        temporary.unlink(missing_ok=True)


def _unwritable(target: Path, err: OSError) -> str:
    shown = err.filename if err.filename and TEMP_MARKER not in str(err.filename) else target
    kept = "; the previous version is unchanged" if os.path.lexists(target) else ""
    return f"{shown}: cannot be written ({err.strerror or err}){kept}"


def replace(source: Path | str, target: Path | str) -> None:
    """``os.replace``, retried while another program holds ``target`` for a moment.

    Still held after about a second (Excel, Word or a PDF reader has it open): FileInUse,
    naming the file and, where Office left its owner file, who has it open.
    """
    for delay in (*REPLACE_DELAYS, None):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if delay is None:
                raise FileInUse(in_use_message(Path(target))) from None
            time.sleep(delay)


_PROGRAMS = {".xlsx": "Excel", ".xlsm": "Excel", ".docx": "Word", ".pdf": "a PDF reader"}


def in_use_message(path: Path) -> str:
    """'register.xlsx is open in Excel (by NAME): close it and run the command again'."""
    program = _PROGRAMS.get(path.suffix.lower())
    owner = office_owner(path)
    if owner:
        where = f"{program or 'another program'} (by {owner})"
    else:
        where = f"{program} or another program" if program else "another program"
    return f"{path.name} is open in {where}: close it and run the command again"


def office_owner_file(path: Path) -> Path | None:
    """The ``~$`` file Word or Excel keeps beside a document it has open, if any.

    Excel prefixes the whole name; Word, for names of 8 or more characters before the
    suffix, drops the first two characters (``~$cument.docx`` for ``document.docx``).
    """
    path = Path(path)
    names = [f"~${path.name}"]
    if len(path.stem) >= 8:
        names.append(f"~${path.name[2:]}")
    for name in names:
        candidate = path.with_name(name)
        if candidate.is_file():
            return candidate
    return None


def office_owner(path: Path) -> str | None:
    """Who has ``path`` open in Word or Excel, from its ``~$`` owner file (None if unknown).

    The owner file starts with one byte giving the length of the user name, then the name
    in the Windows code page; 54 bytes in, Office repeats it as UTF-16 (two-byte length),
    which keeps names outside Latin-1.
    """
    owner_file = office_owner_file(path)
    if owner_file is None:
        return None
    try:
        with open(owner_file, "rb") as handle:
            data = handle.read(512)
    except OSError:
        return None
    return owner_name(data)


def owner_name(data: bytes) -> str | None:
    """The user name an Office owner file holds (see ``office_owner``)."""
    if len(data) >= 56:
        length = int.from_bytes(data[54:56], "little")
        wide = data[56 : 56 + 2 * length]
        if length > 0 and len(wide) == 2 * length:
            with contextlib.suppress(UnicodeDecodeError):
                name = wide.decode("utf-16-le").strip("\x00 ").strip()
                if name.isprintable() and name:
                    return name
    # A length running past the end means this is not an owner file (a hand-made one).
    if data and len(data) > data[0]:
        name = data[1 : 1 + data[0]].decode("cp1252", errors="replace").strip("\x00 ").strip()
        if name and name.isprintable():
            return name
    return None


def write_bytes(target: Path, data: bytes, *, mode: int = PRIVATE_FILE) -> Path:
    return write_atomic(target, lambda handle: handle.write(data), mode=mode)


def read_bytes(path: Path) -> bytes:
    """The bytes of a file a person gave us; an OSError becomes one line naming the file."""
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise FileUnreadable(f"{path}: cannot be read ({err.strerror or err})") from err


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
    set_mode(folder, mode)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def publish(staged: Path, target: Path, *, dir_mode_: int = PRIVATE_DIR) -> Path:
    """Move one staged file into place atomically (same file system), replacing any old one."""
    target = Path(target)
    make_dirs(target.parent, mode=dir_mode_)
    replace(staged, target)
    fsync_dir(target.parent)
    return target


def publish_dir(staged: Path, target: Path) -> Path:
    """Put a whole staged folder in place of ``target`` (old one, if any, removed after)."""
    target = Path(target)
    make_dirs(target.parent)
    old = None
    if target.exists():
        old = temp_path(target)
        replace(target, old)
    try:
        replace(staged, target)
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
    """Set ``mode`` on ``path`` when it is looser; True when something changed (never on
    Windows, where the mode reported is not who can read)."""
    if not posix_modes():
        return False
    current = path.stat().st_mode & 0o777
    if current & ~mode:
        return set_mode(path, mode)
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
