"""Papers attached to a referral: confined to its folder, checked by content, size-capped.

A referral names its chronology, risk assessment and last review report by paths relative
to the referral file. Those papers are copied into the case and circulated to every panel
member, so each one must be exactly what it claims: a file inside the referral's own folder
(no absolute path, no ``..``, no symbolic link anywhere on the way, a regular file), a real
Word document or PDF by its content, within the panel's size limits, and free of the zip
bombs and DTDs that the Word form reader refuses too (``docx_safety``). Every refusal is
found at ``referral check`` and names the field; ``pack`` checks the stored copies again
and names the case.
"""

from __future__ import annotations

import io
import os
import re
import stat
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from workflow.contract import Attachments, PanelConfig, Referral
from workflow.core.errors import FileUnreadable, PaperRefused, Problem
from workflow.core.files import open_flags
from workflow.forms.docx_safety import (
    OLE2_MAGIC,
    PDF_MAGIC,
    ZIP_MAGIC,
    ZipLimits,
    check_every_xml_part,
    main_document,
    open_zip,
    package_targets,
)

MB = 1024 * 1024
# Without a panel (a practitioner checking a referral outside the workspace).
DEFAULT_PAPER_MB = PanelConfig.model_fields["paper_max_mb"].default
DEFAULT_PACK_MB = PanelConfig.model_fields["pack_papers_max_mb"].default

ALLOWED = {".docx": "a Word document (.docx)", ".pdf": "a PDF"}
ALLOWED_TEXT = "a Word document (.docx) or a PDF"
PAPER_FIELDS = tuple(Attachments.model_fields)

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class PaperLimits:
    """Bytes one paper, and one meeting's papers together, may take (panel.yaml)."""

    paper_bytes: int = DEFAULT_PAPER_MB * MB
    pack_bytes: int = DEFAULT_PACK_MB * MB

    @classmethod
    def of(cls, panel: PanelConfig | None) -> PaperLimits:
        if panel is None:
            return cls()
        return cls(panel.paper_max_mb * MB, panel.pack_papers_max_mb * MB)

    def zip_limits(self) -> ZipLimits:
        # A chronology may hold scanned pictures: generous parts, but the same ratio test.
        return ZipLimits(
            max_file_bytes=self.paper_bytes,
            max_members=5000,
            max_member_bytes=max(self.paper_bytes * 4, 50 * MB),
            max_total_bytes=max(self.paper_bytes * 8, 100 * MB),
            max_xml_bytes=50 * MB,
        )


@dataclass(frozen=True)
class Paper:
    """A paper read and checked: its field, the path as given, its bytes and its suffix."""

    field: str
    given: str
    data: bytes
    suffix: str  # ".docx" or ".pdf", from the content

    @property
    def stored_name(self) -> str:
        """The fixed name in the case folder: the given name may hold the child's name."""
        return f"{self.field.replace('_', '-')}{self.suffix}"


@dataclass
class PaperCheck:
    papers: dict[str, Paper] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # refused: the referral is refused
    warnings: list[str] = field(default_factory=list)  # not supplied or not found: readiness

    @property
    def total_bytes(self) -> int:
        return sum(len(paper.data) for paper in self.papers.values())


# --- where a paper may be --------------------------------------------------------------------


def confined_parts(given: str) -> tuple[str, ...]:
    """The path's components, refusing anything that could leave the referral's folder."""
    text = given.strip().replace("\\", "/")
    if not text:
        raise FileUnreadable("is empty; give the file's name relative to the referral")
    if "\x00" in text:
        raise FileUnreadable("is not a usable file name")
    if text.startswith("/") or _WINDOWS_DRIVE.match(text) or text.startswith("~"):
        raise FileUnreadable(
            "must be a path relative to the referral file's folder, not an absolute path; "
            "put the paper beside the referral"
        )
    parts = tuple(part for part in PurePosixPath(text).parts if part not in ("", "."))
    if ".." in parts:
        raise FileUnreadable(
            "must not use '..': a paper must be inside the referral file's own folder"
        )
    if not parts:
        raise FileUnreadable("is a folder, not a file")
    return parts


