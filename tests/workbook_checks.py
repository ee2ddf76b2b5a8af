"""Helpers for the register-editing tests: zip parts, decorations, a LibreOffice round trip."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

REGISTERS = Path(__file__).parent / "data" / "registers"
DECORATED = REGISTERS / "decorated.xlsx"

# Parts of decorated.xlsx (Calc numbers sheets in tab order).
SHEET_PARTS = {
    "Meetings": "xl/worksheets/sheet1.xml",
    "Cases": "xl/worksheets/sheet2.xml",
    "Actions": "xl/worksheets/sheet3.xml",
    "Resources": "xl/worksheets/sheet4.xml",
    "Progress": "xl/worksheets/sheet5.xml",
    "Signatures": "xl/worksheets/sheet6.xml",
    "Audit": "xl/worksheets/sheet7.xml",
    "Summary": "xl/worksheets/sheet8.xml",
    "Contacts": "xl/worksheets/sheet9.xml",
}
WORKBOOK_PART = "xl/workbook.xml"
RESOURCES_TABLE = "xl/tables/table1.xml"

# A LibreOffice profile told to recalculate every formula of an .xlsx it opens. LibreOffice
# ignores calcPr fullCalcOnLoad (Excel honours it): by default (Tools > Options > Calc >
# Formula > "Recalculation on file load") it shows the cached results until recalculated.
RECALCULATE_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def parts(source: Path | bytes) -> dict[str, bytes]:
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    """A package of these parts, in this order (deflated)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def changed_parts(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    """Parts added, removed, or with other bytes."""
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def decorations(path: Path) -> dict[str, Any]:
    """Everything an administrator added to decorated.xlsx, as openpyxl reads it.

    Ranges that grow with the data (filters, tables) are left out: tests check them apart.
    """
    workbook = load_workbook(path)
    actions, cases = workbook["Actions"], workbook["Cases"]
    summary, contacts = workbook["Summary"], workbook["Contacts"]
    return {
        "sheets": workbook.sheetnames,
        "action row 2": [(c.fill.fgColor.rgb, bool(c.font.b)) for c in actions[2]],
        "owner column": [actions.cell(r, 6).fill.fgColor.rgb for r in range(2, 8)],
        "comment": (cases["A2"].comment.text if cases["A2"].comment else None),
        "widths": (actions.column_dimensions["D"].width, cases.column_dimensions["P"].width),
        "hidden": cases.column_dimensions["B"].hidden,
        "text with =": (cases["T3"].value, cases["T3"].data_type),
        "formula column": [cases.cell(r, 21).value for r in range(1, 5)],
        "summary": [[c.value for c in row] for row in summary.iter_rows()],
        "charts": len(summary._charts),
        "conditional formats": [
            (str(cf.sqref), [rule.formula for rule in cf.rules])
            for cf in cases.conditional_formatting
        ],
        "drop-downs": sorted(
            (str(v.sqref), v.formula1) for v in cases.data_validations.dataValidation
        ),
        "contacts": [[c.value for c in row] for row in contacts.iter_rows()],
        "contacts table": {name: ref for name, ref in contacts.tables.items()},
        "defined names": {name: value.attr_text for name, value in workbook.defined_names.items()},
        "tables": sorted(name for sheet in workbook for name in sheet.tables),
    }


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    assert found, "LibreOffice is needed (libreoffice-calc-nogui; .ci/run installs it)"
    return found


def through_libreoffice(path: Path, folder: Path, *, recalculate: bool = False) -> Path:
    """``path`` opened and saved again by LibreOffice Calc: the copy it wrote."""
    profile = folder / "profile"
    if recalculate:
        (profile / "user").mkdir(parents=True, exist_ok=True)
        (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE_ALWAYS)
    out = folder / "out"
    result = subprocess.run(
        [
            soffice(),
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    converted = out / path.name
    assert result.returncode == 0, result.stdout + result.stderr
    assert converted.exists(), result.stdout + result.stderr
    return converted


def calculated(path: Path, sheet: str) -> list[list[Any]]:
    """The values (formulas as their cached results) of one sheet."""
    return [
        [cell.value for cell in row]
        for row in load_workbook(path, data_only=True)[sheet].iter_rows()
    ]
