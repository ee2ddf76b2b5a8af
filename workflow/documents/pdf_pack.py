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
    import pikepdf

    document = pdf if isinstance(pdf, pikepdf.Pdf) else pikepdf.open(pdf)
    numbers = {page.objgen: number for number, page in enumerate(document.pages)}
    pages: dict[str, int] = {}
    for name, destination in _destinations(document):
        if isinstance(destination, pikepdf.Dictionary):
            destination = destination.get("/D")
        if isinstance(destination, pikepdf.Array) and len(destination):
            number = numbers.get(destination[0].objgen)
            if number is not None:
                pages[name.lstrip("/")] = number
    return [
        None if part.missing else pages.get(bookmark_name(index))
        for index, part in enumerate(parts)
    ]


def _destinations(document: Any) -> list[tuple[str, Any]]:
    """Named destinations: LibreOffice writes the catalogue's /Dests dictionary; other
    writers use the /Names name tree."""
    import pikepdf

    root = document.Root
    found: list[tuple[str, Any]] = []
    if "/Dests" in root:
        found += [(str(name), value) for name, value in root.Dests.items()]
    if "/Names" in root and "/Dests" in root.Names:
        found += [(str(name), value) for name, value in pikepdf.NameTree(root.Names.Dests).items()]
    return found


def _room(target: Any) -> Any:
    """The body of a reserved page: inside its header, footer and side margins."""
    import pikepdf

    box = target.mediabox
    left, bottom, right, top = (float(value) for value in box)
    return pikepdf.Rectangle(
        left + SIDE_ROOM, bottom + HEADER_ROOM, right - SIDE_ROOM, top - HEADER_ROOM
    )


def finish_pdf_pack(converted: Path, parts: Sequence[Part], out: Path) -> Path:
    """Lay each PDF paper onto the pages reserved for it and bookmark every section.

    pikepdf (qpdf) copies every object it does not touch as it is, so the structure tree
    (tags), language, title and metadata stay as LibreOffice wrote them; a paper's pages
    are placed as form XObjects, shrunk to fit between the header and footer and turned
    upright if the paper's page was rotated.
    """
    import pikepdf

    with pikepdf.open(converted) as pack:
        starts = section_pages(pack, parts)
        for part, start in zip(parts, starts, strict=True):
            source = part.paper
            if source is None or not part.blank_pages:
                continue
            if start is None:
                raise ConversionFailed(f"the PDF pack lost the section {part.title!r}")
            try:
                paper = pikepdf.open(source)
            except (pikepdf.PdfError, ValueError) as err:
                raise ConversionFailed(f"{source.name}: cannot be read as a PDF ({err})") from err
            with paper:
                paper_pages = list(paper.pages)[: min(part.blank_pages, MAX_PAPER_PAGES)]
                for offset, paper_page in enumerate(paper_pages, start=1):
                    target = pack.pages[start + offset]
                    target.add_overlay(paper_page, _room(target), expand=False)
        _bookmark_sections(pack, parts, starts)
        pack.Root.PageMode = pikepdf.Name.UseOutlines
        out.parent.mkdir(parents=True, exist_ok=True)
        pack.save(out)
    return out


def _bookmark_sections(pack: Any, parts: Sequence[Part], starts: Sequence[int | None]) -> None:
    """One bookmark a section, in place of LibreOffice's (every heading of every paper)."""
    import pikepdf

    with pack.open_outline() as outline:
        outline.root.clear()
        outline.root.append(pikepdf.OutlineItem("Cover and contents", 0))
        parent = None
        for part, start in zip(parts, starts, strict=True):
            if start is None:
                continue
            item = pikepdf.OutlineItem(part.title, start)
            if part.level <= 1 or parent is None:
                outline.root.append(item)
                parent = item
            else:
                parent.children.append(item)


def copy_for(pack: Path, recipient: str, out: Path) -> Path:
    """The pack with "Copy for NAME" on every page: a leaked copy shows whose it was."""
    import pikepdf

    text = f"Copy for {recipient}: do not forward or copy"
    with pikepdf.open(pack) as document:
        for page in document.pages:
            left = float(page.mediabox[0]) + SIDE_ROOM
            bottom = float(page.mediabox[1]) + 6
            note = document.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.FreeText,
                    Rect=[left, bottom, left + 320, bottom + 14],
                    Contents=pikepdf.String(text),
                    DA=pikepdf.String("/Helv 8 Tf 0.498 0 0 rg"),
                    F=4,  # printed, as well as shown on screen
                    BS=pikepdf.Dictionary(W=0),  # no box drawn round it
                )
            )
            if "/Annots" not in page.obj:
                page.obj.Annots = pikepdf.Array()
            page.obj.Annots.append(note)
        out.parent.mkdir(parents=True, exist_ok=True)
        document.save(out)
    return out
