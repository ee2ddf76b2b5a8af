"""Ranges that grow with appended rows: autofilters, validations, formats, tables, names."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from workflow.xlsx.package import MAIN_NS, TABLE_TYPE, local_name, rels_name, resolve, serialise

if TYPE_CHECKING:
    from workflow.xlsx.workbook import SheetInfo, Workbook

_RANGE = re.compile(r"^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$")


def grow_ranges(tail: bytes, old_last: int, new_last: int) -> bytes:
    """Autofilter, conditional formats and validations that end on the old last row grow
    (``tail``: the part from ``</sheetData>`` on, where they are)."""

    def grow(match: re.Match[bytes]) -> bytes:
        return (
            match.group(1)
            + grow_ref(match.group(2).decode(), old_last, new_last).encode()
            + match.group(3)
        )

    tail = re.sub(rb'(<(?:[\w.-]+:)?autoFilter\s+ref=")([^"]*)(")', grow, tail)
    return re.sub(rb'(\ssqref=")([^"]*)(")', grow, tail)


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


def grow_filter_name(workbook: Workbook, info: SheetInfo, old_last: int, new_last: int) -> None:
    position = list(workbook.sheets).index(info.name)
    for name in workbook.workbook_xml.iter(f"{{{MAIN_NS}}}definedName"):
        if name.get("name") == "_xlnm._FilterDatabase" and name.get("localSheetId") == str(
            position
        ):
            text = name.text or ""
            sheet_part, _, ref = text.rpartition("!")
            grown = grow_ref(ref.replace("$", ""), old_last, new_last)
            if grown != ref.replace("$", ""):
                match = _RANGE.match(grown)
                if match and match.group(3):
                    name.text = (
                        f"{sheet_part}!${match.group(1)}${match.group(2)}:"
                        f"${match.group(3)}${match.group(4)}"
                    )
                    workbook._workbook_changed = True
