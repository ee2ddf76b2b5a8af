"""Cell styles: which show a date, and new date styles made like an existing one."""

from __future__ import annotations

import copy
import re
from typing import Any

from lxml import etree

from workflow.xlsx.package import MAIN_NS, Package, serialise

_BUILTIN_DATE_FORMATS = frozenset(range(14, 23)) | frozenset(range(45, 48))
_DATE_CODE = re.compile(r"[dmyhs]", re.I)
_DURATION_CODE = re.compile(r"\[(?:h+|m+|s+)\]", re.I)


class Styles:
    """What a cell style is (a date format or not); new date styles when none fits."""

    def __init__(self, package: Package, name: str | None):
        self.package = package
        self.name = name
        self.root = package.xml(name) if name and package.has(name) else None
        self.date_styles: set[int] = set()
        self.changed = False
        self._made: dict[tuple[str, int], int] = {}
        if self.root is None:
            return
        xfs = self._cell_xfs()
        codes = self._codes()
        for index, xf in enumerate(xfs if xfs is not None else []):
            number = int(xf.get("numFmtId") or 0)
            if number in _BUILTIN_DATE_FORMATS or (
                number in codes and _is_date_code(codes[number])
            ):
                self.date_styles.add(index)

    def _codes(self) -> dict[int, str]:
        """numFmtId -> format code, of the formats styles.xml defines (as it now is)."""
        if self.root is None:
            return {}
        return {
            int(fmt.get("numFmtId")): fmt.get("formatCode") or ""
            for fmt in self.root.iter(f"{{{MAIN_NS}}}numFmt")
        }

    def _cell_xfs(self) -> Any:
        return None if self.root is None else self.root.find(f"{{{MAIN_NS}}}cellXfs")

    def is_date(self, style: int | None) -> bool:
        return style is not None and style in self.date_styles

    def duration_styles(self) -> set[int]:
        """The date styles that show an elapsed time ([h]:mm:ss) rather than a moment."""
        xfs = self._cell_xfs()
        codes = self._codes()
        found = set()
        for index in self.date_styles:
            if xfs is None or index >= len(xfs):
                continue
            number = int(xfs[index].get("numFmtId") or 0)
            if number == 46 or _DURATION_CODE.search(codes.get(number, "")):
                found.add(index)
        return found

    def date_style(self, code: str, like: int | None = None) -> int | None:
        """Style ``like`` (fill, font, borders...) showing ``code`` (dd/mm/yyyy...) instead.

        An equal style already in styles.xml is reused; otherwise one is added (and the number
        format too), as Excel does when a date is typed into a formatted cell.
        """
        key = (code, like or 0)
        if key in self._made:
            return self._made[key]
        xfs = self._cell_xfs()
        if xfs is None or not len(xfs):
            return None
        number = self._number_format(code)
        base = xfs[like] if like is not None and 0 <= like < len(xfs) else xfs[0]
        wanted = _xf_key(base, number)
        index = next(
            (i for i, xf in enumerate(xfs) if _xf_key(xf, int(xf.get("numFmtId") or 0)) == wanted),
            None,
        )
        if index is None:
            clone = copy.deepcopy(base)
            clone.set("numFmtId", str(number))
            clone.set("applyNumberFormat", "1")
            xfs.append(clone)
            xfs.set("count", str(len(xfs)))
            index = len(xfs) - 1
            self.changed = True
        self.date_styles.add(index)
        self._made[key] = index
        return index

    def _number_format(self, code: str) -> int:
        root = self.root
        formats = root.find(f"{{{MAIN_NS}}}numFmts")
        if formats is not None:
            for fmt in formats:
                if fmt.get("formatCode") == code:
                    return int(fmt.get("numFmtId"))
        if formats is None:
            formats = etree.Element(f"{{{MAIN_NS}}}numFmts")
            root.insert(0, formats)
        used = [int(fmt.get("numFmtId")) for fmt in formats]
        number = max([163, *used]) + 1
        etree.SubElement(formats, f"{{{MAIN_NS}}}numFmt", numFmtId=str(number), formatCode=code)
        formats.set("count", str(len(formats)))
        self.changed = True
        return number

    def snapshot(self) -> tuple[Any, ...]:
        """What ``restore`` needs to undo the date styles an abandoned edit added."""
        root = copy.deepcopy(self.root) if self.root is not None else None
        return root, set(self.date_styles), self.changed, dict(self._made)

    def restore(self, state: tuple[Any, ...]) -> None:
        root, date_styles, changed, made = state
        self.root, self.changed = root, changed
        self.date_styles, self._made = set(date_styles), dict(made)

    def save(self) -> None:
        """Written after the sheets, which may still gain a date format as they stream by."""
        if self.name:
            self.package.late[self.name] = lambda: serialise(self.root) if self.changed else None


def _xf_key(xf: Any, number: int) -> bytes:
    """A cell format as bytes, with its number format ``number``: equal keys look the same."""
    clone = copy.deepcopy(xf)
    clone.tail = None
    clone.set("numFmtId", str(number))
    clone.attrib.pop("applyNumberFormat", None)
    return etree.tostring(clone, method="c14n")


def _is_date_code(code: str) -> bool:
    # Strip quoted literals, escapes and [colour]/[$-locale] blocks, then look for d m y h s.
    plain = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)
    return bool(_DATE_CODE.search(plain)) and "General" not in plain
