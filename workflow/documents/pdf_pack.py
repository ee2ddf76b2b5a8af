"""Finishing the PDF pack: PDF papers laid onto their reserved pages, one bookmark a section."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workflow.core.errors import ConversionFailed
from workflow.documents.compose import Part, bookmark_name

# The reserved pages carry the pack's header and footer; a paper is shrunk into the body
# between them so both stay readable (points, on the reserved page).
HEADER_ROOM = 62.0
SIDE_ROOM = 36.0
MAX_PAPER_PAGES = 500


def section_pages(pdf: Path | Any, parts: Sequence[Part]) -> list[int | None]:
    """The 0-based page each part starts on in a converted pack, None if not found.

    The pack is converted with Word bookmarks as named destinations; each section's
    heading (or retitled title) carries the bookmark `bookmark_name(index)`.
    """
    from pypdf import PdfReader

    reader = pdf if not isinstance(pdf, Path) else PdfReader(str(pdf))
    pages: dict[str, int] = {}
    for name, destination in reader.named_destinations.items():
        page = reader.get_destination_page_number(destination)
        if page is not None and page >= 0:
            pages[str(name).lstrip("/")] = page
    return [
        None if part.missing else pages.get(bookmark_name(index))
        for index, part in enumerate(parts)
    ]


def _lay_onto(target: Any, paper: Any) -> None:
    from pypdf import Transformation

    if paper.rotation:
        paper.transfer_rotation_to_content()
    box = target.mediabox
    width, height = float(box.width), float(box.height)
    paper_width, paper_height = float(paper.mediabox.width), float(paper.mediabox.height)
    room_width = width - 2 * SIDE_ROOM
    room_height = height - 2 * HEADER_ROOM
    scale = min(room_width / paper_width, room_height / paper_height, 1.0)
    x = (width - paper_width * scale) / 2 - float(paper.mediabox.left) * scale
    y = (height - paper_height * scale) / 2 - float(paper.mediabox.bottom) * scale
    target.merge_transformed_page(paper, Transformation().scale(scale).translate(x, y))


def finish_pdf_pack(converted: Path, parts: Sequence[Part], out: Path) -> Path:
    """Lay each PDF paper onto the pages reserved for it and bookmark every section.

    The changes are an incremental update of the converted file: its structure tree
    (tags), language, title and metadata stay as LibreOffice wrote them, byte for byte,
    and only the pages a paper is laid on and the outline (one entry per section) are
    written again. Cloning the whole file instead cost ten times as long (the tags).
    """
    from pypdf import PdfWriter
    from pypdf.errors import PdfReadError
    from pypdf.generic import NameObject

    writer = PdfWriter(str(converted), incremental=True)
    info = dict(writer.metadata or {})
    starts = section_pages(writer, parts)
    for part, start in zip(parts, starts, strict=True):
        source = part.paper
        if source is None or not part.blank_pages:
            continue
        if start is None:
            raise ConversionFailed(f"the PDF pack lost the section {part.title!r}")
        try:
            # Cloned into a writer: pypdf rewrites a page's contents (rotation) only there.
            paper = PdfWriter(clone_from=str(source))
            paper_pages = list(paper.pages)[:MAX_PAPER_PAGES]
        except (PdfReadError, ValueError, KeyError) as err:
            raise ConversionFailed(f"{source.name}: cannot be read as a PDF ({err})") from err
        for offset, paper_page in enumerate(paper_pages[: part.blank_pages], start=1):
            _lay_onto(writer.pages[start + offset], paper_page)

    root = writer.root_object
    if NameObject("/Outlines") in root:
        # LibreOffice's outline lists every heading of every merged document.
        del root[NameObject("/Outlines")]
    writer.add_outline_item(title="Cover and contents", page_number=0)
    parent = None
    for part, start in zip(parts, starts, strict=True):
        if start is None:
            continue
        if part.level <= 1:
            parent = writer.add_outline_item(title=part.title, page_number=start)
        else:
            writer.add_outline_item(title=part.title, page_number=start, parent=parent)
    writer.page_mode = "/UseOutlines"
    if info:
        writer.add_metadata(info)  # the update's trailer names the document information
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as handle:
        writer.write(handle)
    return out


def copy_for(pack: Path, recipient: str, out: Path) -> Path:
    """The pack with "Copy for NAME" on every page: a leaked copy shows whose it was."""
    from pypdf import PdfWriter
    from pypdf.annotations import FreeText
    from pypdf.generic import NameObject, NumberObject

    writer = PdfWriter(clone_from=str(pack))
    text = f"Copy for {recipient}: do not forward or copy"
    for number, page in enumerate(writer.pages):
        left = float(page.mediabox.left) + SIDE_ROOM
        bottom = float(page.mediabox.bottom) + 6
        note = FreeText(
            text=text,
            rect=(left, bottom, left + 320, bottom + 14),
            font_size="8pt",
            font_color="7f0000",
            border_color=None,
            background_color=None,
        )
        note[NameObject("/F")] = NumberObject(4)  # printed, as well as shown on screen
        writer.add_annotation(page_number=number, annotation=note)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as handle:
        writer.write(handle)
    return out
