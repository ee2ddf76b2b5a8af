"""Opening Word (.docx) files from outside safely: size caps, zip-bomb and DTD/entity defences.

Shared by the Word referral form reader and the attachment checks, so that a paper attached
to a referral is held to the same rules as the form itself. Everything is decided from the
zip's declared sizes before anything is decompressed, and XML is parsed without DTDs,
entities or network access.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from workflow.core.errors import FileUnreadable

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF-"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STRICT_W = "http://purl.oclc.org/ooxml/wordprocessingml/main"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class ZipLimits:
    """How large a .docx and its parts may be before it is refused unread."""

    max_file_bytes: int = 25 * 1024 * 1024
    max_members: int = 1000
    max_member_bytes: int = 50 * 1024 * 1024
    max_total_bytes: int = 100 * 1024 * 1024
    max_xml_bytes: int = 20 * 1024 * 1024
    max_ratio: int = 100  # Word's XML deflates about 10:1; zip bombs reach 1000:1
    ratio_floor: int = 1024 * 1024  # tiny members may compress absurdly well and harm nobody


# A filled referral is well under 1 MB; these limits leave room for pasted pictures while
# refusing zip bombs before anything is decompressed.
FORM_LIMITS = ZipLimits()


def read_bounded(path: Path, limit: int, kind: str) -> bytes:
    """The bytes of ``path``, refusing a missing file or one over ``limit`` by name."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise FileUnreadable(
                f"{path.name}: is {size:,} bytes; a {kind} may be at most {limit:,} bytes"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise FileUnreadable(f"{path}: no such file") from None
    except OSError as err:
        raise FileUnreadable(f"{path}: cannot be read ({err.strerror})") from err


def open_zip(raw: bytes, name: str, limits: ZipLimits = FORM_LIMITS) -> zipfile.ZipFile:
    """The archive in ``raw``, its declared sizes checked; FileUnreadable when damaged."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
        raise FileUnreadable(
            f"{name}: is damaged or incomplete (not a readable .docx); ask for it to be sent again"
        ) from None
    try:
        check_sizes(archive, name, limits)
    except BaseException:
        archive.close()
        raise
    return archive


def check_sizes(archive: zipfile.ZipFile, name: str, limits: ZipLimits = FORM_LIMITS) -> None:
    """Refuse zip bombs from the declared sizes, before anything is decompressed."""
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise FileUnreadable(
            f"{name}: holds {len(members):,} parts; a Word document has a few dozen, "
            "so it is refused"
        )
    total = 0
    for info in members:
        total += info.file_size
        if info.file_size > limits.max_member_bytes or total > limits.max_total_bytes:
            raise FileUnreadable(
                f"{name}: would unpack to more than {limits.max_total_bytes // 2**20} MB "
                f"({info.filename} alone declares {info.file_size:,} bytes); refused"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor and ratio > limits.max_ratio:
            raise FileUnreadable(
                f"{name}: {info.filename} is compressed {ratio:,.0f} to 1, far beyond any Word "
                "document; refused as a possible zip bomb"
            )
        if info.flag_bits & 0x1:
            raise FileUnreadable(f"{name}: is encrypted; save it again without a password")


def part_name(target: str) -> str:
    """A relationship target as a zip member name (``/word/document.xml`` -> ``word/...``)."""
    return str(PurePosixPath("/", target)).lstrip("/")


def read_member(
    archive: zipfile.ZipFile, member: str, name: str, limits: ZipLimits = FORM_LIMITS
) -> bytes | None:
    """A member's bytes, at most ``max_xml_bytes``; None if it is absent."""
    try:
        info = archive.getinfo(member)
    except KeyError:
        return None
    if info.file_size > limits.max_xml_bytes:
        raise FileUnreadable(
            f"{name}: {member} declares {info.file_size:,} bytes; a document's text is far smaller"
        )
    try:
        with archive.open(info) as stream:
            data = stream.read(limits.max_xml_bytes + 1)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        ValueError,
        OSError,
    ) as err:
        raise FileUnreadable(
            f"{name}: is damaged ({member}: {err}); ask for it to be sent again"
        ) from None
    if len(data) > limits.max_xml_bytes:
        raise FileUnreadable(f"{name}: {member} is larger than it declares; refused")
    return data


def parse_xml(data: bytes, member: str, name: str) -> Any:
    """XML parsed without DTDs, entities or network access; DOCTYPEs are refused outright."""
    from lxml import etree

    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise FileUnreadable(
            f"{name}: {member} contains a DOCTYPE or entity declaration, which Word never "
            "writes; refused"
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError) as err:
        raise FileUnreadable(f"{name}: {member} is not well-formed XML ({err}); refused") from None
    if root.getroottree().docinfo.doctype:
        # Caught here too for encodings the byte check above cannot see (UTF-16).
        raise FileUnreadable(
            f"{name}: {member} contains a DOCTYPE declaration, which Word never writes; refused"
        )
    return root


def xml_part(
    archive: zipfile.ZipFile, member: str, name: str, limits: ZipLimits = FORM_LIMITS
) -> Any:
    """A part parsed without DTDs, entities or network access; None if it is absent."""
    data = read_member(archive, member, name, limits)
    return None if data is None else parse_xml(data, member, name)


def package_targets(
    archive: zipfile.ZipFile, name: str, limits: ZipLimits = FORM_LIMITS
) -> dict[str, str]:
    """The package relationships (``officeDocument``, ``custom-properties``...) by type."""
    rels = xml_part(archive, "_rels/.rels", name, limits)
    if rels is None:
        raise FileUnreadable(f"{name}: is not a Word document (no _rels/.rels)")
    return {
        str(rel.get("Type", "")).rsplit("/", 1)[-1]: str(rel.get("Target", ""))
        for rel in rels.iter(f"{{{REL_NS}}}Relationship")
    }


def main_document(
    archive: zipfile.ZipFile, name: str, targets: dict[str, str], limits: ZipLimits = FORM_LIMITS
) -> Any:
    """The parsed ``w:document`` part, or FileUnreadable saying what the file is instead."""
    main = targets.get("officeDocument")
    document = xml_part(archive, part_name(main), name, limits) if main else None
    if document is None:
        raise FileUnreadable(f"{name}: is not a Word document (no main document part)")
    if document.tag != f"{{{W}}}document":
        strict = str(document.tag).startswith(f"{{{STRICT_W}}}")
        raise FileUnreadable(
            f"{name}: was saved as Strict Open XML; save it as a Word Document (.docx)"
            if strict
            else f"{name}: is not a Word document"
        )
    return document


def check_every_xml_part(
    archive: zipfile.ZipFile, name: str, limits: ZipLimits = FORM_LIMITS
) -> None:
    """Parse every XML part safely: a DTD anywhere would stop LibreOffice or python-docx later."""
    for info in archive.infolist():
        if info.filename.lower().endswith((".xml", ".rels")):
            xml_part(archive, info.filename, name, limits)
