"""The demo tells one story (issue 22 item 10): its pack, register, case histories and
annual report agree with one another, as a reader going through them would check."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from workflow.cases.store import load_case
from workflow.core.dates import as_date
from workflow.documents.text import document_text
from workflow.register import Register
from workflow.register.audit_years import audit_sheets
from workflow.workspace.paths import Workspace


@pytest.fixture(scope="module")
def register(built_demo: Path) -> Register:
    return Register.load(Workspace(built_demo).register_file)


def meetings(built_demo: Path) -> list[date]:
    return Workspace(built_demo).panel.meeting_dates()


def test_each_pack_lists_the_referrals_accepted_for_its_meeting(built_demo, register):
    packs = 0
    for day in meetings(built_demo):
        agenda = built_demo / "output" / day.isoformat() / "agenda.docx"
        if not agenda.is_file():
            continue
        packs += 1
        text = document_text(agenda)
        readiness = (agenda.parent / "readiness.txt").read_text(encoding="utf-8")
        new = [
            str(row["case_id"])
            for row in register.rows("Cases")
            if as_date(row.get("meeting")) == day
        ]
        assert new, f"no referral was accepted for the {day} meeting"
        assert f"New referrals: {len(new)};" in readiness
        for case_id in new:
            assert case_id in text, f"the {day} agenda leaves out {case_id}"
        section = text.split("3. New referrals", 1)[1].split("4. ", 1)[0]
        assert "None." not in section
    assert packs == 2  # the first meeting's and the second's


def _audit_rows(register) -> list[dict[str, Any]]:
    """Every Audit row: this year's tab and past years' (the demo's year spans two)."""
    return [row for sheet in audit_sheets(register) for row in register.rows(sheet)]


def test_every_completed_action_has_its_completion_event(register):
    events: dict[str, list[str]] = {}
    for row in _audit_rows(register):
        events.setdefault(str(row.get("target")), []).append(str(row.get("detail") or ""))
    completed = [row for row in register.rows("Actions") if row.get("status") == "Completed"]
    assert len(completed) > 20
    for row in completed:
        action_id = str(row["action_id"])
        done = as_date(row.get("completed_on"))
        assert done is not None, f"{action_id} is Completed with no completion date"
        assert any(
            f"completed on {done.isoformat()}" in detail for detail in events.get(action_id, [])
        ), f"{action_id}: no event records its completion on {done}"
        assert done >= as_date(row.get("meeting"))


def test_cancelled_actions_say_why_and_have_their_event(register):
    events = {str(row.get("target")) for row in _audit_rows(register)}
    for row in register.rows("Actions"):
        if row.get("status") == "Cancelled":
            assert row.get("reason_not_done") in ("circumstances changed", "not undertaken")
            assert str(row["action_id"]) in events


def _referral_dates(built_demo: Path, row: dict[str, Any]) -> tuple[date, date, date]:
    record = load_case(Workspace(built_demo), str(row["case_id"]))
    return (
        record.referral.authorised_by.date,
        as_date(row.get("accepted_on")),
        as_date(row.get("referral_date")),
    )


def test_no_referral_is_accepted_before_it_was_authorised(built_demo, register):
    accepted_events = {}
    for row in _audit_rows(register):
        if "accepted referral" in str(row.get("action")):
            accepted_events[str(row.get("target"))] = as_date(row.get("when"))
    for row in register.rows("Cases"):
        authorised, accepted, referral_date = _referral_dates(built_demo, row)
        case_id = row["case_id"]
        assert referral_date == authorised, case_id
        assert accepted >= authorised, f"{case_id} accepted {accepted}, authorised {authorised}"
        logged = accepted_events.get(case_id)
        if logged is not None:
            assert logged >= authorised, f"{case_id}: its Audit row says accepted on {logged}"
            assert logged == accepted, case_id


def test_the_annual_report_carries_the_chairs_words(built_demo):
    [report] = (built_demo / "output" / "annual").glob("annual-*.docx")
    text = document_text(report)
    assert "The chair's commentary" in text
    assert "Recommendations to the Board" in text
    assert "Draft:" not in text
    assert "CAMHS waiting times" in text


def test_every_minuted_meeting_is_signed_and_the_report_says_on_time(built_demo, register):
    from openpyxl import load_workbook

    recorded = {as_date(row.get("meeting")) for row in register.rows("Signatures")}
    minuted = {
        date.fromisoformat(path.parent.name)
        for path in (built_demo / "meetings").glob("*/minutes-completed.yaml")
    }
    assert minuted
    assert recorded == minuted  # no meeting's minutes left unsigned
    [xlsx] = (built_demo / "output" / "annual").glob("*.xlsx")
    rows = {
        row[0]: row[2:]
        for row in load_workbook(xlsx)["Minutes on time"].iter_rows(values_only=True)
    }
    assert rows["Signed minutes"] == (len(minuted), 0, 0)  # on time, none late
    administrator = Workspace(built_demo).panel.administrator.name
    for meeting in minuted:
        [docx] = (built_demo / "output" / meeting.isoformat()).glob("minutes-*-v1.docx")
        text = document_text(docx)
        assert f"Minute-taker\n{administrator}" in text or f"Minute-taker {administrator}" in text
