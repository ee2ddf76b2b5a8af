"""Formulas after an edit: no stale calculation chain, no stale cached values."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml import etree

from workflow.xlsx.package import CALC_CHAIN_TYPE, MAIN_NS, resolve, serialise
from workflow.xlsx.values import escape_text

if TYPE_CHECKING:
    from workflow.xlsx.workbook import Workbook

# A formula cell and its cached value: <c ...><f ...>...</f><v>...</v> (any prefix).
_FORMULA_VALUE = re.compile(
    rb"(<(?:[\w.-]+:)?c\b[^>]*>)"
    rb"(<((?:[\w.-]+:)?f)\b[^>]*?(?:/>|>[^<]*</\3>))"
    rb"<(?:[\w.-]+:)?v>[^<]*</(?:[\w.-]+:)?v>"
)
_SHARED_MASTER = re.compile(rb'<(?:[\w.-]+:)?f\b[^>]*\bsi="(\d+)"[^>]*>([^<]+)</')
_SHARED_INDEX = re.compile(rb'\bsi="(\d+)"')


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


def refresh_dependent_formulas(workbook: Workbook) -> None:
    """Formula cells that read a sheet this command changed lose their cached value.

    Excel recalculates on open (fullCalcOnLoad), but LibreOffice Calc shows a cached
    value until it is told to recalculate; a formula cell without one it calculates on
    its own. So `=COUNTA(Cases!A:A)-1` on the administrator's Summary sheet shows the
    new count in both. Only those cells change: the formulas, and every other cell of
    their sheet, stay as they were.
    """
    if not workbook._edited:
        return
    names = [re.escape(escape_text(name.encode("utf-8"))) for name in workbook._edited]
    mention = re.compile(rb"(?:" + rb"|".join(names) + rb")'?!")
    for sheet, info in workbook.sheets.items():
        # Only the administrator's own sheets (a Summary): ccp's data sheets are read back
        # by the next command, which needs their cached values, and can hold 40 MB of XML.
        if sheet in workbook.data_sheets:
            continue
        if not workbook.package.has(info.part):
            continue
        data = workbook.package.read(info.part)
        if b"<f" not in data and b":f" not in data:
            continue

        # Cells sharing a formula carry only its number (si): the first cell has the text.
        shared = {
            found.group(1)
            for found in _SHARED_MASTER.finditer(data)
            if mention.search(found.group(2))
        }

        def strip(match: re.Match[bytes], shared: set[bytes] = shared) -> bytes:
            # A formula naming no sheet reads its own sheet: ccp's sheets are read back
            # by the next command, which must see their cached values.
            formula = match.group(2)
            number = _SHARED_INDEX.search(formula) if b"shared" in formula else None
            if not mention.search(formula) and not (number and number.group(1) in shared):
                return match.group(0)
            opening = re.sub(rb'\st="(?:str|n|b|e)"', b"", match.group(1))
            return opening + formula

        changed = _FORMULA_VALUE.sub(strip, data)
        if changed != data:
            workbook.package.put(info.part, changed)
