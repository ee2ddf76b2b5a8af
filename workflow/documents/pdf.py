"""LibreOffice conversions: one call for a batch, its own profile, a timeout, checked output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from workflow.core.errors import ConversionFailed
from workflow.core.files import make_dirs

# Where the LibreOffice installer puts the program on Windows, under each Program Files.
_PROGRAM_FILES = ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)")
_WINDOWS_PROGRAM = Path("LibreOffice", "program", "soffice.exe")
_REGISTRY_KEY = r"SOFTWARE\LibreOffice\UNO\InstallPath"
# A start costs ~1 s and a page well under that; minutes means LibreOffice is stuck.
DEFAULT_TIMEOUT = 300.0


class KeptRunning(Protocol):
    """A LibreOffice already running (`workflow.documents.office.WarmOffice`)."""

    def convert(
        self, pairs: Sequence[tuple[Path, Path]], options: dict[str, Any], *, timeout: float
    ) -> None: ...


# While the web app runs, its LibreOffice; None: each conversion starts its own.
_kept_running: KeptRunning | None = None


@contextmanager
def keep_running(office: KeptRunning | None) -> Iterator[None]:
    """Within the block, Word-to-PDF conversions go to `office` (None: cold, as usual)."""
    global _kept_running
    before, _kept_running = _kept_running, office
    try:
        yield
    finally:
        _kept_running = before


def install_hint(platform: str | None = None) -> str:
    """How to get LibreOffice on this kind of machine."""
    platform = platform or sys.platform
    if platform == "win32":
        how = (
            "from https://www.libreoffice.org/download/ or with "
            "`winget install TheDocumentFoundation.LibreOffice`"
        )
        program = "soffice.exe"
    elif platform == "darwin":
        how, program = "with `brew install --cask libreoffice`", "soffice program"
    else:
        how = (
            "with `sudo apt-get install libreoffice-writer-nogui libreoffice-calc-nogui` "
            "(Debian, Ubuntu) or your system's package manager"
        )
        program = "soffice program"
    return f"install LibreOffice {how}, or set CCP_SOFFICE to its {program}"


def find_soffice() -> Path | None:
    """CCP_SOFFICE if set; else soffice or libreoffice on PATH; else where the Windows
    installer puts it (Program Files, then the folder the registry names)."""
    configured = os.environ.get("CCP_SOFFICE")
    if configured:
        path = Path(configured)
        return path if path.is_file() and os.access(path, os.X_OK) else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    for variable in _PROGRAM_FILES:
        folder = os.environ.get(variable)
        if folder and (Path(folder) / _WINDOWS_PROGRAM).is_file():
            return Path(folder) / _WINDOWS_PROGRAM
    installed = _registry_install_path()
    if installed is not None:
        for candidate in (installed / "soffice.exe", installed / "program" / "soffice.exe"):
            if candidate.is_file():
                return candidate
    return None


def _registry_install_path() -> Path | None:
    """The folder ``HKLM\\SOFTWARE\\LibreOffice\\UNO\\InstallPath`` names (Windows only)."""
    if sys.platform != "win32":
        return None
    import winreg  # only on Windows: the module does not exist elsewhere

    for view in (winreg.KEY_WOW64_64KEY, winreg.KEY_WOW64_32KEY):
        try:
            with winreg.OpenKey(
                winreg.HKEY_LOCAL_MACHINE, _REGISTRY_KEY, 0, winreg.KEY_READ | view
            ) as key:
                value, _ = winreg.QueryValueEx(key, "")
        except OSError:
            continue
        if value:
            return Path(value)
    return None


def require_soffice() -> Path:
    soffice = find_soffice()
    if soffice is None:
        configured = os.environ.get("CCP_SOFFICE")
        where = f"CCP_SOFFICE={configured} is not a program" if configured else "not found"
        raise ConversionFailed(f"LibreOffice {where}: {install_hint()}")
    return soffice


def soffice_version(soffice: Path, timeout: float = 60.0) -> str | None:
    """'LibreOffice 7.4.7.2 ...' as the program reports it; None when it says nothing.

    soffice.exe on Windows has no console to print to; soffice.com beside it has.
    """
    console = soffice.with_suffix(".com")
    if soffice.suffix.lower() == ".exe" and console.is_file():
        soffice = console
    with tempfile.TemporaryDirectory(prefix="ccp-lo-profile-") as profile:
        try:
            result = subprocess.run(
                [str(soffice), f"-env:UserInstallation={Path(profile).as_uri()}", "--version"],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
    lines = result.stdout.strip().splitlines()
    return lines[0].strip() if result.returncode == 0 and lines else None


def convert(
    sources: Sequence[Path],
    out_dir: Path,
    *,
    to: str = "pdf",
    timeout: float = DEFAULT_TIMEOUT,
    tagged: bool = True,
    pdfa: bool = False,
    title: str | None = None,
    destinations: bool = False,
) -> list[Path]:
    """Convert every source in ONE LibreOffice run; return the outputs in source order.

    A PDF is tagged (a screen reader follows its headings, tables and reading order),
    bookmarked by its headings, and carries the document's language and title.
    `pdfa`: PDF/A-2b, for records kept for decades. `title`: the PDF title of every
    output, in place of each document's own (a copy of the source is retitled; the
    source is never changed). `destinations`: Word bookmarks become named destinations.
    Each run gets its own throwaway user profile: two runs sharing a profile make one
    exit without output or message (TECHNOTES).
    """
    if not sources:
        return []
    stems = [source.stem for source in sources]
    if len(set(stems)) != len(stems):
        raise ValueError("sources must have distinct names: the outputs share one folder")
    extension = to.split(":")[0]
    make_dirs(out_dir)
    expected = [out_dir / f"{stem}.{extension}" for stem in stems]
    for stale in expected:
        stale.unlink(missing_ok=True)
    office = _kept_running if to == "pdf" else None
    with tempfile.TemporaryDirectory(prefix="ccp-lo-profile-") as profile:
        if title is not None:
            sources = _retitled(sources, title, Path(profile) / "retitled")
        if office is not None:
            options = pdf_options(tagged=tagged, pdfa=pdfa, destinations=destinations)
            office.convert(list(zip(sources, expected, strict=True)), options, timeout=timeout)
            succeeded, said = True, "no output"
        else:
            if to == "pdf":
                to = pdf_filter(tagged=tagged, pdfa=pdfa, destinations=destinations)
            succeeded, said = _convert_cold(sources, out_dir, to, Path(profile), timeout)
    missing = [path for path in expected if not path.is_file() or path.stat().st_size == 0]
    if not succeeded or missing:
        names = ", ".join(path.name for path in missing) or "output"
        raise ConversionFailed(f"LibreOffice did not write {names} ({said})")
    return expected


def _convert_cold(
    sources: Sequence[Path], out_dir: Path, to: str, profile: Path, timeout: float
) -> tuple[bool, str]:
    """One `soffice --convert-to` run, in its own throwaway profile: whether it exited
    cleanly, and the last thing it said."""
    soffice = require_soffice()
    command = [
        str(soffice),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        to,
        "--outdir",
        str(out_dir),
        *[str(source) for source in sources],
    ]
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            # The PDFs hold children's papers: owner-only, whatever the caller's umask.
            **({"umask": 0o077} if os.name == "posix" else {}),
        )
    except subprocess.TimeoutExpired:
        raise ConversionFailed(
            f"LibreOffice did not finish converting {len(sources)} file(s) in {timeout:.0f} s"
        ) from None
    except OSError as err:
        raise ConversionFailed(f"LibreOffice could not be started: {err}") from err
    detail = (result.stderr or result.stdout).strip().splitlines()
    return result.returncode == 0, detail[-1] if detail else f"exit status {result.returncode}"


def pdf_options(
    *, tagged: bool = True, pdfa: bool = False, destinations: bool = False
) -> dict[str, bool | int]:
    """The PDF export options: tagged, bookmarked, PDF/A-2b (version 2) for records."""
    options: dict[str, bool | int] = {
        "UseTaggedPDF": tagged or pdfa,
        "ExportBookmarks": True,
        "ExportBookmarksToPDFDestination": destinations,
    }
    if pdfa:
        options["SelectPdfVersion"] = 2
    return options


def pdf_filter(*, tagged: bool = True, pdfa: bool = False, destinations: bool = False) -> str:
    """LibreOffice's --convert-to argument for a PDF with these export options.

    LibreOffice 7.4 takes the options as JSON, each with its UNO type (TECHNOTES).
    """
    import json

    options = pdf_options(tagged=tagged, pdfa=pdfa, destinations=destinations)
    typed = {
        name: {"type": "boolean", "value": str(value).lower()}
        if isinstance(value, bool)
        else {"type": "long", "value": str(value)}
        for name, value in options.items()
    }
    return "pdf:writer_pdf_Export:" + json.dumps(typed, separators=(",", ":"))


def _retitled(sources: Sequence[Path], title: str, folder: Path) -> list[Path]:
    """Copies of the sources whose document title is `title` (the PDF title comes from it)."""
    from docx import Document

    folder.mkdir()
    copies = []
    for source in sources:
        if source.suffix.lower() != ".docx":
            raise ValueError(f"{source.name}: only a Word document can be given a title")
        document = Document(str(source))
        document.core_properties.title = title
        copy = folder / source.name
        document.save(str(copy))
        copies.append(copy)
    return copies
