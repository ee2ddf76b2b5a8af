"""Formulas after an edit: no stale calculation chain, no stale cached values."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from lxml import etree

from workflow.xlsx.package import CALC_CHAIN_TYPE, MAIN_NS, resolve, serialise
from workflow.xlsx.stream import sheet_pieces
from workflow.xlsx.values import column_index

if TYPE_CHECKING:
    from workflow.xlsx.workbook import Workbook

# A formula cell and its cached value: <c ...><f ...>...</f><v>...</v> (any prefix).
_FORMULA_VALUE = re.compile(
    rb"(<(?:[\w.-]+:)?c\b[^>]*>)"
    rb"(<((?:[\w.-]+:)?f)\b[^>]*?(?:/>|>[^<]*</\3>))"
    rb"<(?:[\w.-]+:)?v>[^<]*</(?:[\w.-]+:)?v>"
)


_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet\b")
# What may follow an element's name: a formula is <f>, <f t="shared" .../> or <f/>.
_AFTER_NAME = frozenset(b" >/\t\r\n")
# A formula element with any prefix (for parts whose own prefix is not known).
ANY_PREFIX = (b"<f", b":f")


def formula_starts(head: bytes) -> tuple[bytes, ...]:
    """How a formula element starts in the part whose first bytes are ``head``: <f, or
    <x:f too where the worksheet's elements carry a prefix."""
    match = _ROOT.search(head)
    if match is None:
        return ANY_PREFIX
    return (b"<f", b"<" + match.group(1) + b":f") if match.group(1) else (b"<f",)


def _has_formula(data: bytes, starts: tuple[bytes, ...] = ANY_PREFIX) -> bool:
    # One plain search per start, each hit checked by the byte after it (<filterColumn is
    # not a formula): a ten-times-busier register's Audit is 77 MB of XML, searched once
    # by each command; four searches for every spelling of the tag took 0.2 s of it.
    for start in starts:
        after = len(start)
        at = data.find(start)
        while at >= 0:
            if at + after < len(data) and data[at + after] in _AFTER_NAME:
                return True
            at = data.find(start, at + 1)
    return False


_CELL_COLUMN = re.compile(rb"""\sr\s*=\s*["']\$?([A-Z]+)""")
# The type of the cached value, gone with it (a formula's own type is worked out again).
_VALUE_TYPE = re.compile(rb"""\st\s*=\s*["'](?:str|n|b|e)["']""")


def recalculate_on_open(workbook: Workbook) -> None:
    """Formulas stay formulas and show fresh values: no stale chain, recalc on open."""
    if getattr(workbook, "_recalc_done", False):
        return
    workbook._recalc_done = True
    for rel in list(workbook.rels_xml):
        if rel.get("Type") == CALC_CHAIN_TYPE:
            chain = resolve(workbook.workbook_part, rel.get("Target"))
            workbook.package.remove(chain)
            workbook.rels_xml.remove(rel)
            workbook.package.put(workbook.rels_part, serialise(workbook.rels_xml))
            types = workbook.package.xml("[Content_Types].xml")
            for override in list(types):
                if override.get("PartName") == "/" + chain:
                    types.remove(override)
            workbook.package.put("[Content_Types].xml", serialise(types))
    calc = workbook.workbook_xml.find(f"{{{MAIN_NS}}}calcPr")
    if calc is None:
        calc = etree.SubElement(workbook.workbook_xml, f"{{{MAIN_NS}}}calcPr")
        # calcPr belongs before these in the schema order.
        for later in (
            "oleSize",
            "customWorkbookViews",
            "pivotCaches",
            "smartTagPr",
            "smartTagTypes",
            "webPublishing",
            "fileRecoveryPr",
            "webPublishObjects",
            "extLst",
        ):
            found = workbook.workbook_xml.find(f"{{{MAIN_NS}}}{later}")
            if found is not None:
                found.addprevious(calc)
                break
    if calc.get("fullCalcOnLoad") != "1":
        calc.set("fullCalcOnLoad", "1")
        workbook._workbook_changed = True


def drop_cached_values(workbook: Workbook) -> None:
    """Once a command changed a sheet, every formula in the workbook loses its cached value,
    but those in the columns ``workbook.keep_cached(sheet)`` names (the register reads them).

    Excel recalculates on open (fullCalcOnLoad); LibreOffice Calc 7.4 ignores that and shows
    the cached value, but calculates a formula cell that has none. Which formulas depend on
    a changed cell cannot be told from their text (a defined name, a table reference, an
    INDIRECT, a volatile function, a formula in ccp's own sheets), so none keeps a value
    that may be stale. The formulas themselves, and every other cell, stay as they were.
    """
    if not workbook._edited:
        return
    package = workbook.package
    for sheet, info in workbook.sheets.items():
        part = info.part
        if not package.has(part):
            continue
        changed = package.changed.get(part)
        if isinstance(changed, bytes):
            if _has_formula(changed):
                package.put(part, _strip(changed, workbook.keep_cached(sheet)))
            continue
        if changed is None:
            if not _holds_formula(package.stream_stored(part)):
                continue

            def produce(part: str = part, sheet: str = sheet) -> Iterator[bytes]:
                for piece in sheet_pieces(package.stream_stored(part), f"sheet {sheet}"):
                    yield piece.data

            changed = produce
        # A sheet rewritten as it streams gives whole rows in each piece.
        package.put(part, _stripping(changed, workbook, sheet))


def _stripping(
    produce: Callable[[], Iterable[bytes]], workbook: Workbook, sheet: str
) -> Callable[[], Iterator[bytes]]:
    def stripped() -> Iterator[bytes]:
        kept: set[int] | None = None
        starts: tuple[bytes, ...] | None = None
        for piece in produce():
            if starts is None:  # the first piece holds the root element
                starts = formula_starts(piece[:4096])
            if _has_formula(piece, starts):
                if kept is None:
                    kept = workbook.keep_cached(sheet)
                piece = _strip(piece, kept)
            yield piece

    return stripped


def _holds_formula(chunks: Iterable[bytes]) -> bool:
    """Whether a part holds a formula, read piece by piece (a start may straddle two)."""
    tail = b""
    starts: tuple[bytes, ...] | None = None
    for chunk in chunks:
        if starts is None:
            starts = formula_starts(chunk[:4096])
        if _has_formula(tail + chunk[:16], starts) or _has_formula(chunk, starts):
            return True
        tail = chunk[-16:]
    return False


def _strip(data: bytes, kept: set[int]) -> bytes:
    def strip(match: re.Match[bytes]) -> bytes:
        if kept:
            ref = _CELL_COLUMN.search(match.group(1))
            if ref is not None and column_index(ref.group(1).decode()) in kept:
                return match.group(0)
        opening = _VALUE_TYPE.sub(b"", match.group(1))
        return opening + match.group(2)

    return _FORMULA_VALUE.sub(strip, data)
