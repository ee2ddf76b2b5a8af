"""A template's text as docxtpl sees it: each paragraph of each part, with its runs."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from workflow.core.errors import TemplateError

CONTEXT_CHARS = 80

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class Paragraph:
    part: str  # body, header or footer
    where: str  # "paragraph 4", "table 2, row 3, cell 1"
    text: str
    runs: list[tuple[int, int, Any]]  # (start, end, run element) of each piece of text
    element: Any

    def near(self, start: int, end: int) -> str:
        """About 80 characters of the paragraph around text[start:end]."""
        spare = max(CONTEXT_CHARS - (end - start), 0) // 2
        left, right = max(start - spare, 0), min(end + spare, len(self.text))
        shown = self.text[left:right].replace("\n", " ")
        return ("…" if left else "") + shown + ("…" if right < len(self.text) else "")


@dataclass
class Part:
    kind: str  # body, header, footer
    file: str
    root: Any
    paragraphs: list[Paragraph]


def read_parts(path: Path) -> list[Part]:
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            document = "word/document.xml"
            if document not in names:
                raise TemplateError(f"{path.name}: not a Word (.docx) file (no word/document.xml)")
            parts = [("body", document)]
            rels = "word/_rels/document.xml.rels"
            if rels in names:
                for rel in _xml(package.read(rels)).iter(f"{_REL}Relationship"):
                    kind = rel.get("Type", "").rsplit("/", 1)[-1]
                    if kind in ("header", "footer"):
                        parts.append((kind, "word/" + rel.get("Target", "").lstrip("/")))
            return [
                _read_part(kind, name, _xml(package.read(name)))
                for kind, name in parts
                if name in names
            ]
    except (zipfile.BadZipFile, OSError) as err:
        raise TemplateError(f"{path.name}: not a Word (.docx) file ({err})") from err
    except etree.XMLSyntaxError as err:
        raise TemplateError(f"{path.name}: damaged Word XML ({err})") from err


def _xml(data: bytes) -> Any:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def _read_part(kind: str, name: str, root: Any) -> Part:
    paragraphs = []
    number = 0
    tables: dict[Any, int] = {}
    for element in root.iter(f"{W_NS}p"):
        if next(element.iterancestors(_MC_FALLBACK), None) is not None:
            continue
        cell = next(element.iterancestors(f"{W_NS}tc"), None)
        if cell is None:
            number += 1
            where = f"paragraph {number}"
        else:
            row = cell.getparent()
            table = row.getparent()
            outer = list(element.iterancestors(f"{W_NS}tbl"))[-1]
            if outer not in tables:
                tables[outer] = len(tables) + 1
            rows = [r for r in table if r.tag == f"{W_NS}tr"]
            cells = [c for c in row if c.tag == f"{W_NS}tc"]
            where = (
                f"table {tables[outer]}, row {rows.index(row) + 1}, cell {cells.index(cell) + 1}"
            )
        text, runs = _paragraph_text(element)
        paragraphs.append(Paragraph(kind, where, text, runs, element))
    return Part(kind, name, root, paragraphs)


def _paragraph_text(paragraph: Any) -> tuple[str, list[tuple[int, int, Any]]]:
    pieces: list[tuple[int, int, Any]] = []
    text = ""
    for node in paragraph.iter(f"{W_NS}t"):
        run = node.getparent()
        # A nested paragraph (a text box) is read on its own.
        owner = next(node.iterancestors(f"{W_NS}p"), None)
        if owner is not paragraph:
            continue
        value = node.text or ""
        pieces.append((len(text), len(text) + len(value), run))
        text += value
    return text, pieces
