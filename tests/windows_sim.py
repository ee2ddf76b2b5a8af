"""Runs ccp's file handling as Windows would, on Linux (issue 20).

There is no Windows machine here; CI's windows-latest job is the real check. This layer
makes the differences that broke ccp on Windows visible in every test that uses it:

- ``os.fchmod``/``os.fchown`` absent (Windows before Python 3.13), ``dir_fd`` and
  ``chmod(follow_symlinks=False)`` unsupported (``NotImplementedError``, as there);
- ``os.open`` in text mode unless ``O_BINARY`` is given: a file written through a
  descriptor opened without it has every ``\\n`` turned into ``\\r\\n``, as Windows does;
- relative paths print with backslashes (``str(Path("a/b"))`` is ``a\\b``), so a path stored
  with ``str()`` instead of ``as_posix()`` shows up;
- ``held``: a file another program holds open makes ``os.replace`` onto it raise
  ``PermissionError`` (WinError 32), a few times or for ever.
"""

from __future__ import annotations

import io
import os
import pathlib
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Windows' value; on Linux 0x8000 is O_LARGEFILE, a no-op on 64-bit systems.
O_BINARY = getattr(os, "O_BINARY", 0x8000)
ON_WINDOWS = sys.platform == "win32"


@dataclass
class WindowsLike:
    text_mode_files: list[str] = field(default_factory=list)
    chmod_calls: list[str] = field(default_factory=list)
    holds: dict[str, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)

    def hold(self, path: Path, times: int = 10**9) -> None:
        """``path`` is open in another program: the next ``times`` renames onto it fail."""
        self.holds[os.path.normcase(os.fspath(path))] = times


class _TextModeFile(io.FileIO):
    """A descriptor opened without O_BINARY on Windows: LF is written as CRLF."""

    def write(self, data: Any) -> int:
        written = super().write(bytes(data).replace(b"\n", b"\r\n"))
        return len(data) if written else written


def _no_dir_fd(function: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, dir_fd: int | None = None, **kwargs: Any) -> Any:
        if dir_fd is not None:
            raise NotImplementedError(f"{function.__name__}: dir_fd unavailable on this platform")
        return function(*args, **kwargs)

    call.__name__ = function.__name__
    return call


@pytest.fixture
def windows_like(monkeypatch: pytest.MonkeyPatch) -> WindowsLike:
    sim = WindowsLike()
    real_open, real_fdopen, real_replace, real_chmod = os.open, os.fdopen, os.replace, os.chmod
    text_fds: set[int] = set()

    monkeypatch.delattr(os, "fchmod", raising=False)
    monkeypatch.delattr(os, "fchown", raising=False)
    monkeypatch.setattr(os, "O_BINARY", O_BINARY, raising=False)
    monkeypatch.setattr(os, "supports_dir_fd", set())
    monkeypatch.setattr(os, "supports_follow_symlinks", set())
    # The standard library decided these at import; on Windows shutil may not use dir_fd
    # and tempfile opens its files with O_BINARY.
    monkeypatch.setattr(shutil, "_use_fd_functions", False, raising=False)
    monkeypatch.setattr(tempfile, "_bin_openflags", tempfile._bin_openflags | O_BINARY)

    def open_(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        if dir_fd is not None:
            raise NotImplementedError("open: dir_fd unavailable on this platform")
        # On Windows itself the flag is real: pass it on, and let the system do text mode.
        descriptor = real_open(path, flags if ON_WINDOWS else flags & ~O_BINARY, mode)
        text_fds.discard(descriptor)  # a number reused after os.close
        # Lock files (filelock's, pytest's, its O_TMPFILE probe) hold no bytes: their mode
        # does not matter, and on Windows filelock takes another path.
        tmpfile = getattr(os, "O_TMPFILE", 0)
        lock = os.fspath(path).endswith(".lock") or (tmpfile and flags & tmpfile == tmpfile)
        if not flags & O_BINARY and not lock and stat.S_ISREG(os.fstat(descriptor).st_mode):
            sim.text_mode_files.append(os.fspath(path))
            if flags & (os.O_WRONLY | os.O_RDWR) and not ON_WINDOWS:
                text_fds.add(descriptor)
        return descriptor

    def fdopen(descriptor: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if descriptor in text_fds and "b" in mode and "w" in mode:
            text_fds.discard(descriptor)
            return io.BufferedWriter(_TextModeFile(descriptor, "w"))
        return real_fdopen(descriptor, mode, *args, **kwargs)

    def chmod(path: Any, mode: int, *, dir_fd: Any = None, follow_symlinks: bool = True) -> None:
        if dir_fd is not None or not follow_symlinks:
            raise NotImplementedError("chmod: unavailable on this platform")
        sim.chmod_calls.append(os.fspath(path))
        real_chmod(path, mode)

    def replace(source: Any, target: Any, **kwargs: Any) -> None:
        key = os.path.normcase(os.fspath(target))
        if sim.holds.get(key, 0) > 0:
            sim.holds[key] -= 1
            sim.refused.append(key)
            raise PermissionError(
                13, "The process cannot access the file because it is being used by another "
                "process", os.fspath(target)
            )  # fmt: skip
        real_replace(source, target, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "fdopen", fdopen)
    monkeypatch.setattr(os, "chmod", chmod)
    monkeypatch.setattr(os, "replace", replace)
    for name in ("stat", "lstat", "unlink", "mkdir", "rmdir", "rename", "scandir"):
        monkeypatch.setattr(os, name, _no_dir_fd(getattr(os, name)))

    # Relative paths print as Windows prints them; absolute ones must stay usable here.
    real_str = pathlib.PurePath.__str__

    def windows_str(self: pathlib.PurePath) -> str:
        text = real_str(self)
        return text if self.is_absolute() else text.replace("/", "\\")

    monkeypatch.setattr(pathlib.PurePosixPath, "__str__", windows_str)
    monkeypatch.setattr(pathlib.PurePosixPath, "as_posix", real_str)
    return sim
