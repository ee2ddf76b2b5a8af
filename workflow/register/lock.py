"""The register lock: one ccp command at a time, and never while Excel holds the file."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from workflow.core.errors import FileInUse, RegisterLocked
from workflow.core.files import office_owner, open_flags


@contextmanager
def register_lock(path: Path, timeout: float = 10.0) -> Iterator[None]:
    """Hold the register for one command: no other ccp may change it, nor may it be open.

    The lock is a hidden file beside the register (.register.xlsx.lock).
    """
    from filelock import FileLock, Timeout

    path = Path(path)
    refuse_if_open(path)
    lock = FileLock(path.with_name(f".{path.name}.lock"), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise RegisterLocked(
            f"another ccp command is updating {path.name}; try again when it finishes"
        ) from None
    try:
        yield
    finally:
        lock.release()


@contextmanager
def step_lock(folder: Path, busy: str, mode: int = 0o600) -> Iterator[None]:
    """One run at a time of a step that builds outside the register lock (a pack takes
    LibreOffice's time): a second run would empty the first one's staging folder.

    ``busy`` is the one line a second run fails with; ``mode`` the lock file's, so that
    the workspace's permission check finds nothing to tighten. The file is created here,
    not by filelock: its ``mode=`` calls ``os.fchmod``, which Windows does not have.
    """
    from filelock import FileLock, Timeout

    path = Path(folder) / ".step.lock"
    os.close(os.open(path, open_flags(os.O_WRONLY | os.O_CREAT), mode))
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise FileInUse(busy) from None
    try:
        yield
    finally:
        lock.release()


def refuse_if_open(path: Path) -> None:
    excel = path.with_name(f"~${path.name}")
    if excel.exists():
        owner = office_owner(path)
        by = f" (by {owner})" if owner else ""
        raise RegisterLocked(
            f"{path.name} is open in Excel{by}: close it and run the command again "
            f"(if Excel is not running, delete {excel.name})"
        )
    libreoffice = path.with_name(f".~lock.{path.name}#")
    if libreoffice.exists():
        raise RegisterLocked(
            f"{path.name} is open in LibreOffice ({libreoffice.name} exists): close it, then "
            f"run the command again (if LibreOffice is not running, delete {libreoffice.name})"
        )


def current_user() -> str:
    user = os.environ.get("CCP_USER")
    if user:
        return user
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name, e.g. a container without a passwd entry
        return "unknown"
