"""`ccp case export`: a subject access bundle of one child, nothing of another (issue 23)."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from between_meetings import sheet_rows
from helpers import copy_of
from openpyxl import load_workbook

from workflow.cli import cli
from workflow.rights.export import one_month_after
from workflow.rights.scan import files_under, holds, texts_of

CASE = "CCP-2027-001"


@pytest.fixture
def demo(built_demo, tmp_path):
    return copy_of(built_demo, tmp_path)


def export(runner, root, out, *extra):
    return runner.invoke(cli, ["-w", str(root), "case", "export", CASE, str(out), *extra])


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2027, 1, 14), date(2027, 2, 15)),  # the 14th is a Sunday: the Monday
        (date(2027, 1, 31), date(2027, 3, 1)),  # 28 February (no 31st) is a Sunday
        (date(2027, 3, 10), date(2027, 4, 12)),  # ...a Saturday moves on to the Monday
        (date(2027, 12, 1), date(2028, 1, 3)),
    ],
    ids=["sunday", "short-month", "saturday", "new-year"],
)
def test_the_reply_is_due_one_calendar_month_after_the_request(received, due):
    assert one_month_after(received) == due


@pytest.mark.libreoffice
def test_the_bundle_holds_everything_about_the_child_and_nothing_of_another(runner, demo, tmp_path):
    # The administrator sorted the register by hand: rows are found by case ID, not place.
    book = load_workbook(demo / "register.xlsx")
    for sheet in ("Cases", "Actions"):
        table = book[sheet]
        values = [[c.value for c in r] for r in table.iter_rows(min_row=2)]
        for row, new in zip(table.iter_rows(min_row=2), reversed(values), strict=True):
            for cell, value in zip(row, new, strict=True):
                cell.value = value
    book.save(demo / "register.xlsx")
    out = tmp_path / "sar"
    result = export(runner, demo, out, "--received", "2027-02-15")

    assert result.exit_code == 0, result.output
    assert "reply (or send an extension notice) by 15 March 2027" in result.output
    bundle = out / "bundle"
    pdf = bundle / f"{CASE}-subject-access.pdf"
    text = "\n".join(t for _, t in texts_of(pdf))
    for expected in (
        "Request received",
        "15 February 2027",
        "An extension notice must go by",
        "15 March 2027",
        "Kai Example-Rivers",
        "Panel discussions and decisions",
        "Allocate a specialist exploitation worker",
        "Who the panel has sent your information to",
        "minutes extract",  # the Disclosures sheet's rows for this child
    ):
        assert expected in text
    released = sheet_rows(demo / "register.xlsx", "Disclosures")[-1]
    assert (released["Case IDs"], released["Purpose"]) == (CASE, "subject access")
    assert released["File"] == (out / "bundle" / f"{CASE}-subject-access.pdf").as_posix()
    names = {p.name for p in files_under(bundle)}
    assert any(name.endswith(f"{CASE}-minutes-extract-v1.docx") for name in names)
    assert "chronology.docx" in names
    assert not any(name.startswith("minutes-20") for name in names)  # never whole minutes

    others = [row for row in sheet_rows(demo / "register.xlsx", "Cases") if row["Case ID"] != CASE]
    needles = [
        text for row in others for text in (row["Case ID"], row["Child name"], row["Local ID"])
    ]
    assert len(needles) > 60
    leaks = {path.name: hits for path in files_under(out) if (hits := holds(path, needles))}
    assert leaks == {}


@pytest.mark.libreoffice
def test_the_redaction_log_flags_family_and_keeps_professionals(runner, demo, tmp_path):
    out = tmp_path / "sar"
    assert export(runner, demo, out).exit_code == 0
    rows = list(csv.DictReader(io.StringIO((out / "redaction-log.csv").read_text("utf-8"))))

    assert rows[0].keys() == {"Item", "Where", "Suggested ground", "Decided by", "Decision"}
    family = [row["Item"] for row in rows if row["Where"] == "referral: family"]
    assert any("Mother" in item for item in family)
    assert any("half-siblings" in item for item in family)
    assert all("Sch. 2 Pt 3 para 16" in row["Suggested ground"] for row in rows[:4])
    assert {row["Decided by"] for row in rows} == {""}
    assert not any(row["Item"] == "Dana Fictional" for row in rows)
    # The log is for the reviewer: it is beside the bundle, not in it.
    assert not (out / "bundle" / "redaction-log.csv").exists()


@pytest.mark.libreoffice
def test_the_bundle_carries_no_hidden_metadata(runner, demo, tmp_path):
    import pikepdf

    out = tmp_path / "sar"
    assert export(runner, demo, out).exit_code == 0
    bundle = out / "bundle"
    with pikepdf.open(bundle / f"{CASE}-subject-access.pdf") as pdf:
        assert set(pdf.docinfo.keys()) == {"/Title"}
        assert "/StructTreeRoot" in pdf.Root  # tagged
        meta = pdf.open_metadata()
        assert meta.get("pdfaid:part") == "2"
        assert not [key for key in meta if "creator" in key.lower() or "producer" in key.lower()]
    for docx in bundle.rglob("*.docx"):
        with zipfile.ZipFile(docx) as archive:
            core = archive.read("docProps/core.xml").decode()
            assert "creator" not in core
            assert "lastModifiedBy" not in core
    for source in bundle.rglob("*.pdf"):
        with pikepdf.open(source) as pdf:
            assert set(pdf.docinfo.keys()) <= {"/Title"}


@pytest.mark.parametrize(
    ("case_id", "args", "message"),
    [
        ("CCP-2027-999", [], "CCP-2027-999: no such case"),
        (CASE, ["--received", "2027-03-01"], "--received 2027-03-01: is after today"),
    ],
    ids=["unknown-case", "future-request"],
)
def test_a_refused_export_is_one_line_and_writes_nothing(
    runner, demo, tmp_path, case_id, args, message
):
    out = tmp_path / "sar"
    result = runner.invoke(cli, ["-w", str(demo), "case", "export", case_id, str(out), *args])

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {message}")
    assert result.stderr.count("\n") == 1
    assert not out.exists()


def test_an_export_into_a_folder_in_use_is_refused(runner, demo, tmp_path):
    out = tmp_path / "sar"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = export(runner, demo, out)

    assert result.exit_code == 1
    assert result.stderr == f"Error: {out}: already exists and is not empty; name a new folder\n"
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_scan_reads_text_split_over_word_runs(tmp_path: Path):
    part = b"<w:p><w:r><w:t>Kai Exa</w:t></w:r><w:r><w:t>mple-Rivers</w:t></w:r></w:p>"
    path = tmp_path / "split.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", b"<?xml version='1.0'?>" + part)
    assert "word/document.xml" in [hit.where for hit in holds(path, ["Kai Example-Rivers"])]


@pytest.mark.libreoffice
def test_where_disclosures_are_kept_the_bundle_lists_them_and_records_itself(
    runner, demo, tmp_path, monkeypatch
):
    """With the Disclosures sheet (issue 23 item 2) the bundle shows who was sent what, and
    the bundle itself is recorded as released; a stand-in module plays that sheet here."""
    import sys
    import types
    from dataclasses import dataclass

    recorded = []

    @dataclass(frozen=True)
    class Release:
        recipient: str
        agency: str
        case_ids: tuple
        file: str
        sha256: str
        purpose: str

    def disclosures_for_case(workspace, case_id):
        return [
            {
                "date": "2027-01-20",
                "recipient": "Dana Fictional",
                "agency": "Children's social care",
                "case_ids": [case_id],
                "file": f"output/2027-01-14/extracts/{case_id}-minutes-extract-v1.pdf",
                "purpose": "minutes extract",
            }
        ]

    def record_release(register, workspace, release):
        recorded.append(release)

    fake = types.ModuleType("workflow.cases.disclosures")
    fake.Release, fake.record_release = Release, record_release
    fake.disclosures_for_case = disclosures_for_case
    monkeypatch.setitem(sys.modules, "workflow.cases.disclosures", fake)
    out = tmp_path / "sar"

    result = export(runner, demo, out)

    assert result.exit_code == 0, result.output
    assert "No disclosures recorded." not in result.output
    text = "\n".join(t for _, t in texts_of(out / "bundle" / f"{CASE}-subject-access.pdf"))
    assert "minutes extract" in text
    assert "Dana Fictional" in text
    pdf = out / "bundle" / f"{CASE}-subject-access.pdf"
    assert [(r.case_ids, r.purpose, r.file) for r in recorded] == [
        ((CASE,), "subject access", pdf.as_posix())
    ]
    assert recorded[0].sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()
    audit = sheet_rows(demo / "register.xlsx", "Audit")[-1]
    assert (audit["Action"], audit["Target"]) == ("subject access bundle", CASE)


@pytest.mark.posix_only
@pytest.mark.libreoffice
def test_every_file_of_the_bundle_is_owner_only(runner, demo, tmp_path):
    out = tmp_path / "sar"
    assert export(runner, demo, out).exit_code == 0
    for path in [out, *out.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        assert mode == (0o700 if path.is_dir() else 0o600), path
