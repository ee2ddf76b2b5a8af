"""The visible text of a Word document, read from its XML: headers, body, footers."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from docx import Document
from docx.opc.exceptions import PackageNotFoundError

from workflow.core.errors import FileUnreadable

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def document_text(path: Path) -> str:
    """All visible text of a .docx, one paragraph per line, in reading order.

    Headers first, then the body (table cells and content controls included, in document
    order), then footers. Line breaks inside a paragraph come back as newlines; field
    instructions (PAGE, NUMPAGES) are not text and are left out.
    """
    try:
        document = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as err:
        raise FileUnreadable(f"{path}: not a Word (.docx) document ({err})") from err
    body = document.element.body
    headers = list(_header_footer_parts(document, body, "headerReference"))
    footers = list(_header_footer_parts(document, body, "footerReference"))
    lines: list[str] = []
    for root in [*headers, body, *footers]:
        lines += (_paragraph_text(p) for p in _paragraphs(root))
    return "\n".join(lines)


def _header_footer_parts(document: Any, body: Any, reference: str) -> Iterator[Any]:
    seen: set[str] = set()
    for sect_pr in body.iter(f"{_W}sectPr"):
        for ref in sect_pr.iterchildren(f"{_W}{reference}"):
            rid = ref.get(_R_ID)
            if rid and rid not in seen:
                seen.add(rid)
                yield document.part.related_parts[rid].element


def _paragraphs(root: Any) -> Iterator[Any]:
    for paragraph in root.iter(f"{_W}p"):
        # Text boxes are stored twice (modern and fallback); the fallback copy is skipped.
        if next(paragraph.iterancestors(_MC_FALLBACK), None) is None:
            yield paragraph


def _paragraph_text(paragraph: Any) -> str:
    parts: list[str] = []
    _collect(paragraph, parts)
    return "".join(parts)


def _collect(element: Any, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag == f"{_W}t":
            parts.append(child.text or "")
        elif tag in (f"{_W}tab", f"{_W}ptab"):
            parts.append("\t")
        elif tag == f"{_W}br":
            parts.append("" if child.get(f"{_W}type") in ("page", "column") else "\n")
        elif tag == f"{_W}cr":
            parts.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            parts.append("-")
        elif tag in (f"{_W}pPr", f"{_W}rPr"):
            continue  # formatting: a w:tab in here is a tab stop, not a tab
        elif tag in (f"{_W}p", _MC_FALLBACK):
            continue  # a text box's paragraphs are lines of their own
        elif isinstance(tag, str):
            _collect(child, parts)
