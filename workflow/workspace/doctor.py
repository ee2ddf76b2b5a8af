"""`ccp doctor`: is this machine and workspace ready? One line per check, OK or what to do.

The first thing the README's troubleshooting tells a user to run: each line names what is
wrong and the one step that fixes it, so an administrator can act on it (or read it to IT).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from workflow.core import files
from workflow.core.errors import CcpError, ConversionFailed, FileInUse, FileUnwritable
from workflow.documents import pdf
from workflow.documents.house_style import FONT
from workflow.documents.office import find_office_python
from workflow.workspace import privacy
from workflow.workspace.paths import Workspace

MINIMUM_PYTHON = (3, 11)
# A pack with its papers may take 100 MB (pack_papers_max_mb), and its PDF as much again.
LOW_DISK = 500 * 1024 * 1024
# Fonts that take the house font's place with the same widths, so pages break as in Word.
METRIC_TWINS = {"Calibri": ("Carlito",)}
# Windows groups whose members are everyone with a login on the PC or the domain.
EVERYONE = ("Everyone", "BUILTIN\\Users", "NT AUTHORITY\\Authenticated Users", "Domain Users")


@dataclass(frozen=True)
class Check:
    ok: bool
    text: str

    def line(self) -> str:
        return f"{'OK ' if self.ok else 'FIX'} {self.text}"


def diagnose(root: Path) -> list[Check]:
    """Every check, in the order a person would fix them: machine, then workspace."""
    checks = [python_check(), ccp_check(), *libreoffice_checks(), font_check()]
    root = Path(root).absolute()
    workspace = Workspace(root)
    if not workspace.panel_file.is_file():
        checks.append(
            Check(
                False,
                f"workspace {root}: not a panel workspace (no panel.yaml): run the command "
                "inside it, pass -w FOLDER, or set CCP_WORKSPACE",
            )
        )
        return checks
    checks += [
        workspace_check(workspace),
        *register_checks(workspace),
        permissions_check(workspace),
        disk_check(workspace.root),
    ]
    return checks


def python_check() -> Check:
    version = ".".join(str(part) for part in sys.version_info[:3])
    if sys.version_info[:2] < MINIMUM_PYTHON:
        return Check(False, f"Python {version}: ccp needs 3.11 or later; install a newer Python")
    return Check(True, f"Python {version} ({sys.executable})")


def ccp_check() -> Check:
    try:
        version = metadata.version("ccp")
    except metadata.PackageNotFoundError:
        from workflow import __version__ as version
    return Check(True, f"ccp {version}")


def libreoffice_checks(convert: Callable[..., list[Path]] = pdf.convert) -> list[Check]:
    """Where LibreOffice is, its version, and whether it really turns Word into PDF."""
    soffice = pdf.find_soffice()
    if soffice is None:
        configured = os.environ.get("CCP_SOFFICE")
        where = f"CCP_SOFFICE={configured} is not a program" if configured else "not found"
        return [
            Check(
                False,
                f"LibreOffice {where}: {pdf.install_hint()} (until then, `ccp pack --no-pdf` "
                "makes the Word pack alone)",
            )
        ]
    version = pdf.soffice_version(soffice) or "version not reported"
    found = Check(True, f"LibreOffice {soffice} ({version})")
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="ccp-doctor-") as folder:
            source = _tiny_document(Path(folder) / "ccp-doctor-test.docx")
            convert([source], Path(folder) / "out", tagged=False)
    except ConversionFailed as err:
        return [found, Check(False, f"LibreOffice could not convert a test document: {err}")]
    seconds = time.monotonic() - started
    converted = Check(True, f"LibreOffice converted a test document to PDF in {seconds:.1f} s")
    return [found, converted, bridge_check(soffice)]


def bridge_check(soffice: Path) -> Check:
    """The web app keeps LibreOffice running through its Python bridge; without it, each
    PDF step in the browser starts LibreOffice (slower, nothing lost)."""
    python = find_office_python(soffice)
    if python.path is None:
        return Check(True, f"web app PDFs start LibreOffice each time (optional: {python.reason})")
    return Check(True, f"web app keeps LibreOffice running, through {python.path}")


def _tiny_document(path: Path) -> Path:
    from docx import Document

    document = Document()
    document.add_paragraph("ccp doctor: a test conversion.")
    document.save(str(path))
    return path


def font_check() -> Check:
    twins = METRIC_TWINS.get(FONT, ())
    wanted = " or ".join((FONT, *twins))
    installed = installed_fonts()
    if installed is None:
        return Check(True, f"fonts: not checked on this system (documents use {FONT})")
    if any(name.casefold() in installed for name in (FONT, *twins)):
        return Check(True, f"fonts: {wanted} installed (the house font)")
    if sys.platform == "win32":
        how = f"install {FONT} (it comes with Microsoft Office)"
    else:
        how = "install fonts-crosextra-carlito (apt-get) or Calibri"
    missing = " nor ".join((FONT, *twins))
    return Check(
        False,
        f"fonts: neither {missing} is installed, so PDFs will not break pages as Word does: {how}",
    )


def installed_fonts() -> set[str] | None:
    """Font family names (casefolded), or None when this system cannot tell."""
    if sys.platform == "win32":
        folder = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        local = Path(os.environ.get("LOCALAPPDATA", "")) / "Microsoft" / "Windows" / "Fonts"
        names = {path.stem.casefold() for where in (folder, local) for path in _files(where)}
        return names or None
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        result = subprocess.run(
            [fc_list, ":", "family"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return {
        family.strip().casefold()
        for line in result.stdout.splitlines()
        for family in line.split(",")
    }


def _files(folder: Path) -> Iterator[Path]:
    try:
        yield from folder.iterdir()
    except OSError:
        return


def workspace_check(workspace: Workspace) -> Check:
    """Readable and writable in fact (an access list can refuse what the mode allows)."""
    root = workspace.root
    try:
        workspace.panel_file.read_bytes()
    except OSError as err:
        return Check(False, f"workspace {root}: panel.yaml cannot be read ({err.strerror})")
    probe = root / f".ccp-doctor-{secrets.token_hex(4)}"
    try:
        files.write_bytes(probe, b"ccp doctor")
        probe.unlink()
    except (OSError, FileUnwritable, FileInUse):
        probe.unlink(missing_ok=True)
        return Check(
            False,
            f"workspace {root}: cannot write there: ask IT to give you write access to the "
            "folder (or use a workspace in a folder you can change)",
        )
    return Check(True, f"workspace {root}: readable and writable")


def register_checks(workspace: Workspace) -> list[Check]:
    path = workspace.register_file
    if not path.is_file():
        return [
            Check(
                False,
                f"{path.name} is missing: restore the newest copy from "
                f"{workspace.backups_dir.name}/",
            )
        ]
    checks = []
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError as err:
        return [Check(False, f"{path.name} cannot be read ({err.strerror})")]
    if head != b"PK\x03\x04":
        checks.append(
            Check(
                False,
                f"{path.name} is not an .xlsx workbook: put back the newest copy "
                f"from {workspace.backups_dir.name}/",
            )
        )
    else:
        checks.append(Check(True, f"{path.name}: readable"))
    checks.append(_register_not_open(path))
    return checks


def _register_not_open(path: Path) -> Check:
    owner_file = files.office_owner_file(path)
    if owner_file is not None:
        owner = files.office_owner(path)
        by = f" (by {owner})" if owner else ""
        return Check(
            False,
            f"{path.name} is open in Excel{by}: close it before running a command "
            f"(if Excel is not running, delete {owner_file.name})",
        )
    libreoffice = path.with_name(f".~lock.{path.name}#")
    if libreoffice.is_file():
        owner = _libreoffice_owner(libreoffice)
        by = f" (by {owner})" if owner else ""
        return Check(
            False,
            f"{path.name} is open in LibreOffice{by}: close it before running a "
            f"command (if LibreOffice is not running, delete {libreoffice.name})",
        )
    try:
        # On Windows a workbook another program holds cannot be opened for writing.
        with open(path, "r+b"):
            pass
    except PermissionError:
        return Check(False, f"{path.name} is read-only or open in another program: close it")
    except OSError as err:
        return Check(False, f"{path.name} cannot be written ({err.strerror})")
    return Check(True, f"{path.name}: writable and not open in Excel or LibreOffice")


def _libreoffice_owner(lock: Path) -> str | None:
    """LibreOffice's lock file is one CSV line: the user's full name (empty unless set in
    LibreOffice's options), then the login name, the host, the time and the profile."""
    try:
        fields = lock.read_bytes()[:1024].decode("utf-8", errors="replace").split(",")
    except OSError:
        return None
    names = [field.strip() for field in fields[:2] if field.strip()]
    return names[0] if len(fields) > 1 and names else None


def permissions_check(workspace: Workspace) -> Check:
    if not files.posix_modes():
        return _access_list_check(workspace.root)
    try:
        loose = privacy.loose_paths(workspace)
    except CcpError as err:  # panel.yaml unreadable: shared_group cannot be known
        return Check(False, f"permissions: not checked: {err.lines()[0]}")
    if loose:
        count = len(loose.files) + len(loose.folders)
        example = workspace.relative(next(iter([*loose.folders, *loose.files]))) or "."
        return Check(
            False,
            f"permissions: {count} file(s) or folder(s) others can open (e.g. {example}): "
            "run any command that writes (it tightens them), or `chmod -R go-rwx` the folder",
        )
    who = "you and the group" if privacy.shared_group(workspace) else "only you"
    return Check(True, f"permissions: {who} can open the workspace's files")


def _access_list_check(root: Path) -> Check:
    """Windows: the folder's access list decides; ``icacls`` says who is on it."""
    note = "the folder's access list decides who can open the workspace"
    icacls = shutil.which("icacls")
    if icacls is None:
        return Check(True, f"permissions: {note} (ask IT who is on it)")
    try:
        result = subprocess.run(
            [icacls, str(root)], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return Check(True, f"permissions: {note} (icacls did not answer)")
    readers = access_list_names(result.stdout, root)
    everyone = [name for name in readers if name.casefold() in {e.casefold() for e in EVERYONE}]
    if everyone:
        return Check(
            False,
            f"permissions: {', '.join(everyone)} can open the workspace: move it to a folder "
            "only the panel's staff can open (ask IT)",
        )
    shown = ", ".join(readers) if readers else "nobody listed"
    return Check(True, f"permissions: {note}; readable by {shown}")


def access_list_names(output: str, root: Path) -> list[str]:
    """The accounts ``icacls FOLDER`` lists (``NAME:(OI)(CI)(F)``), in order, once each."""
    names: list[str] = []
    for number, line in enumerate(output.splitlines()):
        text = line[len(str(root)) :] if number == 0 and line.startswith(str(root)) else line
        text = text.strip()
        if ":(" not in text:
            continue
        name = text.split(":(", 1)[0].strip()
        if name and name not in names:
            names.append(name)
    return names


def disk_check(root: Path) -> Check:
    try:
        free = shutil.disk_usage(root).free
    except OSError as err:
        return Check(False, f"disk: free space unknown ({err.strerror})")
    shown = f"{free / 1024**3:,.1f} GB" if free >= 1024**3 else f"{free / 1024**2:,.0f} MB"
    if free < LOW_DISK:
        return Check(
            False, f"disk: only {shown} free where the workspace is: free some space (a pack "
            "with its papers can take a few hundred MB)"
        )  # fmt: skip
    return Check(True, f"disk: {shown} free")
