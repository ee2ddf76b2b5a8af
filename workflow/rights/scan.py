"""Find a text anywhere in a workspace: plain files, zip members (Word, Excel), PDFs, e-mails."""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path

_TAG = re.compile(rb"<[^>]+>")


@dataclass(frozen=True)
class Hit:
    """A file holding one of the texts looked for: where in it (a zip member, "" for the
    file itself) and which text."""

    path: Path
    where: str
    text: str


def texts_of(path: Path) -> Iterator[tuple[str, str]]:
    """Every text a person or a program could read out of ``path``: (member, text)."""
    data = Path(path).read_bytes()
    yield from _texts(data, "")


def _texts(data: bytes, where: str) -> Iterator[tuple[str, str]]:
    yield where, _decoded(data)
    if data[:4] == b"PK\x03\x04":
        yield from _zip_texts(data, where)
    elif data[:5] == b"%PDF-":
        yield from _pdf_texts(data, where)
    elif _looks_like_mail(data):
        yield from _mail_texts(data, where)


def _decoded(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace")
    if b"\x00" in data[:4096]:
        text += "\n" + data.decode("utf-16-le", errors="replace")
    if data[:1] == b"<" or b"<?xml" in data[:64]:
        # Word splits a sentence over runs, and XML escapes & ' ": the text between tags.
        text += "\n" + html.unescape(_TAG.sub(b"", data).decode("utf-8", errors="replace"))
    return text


def _zip_texts(data: bytes, where: str) -> Iterator[tuple[str, str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return
    with archive:
        for name in archive.namelist():
            try:
                member = archive.read(name)
            except (zipfile.BadZipFile, RuntimeError, OSError):
                continue
            yield from _texts(member, f"{where}/{name}" if where else name)


def _pdf_texts(data: bytes, where: str) -> Iterator[tuple[str, str]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    label = where or "PDF text"
    try:
        reader = PdfReader(io.BytesIO(data))
        parts = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
        parts += [str(value) for value in info.values()]
        metadata = reader.trailer["/Root"].get("/Metadata")
        if metadata is not None:
            parts.append(metadata.get_object().get_data().decode("utf-8", errors="replace"))
        for name, content in (reader.attachments or {}).items():
            for one in content:
                yield from _texts(one, f"{label}/{name}")
    except (PdfReadError, ValueError, KeyError, TypeError) as err:
        parts = [f"unreadable PDF: {err}"]
    yield label, "\n".join(parts)


def _looks_like_mail(data: bytes) -> bool:
    head = data[:2048].lower()
    return b"\nsubject:" in head or head.startswith((b"subject:", b"from:", b"to:", b"x-unsent"))


def _mail_texts(data: bytes, where: str) -> Iterator[tuple[str, str]]:
    message = BytesParser(policy=policy.default).parsebytes(data)
    for index, part in enumerate(message.walk()):
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if not payload:
            continue
        name = part.get_filename() or f"part {index}"
        yield from _texts(payload, f"{where}/{name}" if where else name)
    yield where or "headers", " ".join(f"{key}: {value}" for key, value in message.items())


def holds(path: Path, needles: Sequence[str]) -> list[Hit]:
    """Which of ``needles`` (ignoring capitals; a single word only whole) ``path`` holds,
    and where."""
    from workflow.xlsx.scrub import pattern_for

    patterns = [(needle, pattern_for([needle])) for needle in needles if needle and needle.strip()]
    found: list[Hit] = []
    seen: set[tuple[str, str]] = set()
    for where, text in texts_of(path):
        for needle, pattern in patterns:
            if (where, needle) not in seen and pattern.search(text):
                seen.add((where, needle))
                found.append(Hit(Path(path), where, needle))
    return found


def files_under(root: Path, *, skip: Iterable[Path] = ()) -> list[Path]:
    """Every file under ``root`` (links not followed), sorted, without those in ``skip``."""
    skipped = {Path(path).resolve() for path in skip}
    found = []
    for path in sorted(Path(root).rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        if path.resolve() in skipped or any(parent in skipped for parent in path.parents):
            continue
        found.append(path)
    return found


def files_holding(
    root: Path, needles: Sequence[str], *, skip: Iterable[Path] = ()
) -> dict[Path, list[Hit]]:
    """Every file under ``root`` holding one of ``needles``, with where each was found.

    A PDF beside a Word file of the same name is that file converted (packs, minutes,
    extracts): it holds what the Word file holds, and reading a PDF's text costs ~100 times
    more, so it follows the Word file's answer.
    """
    found: dict[Path, list[Hit]] = {}
    converted: list[Path] = []
    for path in files_under(root, skip=skip):
        if path.suffix.lower() == ".pdf" and path.with_suffix(".docx").is_file():
            converted.append(path)
            continue
        try:
            hits = holds(path, needles)
        except OSError:
            continue
        if hits:
            found[path] = hits
    for pdf in converted:
        hits = found.get(pdf.with_suffix(".docx"))
        if hits:
            found[pdf] = [Hit(pdf, "PDF text", hit.text) for hit in hits]
    return dict(sorted(found.items()))
