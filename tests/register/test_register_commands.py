"""Each writing command on a decorated register saved by LibreOffice Calc: it changes only the
sheets it writes, every decoration survives, and Calc still opens the result."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import complete_draft
from openpyxl import load_workbook
from testdata import write_yaml
from workbook_checks import (
    DECORATED,
    RESOURCES_TABLE,
    SHEET_PARTS,
    WORKBOOK_PART,
    calculated,
    changed_parts,
    decorations,
    parts,
    through_libreoffice,
)

from workflow.cases.referrals import add_referral
from workflow.meetings.minutes import draft_minutes
from workflow.meetings.pack import build_pack
from workflow.meetings.recording import amend_minutes, record_minutes
from workflow.meetings.signing import sign_minutes

MEETING = date(2027, 3, 11)
ORIGINAL = decorations(DECORATED)
# The pack records each copy sent in a Disclosures sheet, which the register gains (issue 23).
DISCLOSURES = "xl/worksheets/sheet10.xml"
NEW_SHEET = {"[Content_Types].xml", "xl/_rels/workbook.xml.rels", DISCLOSURES}
WITH_DISCLOSURES = {**ORIGINAL, "sheets": [*ORIGINAL["sheets"], "Disclosures"]}


class Steps:
    """The commands of one meeting, run in order on a workspace with the decorated register."""

    def __init__(self, workspace: Any, inbox: Path, tmp_path: Path, monkeypatch: Any):
        self.workspace = workspace
        self.inbox = inbox
        self.tmp_path = tmp_path
        self.monkeypatch = monkeypatch
        self.changed: dict[str, set[str]] = {}
        self.minutes: Path | None = None

    @property
    def register(self) -> Path:
        return self.workspace.register_file

    def run(self, name: str, command: Callable[[], Any]) -> Any:
        before = parts(self.register)
        result = command()
        self.changed[name] = changed_parts(before, parts(self.register))
        return result

    def referral_add(self) -> Any:
        return self.run(
            "referral add", lambda: add_referral(self.workspace, self.inbox / "referral.yaml")
        )

    def pack(self) -> Any:
        return self.run("pack", lambda: build_pack(self.workspace, MEETING, pdf=False))

    def record(self) -> Any:
        self.monkeypatch.setenv("CCP_TODAY", "2027-03-12")
        draft_minutes(self.workspace, MEETING)
        draft = self.workspace.root / "meetings" / "2027-03-11" / "minutes.yaml"
        self.minutes = complete_draft(draft, self.tmp_path / "minutes.yaml")
        return self.run("minutes record", lambda: record_minutes(self.workspace, self.minutes))

    def sign(self) -> Any:
        return self.run(
            "minutes sign", lambda: sign_minutes(self.workspace, MEETING, "Alex Sample")
        )

    def amend(self) -> Any:
        assert self.minutes is not None
        data = yaml.safe_load(self.minutes.read_text(encoding="utf-8"))
        data["cases"][0]["risk_level"] = "high"
        write_yaml(self.minutes, data)
        return self.run(
            "minutes amend", lambda: amend_minutes(self.workspace, MEETING, self.minutes)
        )


@pytest.fixture
def steps(workspace: Any, inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Steps:
    shutil.copyfile(DECORATED, workspace.register_file)
    os.chmod(workspace.register_file, 0o600)
    return Steps(workspace, inbox, tmp_path, monkeypatch)


def sheet_rows(path: Path, name: str) -> list[dict[str, Any]]:
    rows = list(load_workbook(path)[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:] if any(row)]


SUMMARY = SHEET_PARTS["Summary"]


def parts_of(*sheets: str) -> set[str]:
    return {SHEET_PARTS[sheet] for sheet in sheets} | {WORKBOOK_PART}


def test_referral_add_appends_a_case_and_keeps_every_decoration(steps: Steps) -> None:
    accepted = steps.referral_add()

    assert accepted.case_id == "CCP-2027-004"  # after the three already in the register
    # The Summary's formulas read Cases: their cached values go, so Calc recounts (the
    # formulas themselves are unchanged: see decorations).
    assert steps.changed["referral add"] == parts_of("Cases", "Meetings", "Audit") | {SUMMARY}
    assert decorations(steps.register) == ORIGINAL
    cases = load_workbook(steps.register)["Cases"]
    assert [cell.value for cell in cases[5]][:3] == [
        "CCP-2027-004",
        "LCS-000731",
        "Kai Example-Rivers",
    ]
    assert cases["F5"].value == datetime(2027, 2, 20)  # accepted on: a real date
    assert cases["F5"].number_format == "dd/mm/yyyy"
    assert cases["R5"].value == "No"
    assert cases.auto_filter.ref == "A1:T5"
    (meeting,) = [
        m for m in sheet_rows(steps.register, "Meetings") if m["Date"] == datetime(2027, 3, 11)
    ]
    assert meeting["Status"] == "scheduled"


def test_pack_marks_the_meeting_and_keeps_every_decoration(steps: Steps) -> None:
    steps.referral_add()
    steps.pack()

    assert steps.changed["pack"] == parts_of("Meetings", "Audit") | NEW_SHEET
    assert decorations(steps.register) == WITH_DISCLOSURES
    (meeting,) = [
        m for m in sheet_rows(steps.register, "Meetings") if m["Date"] == datetime(2027, 3, 11)
    ]
    assert meeting["Status"] == "pack sent"


def test_minutes_record_appends_actions_and_grows_the_resources_table(steps: Steps) -> None:
    steps.referral_add()
    steps.pack()
    steps.record()

    assert steps.changed["minutes record"] == parts_of(
        "Cases", "Actions", "Resources", "Progress", "Meetings", "Audit"
    ) | {RESOURCES_TABLE}  # the Summary's cached values went with referral add
    assert decorations(steps.register) == WITH_DISCLOSURES
    workbook = load_workbook(steps.register)
    actions = workbook["Actions"]
    assert [actions.cell(row, 1).value for row in (8, 9)] == ["CCP-2027-004-A1", "CCP-2027-004-A2"]
    assert actions["G8"].value == datetime(2027, 3, 25)
    assert actions["G8"].number_format == "dd/mm/yyyy"
    assert actions["F8"].fill.fgColor.rgb == "FFC6EFCE"  # the coloured Owner column
    # The open January actions were carried forward, in their own (decorated) cells.
    assert [actions.cell(row, 10).value for row in range(2, 8)] == [1, 0, 1, 0, 0, 0]
    assert (actions["J2"].fill.fgColor.rgb, actions["J2"].font.b) == ("FFFFFF00", True)
    assert actions.auto_filter.ref == "A1:L9"
    assert workbook["Resources"].tables["Agreed"].ref == "A1:G3"
    assert workbook["Resources"]["E3"].value == 4800
    assert workbook["Cases"]["N5"].value == "Very high"  # risk latest, from the minutes


def test_minutes_sign_and_amend_keep_every_decoration(steps: Steps) -> None:
    steps.referral_add()
    steps.pack()
    steps.record()
    steps.sign()
    assert steps.changed["minutes sign"] == parts_of("Signatures", "Meetings", "Audit") | {
        DISCLOSURES
    }
    assert decorations(steps.register) == WITH_DISCLOSURES
    signatures = sheet_rows(steps.register, "Signatures")
    assert [row["File"] for row in signatures][0] == "output/2027-03-11/minutes-2027-03-11-v1.docx"
    assert all(len(row["SHA-256"]) == 64 for row in signatures)

    steps.amend()
    assert steps.changed["minutes amend"] <= parts_of("Cases", "Actions", "Meetings", "Audit") | {
        SUMMARY
    }
    assert decorations(steps.register) == WITH_DISCLOSURES
    (meeting,) = [
        m for m in sheet_rows(steps.register, "Meetings") if m["Date"] == datetime(2027, 3, 11)
    ]
    assert (meeting["Status"], meeting["Minutes version"]) == ("amended", 2)
    assert load_workbook(steps.register)["Cases"]["N5"].value == "High"


@pytest.mark.libreoffice
def test_libreoffice_opens_the_register_after_the_meeting_and_recounts(
    steps: Steps, tmp_path: Path
) -> None:
    steps.referral_add()
    steps.pack()
    steps.record()
    steps.sign()
    steps.amend()
    # Over the whole meeting, only register sheets, the workbook part and the table over the
    # Resources rows were written; every other part is the very one LibreOffice saved.
    written = set().union(*steps.changed.values())
    sheets = ("Meetings", "Cases", "Actions", "Resources", "Progress", "Signatures", "Audit")
    assert written <= parts_of(*sheets) | {RESOURCES_TABLE, SUMMARY} | NEW_SHEET
    original, final = parts(DECORATED), parts(steps.register)
    untouched = set(original) - written - NEW_SHEET
    assert {SHEET_PARTS["Contacts"], "xl/styles.xml"} <= untouched
    assert [name for name in sorted(untouched) if final.get(name) != original[name]] == []

    # Calc with its default settings (it ignores fullCalcOnLoad): the formulas whose
    # cached values ccp took out are calculated afresh.
    reopened = through_libreoffice(steps.register, tmp_path / "lo")
    # Four cases, four open actions (two carried forward, two new), eight actions.
    assert calculated(reopened, "Summary") == [["Cases", 4], ["Open actions", 4], ["Actions", 8]]
    assert decorations(reopened)["contacts table"] == {"Directory": "A1:C4"}
    assert [row["Action ID"] for row in sheet_rows(reopened, "Actions")][-2:] == [
        "CCP-2027-004-A1",
        "CCP-2027-004-A2",
    ]
