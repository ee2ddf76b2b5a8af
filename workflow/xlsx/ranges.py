"""Ranges that grow with appended rows: autofilters, validations, formats, tables, names."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from workflow.xlsx.package import MAIN_NS, TABLE_TYPE, local_name, rels_name, resolve, serialise

if TYPE_CHECKING:
    from workflow.xlsx.workbook import SheetInfo, Workbook

_RANGE = re.compile(r"^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$")
_AUTOFILTER = re.compile(rb"""(<(?:[\w.-]+:)?autoFilter\s+ref\s*=\s*["'])([^"']*)(["'])""")
_SQREF_ATTRIBUTE = re.compile(rb"""(\ssqref\s*=\s*["'])([^"']*)(["'])""")
_SQREF_ELEMENT = re.compile(rb"(<(?:[\w.-]+:)?sqref>)([^<]*)(</(?:[\w.-]+:)?sqref>)")
# A sheet named in a formula: Sheet! or 'Sheet name'! (an apostrophe in it doubled).
_SHEET_REFERENCE = r"((?:'(?:[^']|'')+'|[^\s'!,()=+*/&^<>-]+)!)"
# One area of a defined name: Sheet!$A$1:$L$82 or 'Sheet name'!$A$1:$L$82.
_NAME_AREA = re.compile(_SHEET_REFERENCE + r"(\$?[A-Z]+\$?\d+:\$?[A-Z]+\$?\d+)")
_NAME_SHEET = re.compile(_SHEET_REFERENCE)


def _named_sheet(reference: str) -> str:
    """'Sheet name'! -> Sheet name."""
    quoted = reference[:-1]
    return quoted[1:-1].replace("''", "'") if quoted.startswith("'") else quoted


def grow_ranges(tail: bytes, old_last: int, new_last: int) -> bytes:
    """Autofilter, conditional formats and validations that end on the old last row grow
    (``tail``: the part from ``</sheetData>`` on, where they are)."""

    def grow(match: re.Match[bytes]) -> bytes:
        return (
            match.group(1)
            + grow_ref(match.group(2).decode(), old_last, new_last).encode()
            + match.group(3)
        )

    tail = _AUTOFILTER.sub(grow, tail)
    tail = _SQREF_ATTRIBUTE.sub(grow, tail)
    # Excel keeps drop-downs and formats that use x14 features in extLst, where the range is
    # an element: <xm:sqref>A2:A82</xm:sqref>.
    return _SQREF_ELEMENT.sub(grow, tail)


def grow_ref(ref: str, old_last: int, new_last: int) -> str:
    """A range list with every range that ends on ``old_last`` extended to ``new_last``."""
    out = []
    for part in ref.split():
        match = _RANGE.match(part)
        if (
            match
            and match.group(3)
            and int(match.group(4)) == old_last
            and int(match.group(2)) <= old_last
        ):
            out.append(f"{match.group(1)}{match.group(2)}:{match.group(3)}{new_last}")
        else:
            out.append(part)
    return " ".join(out)


def grow_tables(workbook: Workbook, info: SheetInfo, old_last: int, new_last: int) -> None:
    rels = rels_name(info.part)
    if not workbook.package.has(rels):
        return
    for rel in workbook.package.xml(rels):
        if rel.get("Type") != TABLE_TYPE:
            continue
        part = resolve(info.part, rel.get("Target"))
        root = workbook.package.xml(part)
        if int(root.get("totalsRowCount") or 0):
            continue  # rows go above a totals row, which Excel does itself
        ref = root.get("ref") or ""
        grown = grow_ref(ref, old_last, new_last)
        if grown == ref:
            continue
        root.set("ref", grown)
        for child in root:
            if local_name(child.tag) == "autoFilter" and child.get("ref"):
                child.set("ref", grow_ref(child.get("ref"), old_last, new_last))
        workbook.package.put(part, serialise(root))


def grow_defined_names(workbook: Workbook, sheet: str, old_last: int, new_last: int) -> None:
    """Defined names whose area on ``sheet`` ends on the old last row grow with it: the
    filter database, a print area, a name such as ActStatus that formulas count.

    The sheet is found by the name in each area, never by ``localSheetId``: that counts every
    tab in <sheets>, chart sheets too, and an index taken among worksheets only grew another
    sheet's filter when a chart tab came first.
    """
    changed = False
    for name in workbook.workbook_xml.iter(f"{{{MAIN_NS}}}definedName"):
        text = name.text or ""

        def grow(match: re.Match[str]) -> str:
            if _named_sheet(match.group(1)) != sheet:
                return match.group(0)
            area = match.group(2)
            plain = area.replace("$", "")
            grown = grow_ref(plain, old_last, new_last)
            if grown == plain:
                return match.group(0)
            # Only the last row number changes; the $ signs stay where the person put them.
            head, _, end = area.rpartition(str(old_last))
            return match.group(1) + head + str(new_last) + end

        grown_text = _NAME_AREA.sub(grow, text)
        if grown_text != text:
            name.text = grown_text
            changed = True
    if changed:
        workbook._workbook_changed = True


def rename_in_local_names(workbook: Workbook, tab: int, old: str, new: str) -> None:
    """The names that belong to tab number ``tab`` (its filter database, print titles) name
    it ``new`` instead of ``old``. Workbook-wide names and formulas keep saying ``old``: they
    mean whichever sheet bears that name."""
    quoted = "'" + new.replace("'", "''") + "'!"
    for name in workbook.workbook_xml.iter(f"{{{MAIN_NS}}}definedName"):
        if name.get("localSheetId") != str(tab) or not name.text:
            continue
        name.text = _NAME_SHEET.sub(
            lambda match: quoted if _named_sheet(match.group(1)) == old else match.group(0),
            name.text,
        )
    workbook._workbook_changed = True