def read_confined(folder: Path, given: str, limit: int) -> bytes | None:
    """The bytes of ``given`` inside ``folder``; None when it does not exist.

    Each step is opened relative to the folder before it without following links, and the
    file is checked with ``fstat`` on the open descriptor: a link swapped in between the
    check and the read cannot redirect it.
    """
    parts = confined_parts(given)
    if not _walks_by_descriptor():
        return _read_confined_by_path(folder, parts, limit)
    flags = open_flags(os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        current = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as err:
        raise FileUnreadable(f"its folder {folder} cannot be read ({err.strerror})") from None
    try:
        for number, part in enumerate(parts):
            last = number == len(parts) - 1
            try:
                info = os.lstat(part, dir_fd=current)
            except FileNotFoundError:
                return None
            except OSError as err:
                raise FileUnreadable(f"cannot be read ({err.strerror})") from None
            shown = "/".join(parts[: number + 1])
            if stat.S_ISLNK(info.st_mode):
                raise FileUnreadable(
                    f"{shown} is a symbolic link; attach the paper itself, not a link to it"
                )
            if not last:
                if not stat.S_ISDIR(info.st_mode):
                    return None
                step = os.open(part, flags | getattr(os, "O_DIRECTORY", 0), dir_fd=current)
                os.close(current)
                current = step
                continue
            if not stat.S_ISREG(info.st_mode):
                kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
                raise FileUnreadable(f"is {kind}; attach a Word document or PDF")
            if info.st_size > limit:
                raise FileUnreadable(_too_large(info.st_size, limit))
            descriptor = os.open(part, flags | getattr(os, "O_NONBLOCK", 0), dir_fd=current)
            with os.fdopen(descriptor, "rb") as handle:
                opened = os.fstat(handle.fileno())
                if not stat.S_ISREG(opened.st_mode) or opened.st_ino != info.st_ino:
                    raise FileUnreadable("changed while it was being read; try again")
                data = handle.read(limit + 1)
            if len(data) > limit:
                raise FileUnreadable(_too_large(len(data), limit))
            return data
    except OSError as err:
        if err.errno == getattr(os, "ELOOP", None):
            raise FileUnreadable("is a symbolic link; attach the paper itself") from None
        raise FileUnreadable(f"cannot be read ({err.strerror})") from None
    finally:
        os.close(current)
    return None  # pragma: no cover - the loop always returns


def _walks_by_descriptor() -> bool:
    """Whether each step can be opened relative to the one before (not on Windows)."""
    return os.open in os.supports_dir_fd and os.lstat in os.supports_dir_fd


def _read_confined_by_path(folder: Path, parts: tuple[str, ...], limit: int) -> bytes | None:
    """``read_confined`` where ``dir_fd`` is not supported (Windows): each step is checked by
    its path, and the opened file must be the one checked (same device and file index)."""
    current = Path(folder)
    try:
        for number, part in enumerate(parts):
            current = current / part
            try:
                info = os.lstat(current)
            except FileNotFoundError:
                return None
            shown = "/".join(parts[: number + 1])
            if stat.S_ISLNK(info.st_mode) or getattr(info, "st_reparse_tag", 0):
                raise FileUnreadable(
                    f"{shown} is a symbolic link; attach the paper itself, not a link to it"
                )
            if number < len(parts) - 1:
                if not stat.S_ISDIR(info.st_mode):
                    return None
                continue
            if not stat.S_ISREG(info.st_mode):
                kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
                raise FileUnreadable(f"is {kind}; attach a Word document or PDF")
            if info.st_size > limit:
                raise FileUnreadable(_too_large(info.st_size, limit))
            descriptor = os.open(current, open_flags(os.O_RDONLY))
            with os.fdopen(descriptor, "rb") as handle:
                opened = os.fstat(handle.fileno())
                if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
                    raise FileUnreadable("changed while it was being read; try again")
                data = handle.read(limit + 1)
            if len(data) > limit:
                raise FileUnreadable(_too_large(len(data), limit))
            return data
    except OSError as err:
        raise FileUnreadable(f"cannot be read ({err.strerror})") from None
    return None  # pragma: no cover - the loop always returns


def _too_large(size: int, limit: int) -> str:
    return (
        f"is {size / MB:,.1f} MB; a paper may be at most {limit // MB:,} MB "
        "(panel.yaml: paper_max_mb)"
    )


# --- what a paper is -------------------------------------------------------------------------


def paper_suffix(data: bytes, name: str, limits: PaperLimits) -> str:
    """'.docx' or '.pdf' from the content, after that format's checks; FileUnreadable if not.

    ``name`` is the name as given: a file whose name and content disagree is refused, since
    the pack would treat it by its name.
    """
    claimed = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if claimed not in ALLOWED:
        if claimed in (".doc", ".rtf", ".odt", ".txt"):
            raise FileUnreadable(
                f"is a {claimed} file; only {ALLOWED_TEXT} can be circulated: "
                "open it in Word and save it as .docx or PDF"
            )
        raise FileUnreadable(f"must be {ALLOWED_TEXT} (got {claimed or 'no suffix'})")
    if data.startswith(ZIP_MAGIC):
        actual = ".docx"
    elif data.startswith(PDF_MAGIC):
        actual = ".pdf"
    elif data.startswith(OLE2_MAGIC):
        raise FileUnreadable(
            "is an old Word 97-2003 document or a password-protected file; "
            "save it as .docx (without a password) or PDF"
        )
    else:
        raise FileUnreadable(
            f"is named {claimed} but its content is not {ALLOWED[claimed]}; send the real document"
        )
    if actual != claimed:
        raise FileUnreadable(
            f"is named {claimed} but its content is {ALLOWED[actual]}; rename it to {actual}"
        )
    label = PurePosixPath(name.replace("\\", "/")).name
    if actual == ".docx":
        check_docx(data, label, limits)
    else:
        check_pdf(data, label)
    return actual


def check_docx(data: bytes, name: str, limits: PaperLimits) -> None:
    """A Word document a pack can merge: bounded zip, a main document, no DTD in any part."""
    zip_limits = limits.zip_limits()
    with open_zip(data, name, zip_limits) as archive:
        targets = package_targets(archive, name, zip_limits)
        main_document(archive, name, targets, zip_limits)
        check_every_xml_part(archive, name, zip_limits)
        if any(info.filename.lower().endswith("vbaproject.bin") for info in archive.infolist()):
            raise FileUnreadable(f"{name}: contains macros; save it as a plain .docx or PDF")


# pypdf is not hardened against hostile files: on damaged input it raises these besides its
# own errors. Each is caught here so that a broken paper is refused by name, not a traceback.
_PDF_FAILURES: tuple[type[BaseException], ...] = (
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    AssertionError,
    RecursionError,
    OverflowError,
    ZeroDivisionError,
    OSError,
    EOFError,
    zlib.error,
    zipfile.BadZipFile,
)


def check_pdf(data: bytes, name: str) -> None:
    """A PDF the pack can lay onto its pages: readable, not encrypted, at least one page."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if b"%%EOF" not in data[-2048:]:
        raise FileUnreadable(f"{name}: is an incomplete PDF (no end marker); send it again")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise FileUnreadable(
                    f"{name}: is password-protected; save a copy without the password"
                )
            pages = len(reader.pages)
            for page in reader.pages:
                box = page.mediabox
                if float(box.width) <= 0 or float(box.height) <= 0:
                    raise FileUnreadable(f"{name}: has a page of no size; send it again")
    except FileUnreadable:
        raise
    except (PyPdfError, *_PDF_FAILURES) as err:
        raise FileUnreadable(
            f"{name}: is a damaged PDF ({type(err).__name__}); send it again"
        ) from None
    if pages == 0:
        raise FileUnreadable(f"{name}: is a PDF with no pages")


# --- a referral's papers ---------------------------------------------------------------------


def check_papers(referral: Referral, source: Path, limits: PaperLimits) -> PaperCheck:
    """Read and check every paper the referral names; missing ones are warnings."""
    folder = Path(source).parent
    result = PaperCheck()
    for name in PAPER_FIELDS:
        given = getattr(referral.attachments, name)
        label = Attachments.model_fields[name].title.lower()
        where = f"attachments.{name}"
        if given is None:
            result.warnings.append(f"{where}: no {label} supplied for circulation")
            continue
        try:
            data = read_confined(folder, given, limits.paper_bytes)
            if data is None:
                result.warnings.append(f"{where}: {given} not found beside {Path(source).name}")
                continue
            suffix = paper_suffix(data, given, limits)
        except FileUnreadable as err:
            result.problems.append(Problem(where, f"{given}: {_without_name(str(err), given)}"))
            continue
        result.papers[name] = Paper(name, given, data, suffix)
    if result.total_bytes > limits.pack_bytes:
        result.problems.append(_pack_problem(result.total_bytes, limits, "this referral's"))
    return result


def _without_name(message: str, given: str) -> str:
    """Messages from the docx checks start with the file name; the caller names it already."""
    name = PurePosixPath(given.replace("\\", "/")).name
    return message.removeprefix(f"{name}: ")


def _pack_problem(total: int, limits: PaperLimits, whose: str) -> Problem:
    return Problem("attachments", pack_message(total, limits, whose))


def pack_message(total: int, limits: PaperLimits, whose: str) -> str:
    return (
        f"{whose} papers come to {total / MB:,.1f} MB; one meeting's papers may be at most "
        f"{limits.pack_bytes // MB:,} MB (panel.yaml: pack_papers_max_mb)"
    )


def stored_problems(
    case_id: str, papers: dict[str, Path | None], limits: PaperLimits, root: Path
) -> tuple[list[str], int]:
    """Problems with a case's stored papers (pack time), and their total size in bytes."""
    problems: list[str] = []
    total = 0
    for name, path in papers.items():
        if path is None:
            continue
        shown = _relative(path, root)
        where = f"{case_id}: attachments.{name} ({shown})"
        try:
            data = read_confined(path.parent, path.name, limits.paper_bytes)
            if data is None:
                problems.append(
                    f"{where}: is missing from the case folder; restore it, or accept the "
                    "referral again"
                )
                continue
            if path.suffix.lower() in ALLOWED:
                paper_suffix(data, path.name, limits)
        except FileUnreadable as err:
            problems.append(f"{where}: {_without_name(str(err), path.name)}")
            continue
        total += len(data)
    return problems, total


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def refuse_stored_papers(
    cases: list[tuple[str, dict[str, Path | None]]], limits: PaperLimits, root: Path, meeting: str
) -> None:
    """Before a pack is built: every stored paper still passes, and together within the limit.

    Raises PaperRefused naming each case and field, so no paper is first found broken by
    LibreOffice or the PDF merge halfway through the pack.
    """
    problems: list[str] = []
    total = 0
    for case_id, papers in cases:
        found, size = stored_problems(case_id, papers, limits, root)
        problems += found
        total += size
    if total > limits.pack_bytes:
        problems.append(pack_message(total, limits, f"the {meeting} meeting's"))
    if problems:
        raise PaperRefused(problems)
