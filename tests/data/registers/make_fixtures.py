"""Build the register fixtures in this folder (run by hand; the results are committed).

    python tests/data/registers/make_fixtures.py

``decorated.xlsx`` is a register as an administrator leaves it between meetings, written by
a real spreadsheet program: made with ``Register.create()`` plus a meeting's worth of rows,
decorated with openpyxl (a filled bold action row, a filled column, a comment, column
widths, a hidden column, a Summary sheet of formulas with a chart, an Excel table on a
sheet of their own and one over the Resources rows, their own conditional format and
drop-down, a formula column, a defined name, a text that starts with ``=``), then opened
and saved by LibreOffice Calc
(shared strings, renumbered styles, cached formula values). ``decorated.xls`` is the same
workbook saved by Calc in the old binary format.

The ``reader-*.xlsx`` files each hold one way spreadsheet programs store cells that
python-calamine is known to get wrong or that reading must survive; the ``refused-*.xlsx``
files are workbooks ccp must refuse to edit. Both are made from a Calc-saved register by
changing its XML by hand, as small and as plain as the case allows. The tests say what each
one must read as.

Needs LibreOffice Calc (``libreoffice-calc-nogui``). All data is fictional.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from workflow.register import Register  # noqa: E402

JANUARY = date(2027, 1, 14)


def register_with_rows() -> bytes:
    """A register after the January meeting: three cases, their actions, some history."""
    register = Register.create()
    register.audit(
        command="init",
        action="created workspace",
        target="panel",
        who="casey",
        when=datetime(2026, 11, 2, 9),
    )
    register.append(
        "Meetings",
        {
            "meeting": JANUARY,
            "status": "signed",
            "chair": "Alex Sample",
            "present": "Alex Sample; DI Frankie Fiction; Ellis Pretendy",
            "cases": "CCP-2027-001; CCP-2027-002; CCP-2027-003",
            "version": 1,
        },
    )
    for number, (local, name, status) in enumerate(
        [
            ("LCS-900101", "Avery Madeup", "open"),
            ("LCS-900102", "Jordan Notreal", "open"),
            ("LCS-900103", "Quinn Imaginary", "closed"),
        ],
        start=1,
    ):
        case_id = f"CCP-2027-{number:03d}"
        register.append(
            "Cases",
            {
                "case_id": case_id,
                "local_id": local,
                "child_name": name,
                "date_of_birth": date(2011 + number, number, 10 + number),
                "referral_date": date(2026, 12, 10 + number),
                "accepted_on": date(2026, 12, 14 + number),
                "meeting": JANUARY,
                "referring_agency": "Children's social care",
                "referrer": "Dana Fictional",
                "key_worker": "Dana Fictional (Children's social care)",
                "legal_status": "Section 20 (accommodated by agreement)",
                "status": status,
                "risk_at_referral": "High",
                "risk_latest": "Very high" if number == 1 else "Medium",
                "agencies": "Children's social care; Police; Health",
                "criteria": "High-risk young person",
                "next_progress_due": date(2027, 5, 13) if status == "open" else None,
                "escalated": False,
                "closed_on": JANUARY if status == "closed" else None,
            },
        )
        for action in (1, 2):
            done = action == 2 or status == "closed"
            register.append(
                "Actions",
                {
                    "action_id": f"{case_id}-A{action}",
                    "case_id": case_id,
                    "meeting": JANUARY,
                    "action": f"Action {action} for {case_id}: share the safety plan & review",
                    "agency": "Police" if action == 1 else "Health",
                    "owner": "DI Frankie Fiction" if action == 1 else "Ellis Pretendy",
                    "due": date(2027, 2, 11),
                    "status": "Completed" if done else "Open",
                    "completed_on": date(2027, 2, 9) if done else None,
                    "carried_forward": 0,
                },
            )
    register.append(
        "Resources",
        {
            "case_id": "CCP-2027-001",
            "meeting": JANUARY,
            "agency": "Health",
            "description": "Therapeutic mentor",
            "amount": 2400,
            "confirmed": True,
        },
    )
    register.append(
        "Progress",
        {"case_id": "CCP-2027-001", "due_meeting": date(2027, 5, 13), "format": "written"},
    )
    register.audit(
        command="minutes sign",
        action="signed minutes",
        target="2027-01-14",
        who="casey",
        when=datetime(2027, 1, 20, 16, 5),
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.xlsx"
        register.save(path, backups_dir=Path(folder) / "backups", keep_backups=0)
        return path.read_bytes()


def decorate(data: bytes) -> bytes:
    """What an administrator adds in Excel between meetings."""
    from openpyxl import load_workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.table import Table, TableStyleInfo

    workbook = load_workbook(io.BytesIO(data))
    actions = workbook["Actions"]
    yellow = PatternFill("solid", start_color="FFFFFF00", end_color="FFFFFF00")
    for cell in actions[2]:
        cell.fill = yellow
        cell.font = Font(bold=True)
    actions.column_dimensions["D"].width = 70
    green = PatternFill("solid", start_color="FFC6EFCE", end_color="FFC6EFCE")
    for row in range(2, actions.max_row + 1):  # the Owner column, coloured by hand
        actions.cell(row, 6).fill = green

    cases = workbook["Cases"]
    cases["A2"].comment = Comment("Check the plan with the IRO", "Casey Mockup")
    cases.column_dimensions["B"].hidden = True  # Local ID, hidden by the administrator
    cases.column_dimensions["P"].width = 55
    cases["T3"] = "=not a formula, typed as text"
    cases["T3"].data_type = "s"
    cases["U1"] = "Age at referral"
    cases["U1"].font = Font(bold=True)
    for row in (2, 3, 4):
        cases[f"U{row}"] = f'=DATEDIF(D{row},E{row},"y")'
    cases.conditional_formatting.add(
        "N2:N500",
        CellIsRule(
            operator="equal",
            formula=['"Very high"'],
            fill=PatternFill("solid", start_color="FFFFC000", end_color="FFFFC000"),
        ),
    )
    risk = DataValidation(type="list", formula1='"Low,Medium,High,Very high"', allow_blank=True)
    risk.add("N2:N500")
    cases.data_validations.append(risk)

    resources = workbook["Resources"]
    resources.auto_filter.ref = None  # a table has its own filter
    table = Table(displayName="Agreed", ref="A1:G2")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    resources.add_table(table)

    summary = workbook.create_sheet("Summary")
    summary["A1"], summary["B1"] = "Cases", "=COUNTA(Cases!A:A)-1"
    summary["A2"], summary["B2"] = "Open actions", '=COUNTIF(Actions!H:H,"Open")'
    summary["A3"], summary["B3"] = "Actions", "=COUNTA(Actions!A:A)-1"
    summary["A1"].font = Font(bold=True)
    summary.column_dimensions["A"].width = 18
    chart = BarChart()
    chart.title = "Panel at a glance"
    chart.add_data(Reference(summary, min_col=2, min_row=1, max_row=3))
    chart.set_categories(Reference(summary, min_col=1, min_row=1, max_row=3))
    summary.add_chart(chart, "D2")

    contacts = workbook.create_sheet("Contacts")
    contacts.append(["Agency", "Name", "Phone"])
    contacts.append(["Police", "DI Frankie Fiction", "01632 960001"])
    contacts.append(["CAMHS", "Ellis Pretendy", "01632 960002"])
    contacts.append(["Education", "Robin Placeholder", "01632 960003"])
    directory = Table(displayName="Directory", ref="A1:C4")
    directory.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    contacts.add_table(directory)
    workbook.defined_names["OpenActionStatus"] = DefinedName(
        "OpenActionStatus", attr_text="Actions!$H:$H"
    )

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def through_calc(
    data: bytes, suffix: str = "xlsx", filter_: str = "Calc MS Excel 2007 XML"
) -> bytes:
    """The workbook opened and saved by LibreOffice Calc."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in" / "register.xlsx"
        source.parent.mkdir()
        source.write_bytes(data)
        out = Path(folder) / "out"
        profile = Path(folder) / "profile"
        result = subprocess.run(
            [
                "soffice",
                "--headless",
                f"-env:UserInstallation=file://{profile}",
                "--convert-to",
                f"{suffix}:{filter_}",
                "--outdir",
                str(out),
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        converted = out / f"register.{suffix}"
        if result.returncode or not converted.exists():
            raise SystemExit(f"LibreOffice failed: {result.stdout}{result.stderr}")
        return converted.read_bytes()


# --- hand-made cases -------------------------------------------------------------------------


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(zipfile.ZipInfo(name, (2027, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


def sheet_part(parts: dict[str, bytes], name: str) -> str:
    """The part name of sheet ``name`` (Calc numbers them in tab order)."""
    workbook = parts["xl/workbook.xml"].decode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    rel_id = re.search(rf'<sheet name="{name}"[^>]*r:id="(\w+)"', workbook).group(1)
    target = re.search(
        rf'Id="{rel_id}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rel_id}"', rels
    )
    return "xl/" + (target.group(1) or target.group(2)).lstrip("/").removeprefix("xl/")


def with_sheet(base: bytes, sheet: str, change: Callable[[str], str]) -> bytes:
    parts = parts_of(base)
    name = sheet_part(parts, sheet)
    parts[name] = change(parts[name].decode()).encode()
    return zipped(parts)


def replace_row(xml: str, number: int, cells: str) -> str:
    """Row ``number`` of a sheet's XML with these cells (added if the row is not there)."""
    row = f'<row r="{number}">{cells}</row>'
    found = re.search(rf'<row r="{number}"[^>]*?(/>|>.*?</row>)', xml, re.S)
    if found:
        return xml[: found.start()] + row + xml[found.end() :]
    later = [m for m in re.finditer(r'<row r="(\d+)"', xml) if int(m.group(1)) > number]
    if later:
        return xml[: later[0].start()] + row + xml[later[0].start() :]
    return xml.replace("</sheetData>", row + "</sheetData>")


def inline(ref: str, text: str, extra: str = "") -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is>{extra}</c>'


def plain_register() -> bytes:
    """An empty register saved by Calc, the base of the hand-made cases."""
    register = Register.create()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.xlsx"
        register.save(path, backups_dir=Path(folder) / "b", keep_backups=0)
        return through_calc(path.read_bytes())


def reader_cases(base: bytes) -> dict[str, bytes]:
    """One workbook per way of storing cells (what each must read as is in the tests)."""
    cases: dict[str, bytes] = {}

    # Shared strings (Calc's own way): two actions typed in Calc.
    rows = Register.create()
    rows.append("Actions", {"action_id": "CCP-2027-001-A1", "owner": "Ellis Pretendy"})
    rows.append("Actions", {"action_id": "CCP-2027-001-A2", "owner": "Ellis Pretendy"})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.xlsx"
        rows.save(path, backups_dir=Path(folder) / "b", keep_backups=0)
        cases["reader-shared-strings"] = through_calc(path.read_bytes())

    # Inline strings: plain, one in CDATA, and one that also carries a cached value.
    cases["reader-inline-strings"] = with_sheet(
        base,
        "Actions",
        lambda xml: replace_row(
            replace_row(
                xml,
                2,
                inline("A2", "CCP-2027-001-A1")
                + '<c r="F2" t="inlineStr"><is><r><t xml:space="preserve">Ellis </t></r>'
                "<r><rPr><b/></rPr><t>Pretendy</t></r></is></c>",
            ),
            3,
            inline("A3", "CCP-2027-001-A2")
            + '<c r="D3" t="inlineStr"><is><t><![CDATA[Tell <school> & GP]]></t></is></c>',
        ),
    )
    cases["reader-inline-string-with-value"] = with_sheet(
        base,
        "Actions",
        lambda xml: replace_row(
            xml, 2, inline("A2", "CCP-2027-001-A1") + inline("F2", "Ellis Pretendy", "<v>0</v>")
        ),
    )

    # Dates: the 1900 system (serial 46447 is 1 March 2027), the 1904 system (the same day
    # is 1462 less), a date-time and a time of day.
    def dated(xml: str) -> str:
        return replace_row(
            replace_row(
                xml,
                2,
                inline("A2", "CCP-2027-001-A1")
                + '<c r="C2" s="{date}"><v>{meeting}</v></c><c r="G2" s="{date}"><v>{due}</v></c>',
            ),
            3,
            inline("A3", "CCP-2027-001-A2") + '<c r="L3" s="{time}"><v>0.4375</v></c>',
        )

    for system, offset in (("1900", 0), ("1904", 1462)):

        def change(xml: str, offset: int = offset) -> str:
            return (
                dated(xml)
                .replace("{meeting}", str(46457 - offset))  # 11 March 2027
                .replace("{due}", str(46478 - offset))  # 1 April 2027
            )

        data = with_sheet(base, "Actions", change)
        data = with_styles(data)
        if system == "1904":
            parts = parts_of(data)
            assert b'date1904="false"' in parts["xl/workbook.xml"]
            parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
                b'date1904="false"', b'date1904="true"'
            )
            data = zipped(parts)
        cases[f"reader-dates-{system}"] = data

    def audit_times(xml: str) -> str:
        return replace_row(
            replace_row(
                xml,
                2,
                '<c r="A2" s="{datetime}"><v>46457.4375</v></c>' + inline("B2", "casey"),
            ),
            3,
            '<c r="A3" s="{time}"><v>0.75</v></c>' + inline("B3", "casey"),
        )

    cases["reader-date-times"] = with_styles(with_sheet(base, "Audit", audit_times))

    # A dimension that does not start at A1, with the header two rows down.
    def shifted(xml: str) -> str:
        header = re.search(r'<row r="1"[^>]*>.*?</row>', xml, re.S).group()
        moved = re.sub(r'r="([A-Z]+)1"', r'r="\g<1>3"', header).replace('<row r="1"', '<row r="3"')
        xml = xml.replace(header, moved)
        xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="B3:L4"/>', xml)
        return replace_row(xml, 4, inline("A4", "CCP-2027-001-A1") + inline("F4", "Ellis"))

    cases["reader-odd-dimension"] = with_sheet(base, "Actions", shifted)

    # Merged cells: one action's notes merged over two rows, and a merged range of its own.
    def merged(xml: str) -> str:
        xml = replace_row(xml, 2, inline("A2", "CCP-2027-001-A1") + inline("L2", "Both actions"))
        xml = replace_row(xml, 3, inline("A3", "CCP-2027-001-A2"))
        merge = (
            '<mergeCells count="2"><mergeCell ref="L2:L3"/><mergeCell ref="N2:O2"/></mergeCells>'
        )
        xml = replace_row(
            xml,
            2,
            inline("A2", "CCP-2027-001-A1") + inline("L2", "Both actions") + inline("N2", "aside"),
        )
        return (
            re.sub(r"(</sheetData>)", r"\1" + merge, xml, count=1)
            if "<mergeCells" not in xml
            else xml
        )

    cases["reader-merged-cells"] = with_sheet(base, "Actions", merged)

    # Empty rows and columns in the middle: a blank row between actions and a column
    # inserted (and left empty) between Case ID and Meeting.
    def gaps(xml: str) -> str:
        header = re.search(r'<row r="1"[^>]*>.*?</row>', xml, re.S).group()

        def shift(match: re.Match[str]) -> str:
            letters = match.group(1)
            index = ord(letters) - 65 if len(letters) == 1 else 26
            return f'r="{chr(65 + index + 1) if index >= 2 else letters}1"'

        moved = re.sub(r'r="([A-Z]+)1"', shift, header)
        moved = re.sub(r'\sspans="[^"]*"', "", moved)
        xml = xml.replace(header, moved)
        xml = replace_row(xml, 2, inline("A2", "CCP-2027-001-A1") + inline("G2", "Health"))
        return replace_row(xml, 4, inline("A4", "CCP-2027-001-A2") + inline("G4", "Police"))

    cases["reader-empty-rows-and-columns"] = with_sheet(base, "Actions", gaps)

    # Numbers stored as text (and a number where text belongs).
    def as_text(xml: str) -> str:
        return replace_row(
            xml,
            2,
            inline("A2", "2027-03-11")
            + inline("B2", "pending")
            + inline("G2", "2")
            + '<c r="E2"><v>4</v></c>',
        )

    cases["reader-numbers-as-text"] = with_sheet(base, "Meetings", as_text)
    resources = with_sheet(
        cases["reader-numbers-as-text"],
        "Resources",
        lambda xml: replace_row(
            xml, 2, inline("A2", "CCP-2027-001") + inline("E2", "£1,250.50") + inline("F2", "yes")
        ),
    )
    cases["reader-numbers-as-text"] = with_sheet(
        resources,
        "Cases",
        lambda xml: replace_row(
            xml, 2, inline("A2", "CCP-2027-001") + inline("B2", "004512") + '<c r="C2"><v>7</v></c>'
        ),
    )
    return cases


def with_styles(data: bytes) -> bytes:
    """Fill {date}, {datetime}, {time} with cell styles showing those formats (added)."""
    parts = parts_of(data)
    styles = parts["xl/styles.xml"].decode()
    formats = {
        "date": (190, "DD/MM/YYYY"),
        "datetime": (191, "DD/MM/YYYY HH:MM"),
        "time": (192, "HH:MM"),
    }
    numfmts = "".join(
        f'<numFmt numFmtId="{n}" formatCode="{code}"/>' for n, code in formats.values()
    )
    styles = re.sub(r"(<numFmts[^>]*>)", r"\1" + numfmts, styles, count=1)
    xfs = re.search(r'<cellXfs count="(\d+)">', styles)
    first = int(xfs.group(1))
    new = "".join(
        f'<xf numFmtId="{n}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        for n, _ in formats.values()
    )
    styles = styles.replace(xfs.group(), f'<cellXfs count="{first + 3}">', 1)
    styles = styles.replace("</cellXfs>", new + "</cellXfs>", 1)
    parts["xl/styles.xml"] = styles.encode()
    for name, content in parts.items():
        if name.startswith("xl/worksheets/sheet"):
            text = content.decode()
            for offset, key in enumerate(formats):
                text = text.replace("{" + key + "}", str(first + offset))
            parts[name] = text.encode()
    return zipped(parts)


def refused_cases(base: bytes, decorated_xls: bytes) -> dict[str, bytes]:
    cases: dict[str, bytes] = {}
    cases["refused-protected-sheet"] = with_sheet(
        base,
        "Actions",
        lambda xml: re.sub(
            r"(</sheetData>)",
            r'\1<sheetProtection sheet="true" password="CC3D" objects="true" scenarios="true"/>',
            xml,
            count=1,
        ),
    )
    cases["refused-unparseable-part"] = with_sheet(
        base,
        "Actions",
        lambda xml: xml.replace("</sheetData>", '<row r="9"><c r="A9"></sheetData>', 1),
    )
    parts = parts_of(base)
    strict = {
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": (
            b"http://purl.oclc.org/ooxml/spreadsheetml/main"
        ),
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships": (
            b"http://purl.oclc.org/ooxml/officeDocument/relationships"
        ),
    }
    for name, content in parts.items():
        for old, new in strict.items():
            content = content.replace(old, new)
        parts[name] = content
    cases["refused-strict-ooxml"] = zipped(parts)
    cases["refused-xls-renamed"] = decorated_xls
    # An Excel binary workbook: the parts of an .xlsb (Calc cannot write one); the reader
    # needs no more than the package shape to know what it is.
    cases["refused-xlsb-renamed"] = zipped(
        {
            "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="bin" '
            b'ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
            b'<Default Extension="rels" '
            b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b"</Types>",
            "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/officeDocument" Target="xl/workbook.bin"/>'
            b"</Relationships>",
            "xl/workbook.bin": b"\x83\x01\x00\x80\x01\x00",
        }
    )
    return cases


def main() -> None:
    if shutil.which("soffice") is None:
        raise SystemExit("needs LibreOffice (soffice) on the PATH")
    decorated = through_calc(decorate(register_with_rows()))
    (HERE / "decorated.xlsx").write_bytes(decorated)
    decorated_xls = through_calc(decorated, "xls", "MS Excel 97")
    base = plain_register()
    made = {"decorated": decorated}
    made.update(reader_cases(base))
    made.update(refused_cases(base, decorated_xls))
    for name, data in made.items():
        (HERE / f"{name}.xlsx").write_bytes(data)
        print(f"wrote {name}.xlsx ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
