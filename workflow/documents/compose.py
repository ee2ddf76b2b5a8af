"""Assembling one Word document from many: section headings, contents, merged parts."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from workflow.core.files import PRIVATE_FILE, write_atomic
from workflow.documents.oxml import (
    bookmark,
    cached_field,
    rows_kept_whole,
    update_fields_on_open,
)
from workflow.documents.render import check_docx


@dataclass(frozen=True)
class Part:
    """One section of an assembled document.

    `source` is a .docx merged in, or None for a section that is only its heading and
    `note`; `blank_pages` reserves pages that the PDF `paper` is later laid onto.
    """

    title: str
    source: Path | None = None
    note: str | None = None
    blank_pages: int = 0
    level: int = 1
    paper: Path | None = None
    # The source opens with its own title (a Title paragraph): it becomes the section's
    # title, so the section starts with one title, not a heading over another title.
    retitle: bool = False
    # A paper that was not supplied: a contents line saying so, and no section.
    missing: bool = False


MISSING = "not supplied"


def bookmark_name(index: int) -> str:
    # Letters and digits only: LibreOffice mangles "_" in the PDF destinations it makes.
    return f"ccpSection{index}"


def add_contents(document: DocumentObject, parts: Sequence[Part], pages: Sequence[str]) -> None:
    """A contents list whose page numbers are PAGEREF fields to each part's bookmark.

    LibreOffice computes the fields when it lays out the PDF, so the PDF's contents are
    right by construction; `pages` are the numbers Word shows until fields are updated.
    """
    section = document.sections[-1]
    right = section.page_width - section.left_margin - section.right_margin
    for index, (part, page) in enumerate(zip(parts, pages, strict=True)):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.tab_stops.add_tab_stop(
            right, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )
        paragraph.paragraph_format.space_after = Pt(3)
        if part.level > 1:
            paragraph.paragraph_format.left_indent = Cm(0.8 * (part.level - 1))
        paragraph.add_run(part.title).bold = part.level == 1
        paragraph.add_run("\t")
        if part.missing:
            paragraph.add_run(MISSING).italic = True
        else:
            cached_field(paragraph, f"PAGEREF {bookmark_name(index)} \\h", page)


_STYLE = qn("w:style")
_STYLE_ID = qn("w:styleId")


class _StyleIds:
    """What docxcompose reads of each master style while merging: its id and UI name."""

    __slots__ = ("_element", "style_id")

    def __init__(self, element: Any):
        self._element = element
        self.style_id = element.get(_STYLE_ID)

    @property
    def name(self) -> str | None:
        from docx.styles import BabelFish

        name = self._element.name_val
        return None if name is None else BabelFish.internal2ui(name)


class _QuickStyles:
    """The master's styles, listed without building a python-docx Style for each.

    docxcompose lists every master style once or more for every element it appends, and
    python-docx's Style objects made that over half of a pack's merge time. The list is
    kept until the styles part changes size (docxcompose only ever appends styles).
    """

    def __init__(self, styles: Any, cache: dict[str, Any]):
        self._styles = styles
        self._cache = cache

    def __iter__(self) -> Any:
        element = self._styles.element
        size = len(element)
        if self._cache.get("size") != size:
            self._cache["size"] = size
            self._cache["ids"] = [_StyleIds(style) for style in element.iterchildren(_STYLE)]
        return iter(self._cache["ids"])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._styles, name)

    def __getitem__(self, key: Any) -> Any:
        return self._styles[key]


class _QuickStylesDocument:
    """The master document as docxcompose sees it: the same, but for quick style lists."""

    def __init__(self, document: DocumentObject):
        self._document = document
        self._cache: dict[str, Any] = {}

    @property
    def styles(self) -> _QuickStyles:
        return _QuickStyles(self._document.styles, self._cache)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._document, name)


def _opens_with_title(document: DocumentObject) -> bool:
    first = next(iter(document.element.body.iterchildren()), None)
    if first is None or first.tag != qn("w:p"):
        return False
    style = Paragraph(first, document._body).style
    return style is not None and style.name == "Title"


def _set_text(paragraph: Paragraph, text: str) -> None:
    """One run of `text`, formatted as the paragraph's first run was."""
    runs = paragraph.runs
    for run in runs[1:]:
        run._r.getparent().remove(run._r)
    if runs:
        runs[0].text = text
    else:
        paragraph.add_run(text)


def compose(master: Path, parts: Sequence[Part], out: Path, *, mode: int = PRIVATE_FILE) -> Path:
    """master (a cover with its contents), then each part under its bookmarked heading.

    docxcompose keeps only the master's header and footer, so every page of the result
    carries the master's protective marking, panel name and page numbers.
    """
    from docxcompose.composer import Composer

    document = Document(str(master))
    update_fields_on_open(document)
    composer = Composer(_QuickStylesDocument(document))
    for index, part in enumerate(parts):
        if part.missing:
            continue
        # Each part's styles are listed once, to map its style ids onto the master's:
        # the same quick list (python-docx's Style objects were a fifth of the merge).
        source = (
            _QuickStylesDocument(Document(str(part.source))) if part.source is not None else None
        )
        if part.retitle and source is not None and _opens_with_title(source):
            start = composer.append_index()
            composer.append(source)
            title = Paragraph(document.element.body[start], document._body)
            _set_text(title, part.title)
            title.paragraph_format.page_break_before = True
            bookmark(title, bookmark_name(index), 9000 + index)
            continue
        heading = document.add_heading(part.title, level=min(part.level, 2))
        heading.paragraph_format.page_break_before = True
        heading.paragraph_format.keep_with_next = True
        bookmark(heading, bookmark_name(index), 9000 + index)
        if part.note:
            document.add_paragraph(part.note)
        for _ in range(part.blank_pages):
            # An empty paragraph that starts its own page: a run's page break followed by
            # a heading that also breaks is collapsed into one break by LibreOffice.
            document.add_paragraph().paragraph_format.page_break_before = True
        if source is not None:
            composer.append(source)
    # The papers merged in (a chronology, a review report) come from other people's Word.
    rows_kept_whole(document)
    buffer = io.BytesIO()
    composer.save(buffer)
    data = buffer.getvalue()
    check_docx(data, out.name)
    return write_atomic(out, lambda handle: handle.write(data), mode=mode)
