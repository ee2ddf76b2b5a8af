"""The annual report: every figure against a hand-built register whose answers are known."""

from __future__ import annotations

import copy
import json
import re
import subprocess
from datetime import date
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from helpers import MINUTES_CASE
from openpyxl import load_workbook

from workflow.cli import cli
from workflow.contract import MinutesRecord
from workflow.core.dates import as_of
from workflow.documents.text import document_text
from workflow.register import Register
from workflow.reports.annual import gather
from workflow.reports.counting import report_period

CSC, HEALTH, POLICE = "Children's social care", "Health", "Police"
S20 = "Section 20 (accommodated by agreement)"
YEAR = 2027
AFTER_THE_YEAR = date(2028, 1, 10)
JAN, MAR, MAY = date(2027, 1, 14), date(2027, 3, 11), date(2027, 5, 13)

# Twelve children referred in 2027 (six in February, six in April), one in 2026 and one in
# 2028 that the report must leave out.
#          id   accepted     referred     born         agency  legal status        risk at / latest
CASES = [
    ("001", "2027-02-01", "2027-01-25", "2018-03-01", CSC, "Care order", "High", "Medium"),
    ("002", "2027-02-02", "2027-01-26", "2015-06-01", CSC, "Care order", "Very high", "High"),
    ("003", "2027-02-03", "2027-01-27", "2013-01-01", CSC, "Care order", "High", "Low"),
    ("004", "2027-02-04", "2027-01-28", "2012-05-01", HEALTH, "Care order", "High", "Low"),
    ("005", "2027-02-05", "2027-01-29", "2011-09-01", HEALTH, "Care order", "Very high", "High"),
    ("006", "2027-02-06", "2027-01-30", "2011-02-01", HEALTH, "Care order", "Medium", "Medium"),
    ("007", "2027-04-01", "2027-03-20", "2011-02-01", CSC, "Child protection plan", "High", "High"),
    ("008", "2027-04-02", "2027-03-21", "2010-12-01", CSC, "Child protection plan", "High", "High"),
    ("009", "2027-04-03", "2027-03-22", "2010-09-01", CSC, "Child protection plan", "High", "High"),
    ("010", "2027-04-04", "2027-03-23", "2010-06-01", CSC, "Child protection plan", "Low", "Low"),
    ("011", "2027-04-05", "2027-03-24", "2010-01-01", POLICE, "Child protection plan", "High", ""),
    ("012", "2027-04-06", "2027-03-25", "2009-06-01", POLICE, S20, "Very high", "Very high"),
    ("900", "2026-11-20", "2026-11-15", "2012-01-01", POLICE, "Care order", "High", "High"),
    ("950", "2028-01-05", "2028-01-02", "2012-01-01", POLICE, "Care order", "High", "High"),
]  # fmt: skip
CLOSED = {"003": "2027-05-13", "004": "2027-05-13", "006": "2027-05-13", "900": "2026-12-01"}
CRITERIA = {
    "001": "High-risk young person; Multiple complex needs at risk of poor outcomes",
    "002": "High-risk young person",
}
# Where the children lived (case.json), for six of them; the others were typed by hand.
LIVING = {
    "001": ("foster_care", False),
    "002": ("foster_care", False),
    "003": ("residential", True),
    "007": ("with_parents", False),
    "008": ("with_parents", False),
    "009": ("with_parents", False),
}

# action: (case, meeting, agency, due, status, completed on, reason not done)
ACTIONS = [
    ("001", MAR, CSC, "2027-04-01", "Completed", "2027-03-30", None),
    ("001", MAR, CSC, "2027-04-01", "Completed", "2027-04-01", None),
    ("002", MAR, CSC, "2027-04-01", "Completed", "2027-03-15", None),
    ("002", MAR, CSC, "2027-04-01", "Completed", "2027-03-16", None),
    ("003", MAR, CSC, "2027-04-01", "Completed", "2027-04-20", None),
    ("007", MAY, CSC, "2028-01-20", "Open", None, None),
    ("008", MAY, CSC, "2027-06-01", "In progress", None, None),
    ("009", MAY, CSC, "2027-06-01", "Cancelled", None, "circumstances changed"),
    ("011", MAY, POLICE, "2027-06-01", "Completed", "2027-05-20", None),
    ("011", MAY, POLICE, "2027-06-01", "Completed", "2027-05-21", None),
    ("012", MAY, POLICE, "2027-06-01", "Cancelled", None, "not undertaken"),
    ("004", MAR, HEALTH, "2027-04-01", "Open", None, None),
    ("005", MAR, HEALTH, "2027-04-01", "Cancelled", None, None),
    ("900", JAN, POLICE, "2027-02-01", "Completed", "2027-01-20", None),  # agreed in 2027
    ("900", date(2026, 11, 26), POLICE, "2026-12-01", "Completed", "2026-11-30", None),
]
# resource: (case, meeting, agency, amount, confirmed)
RESOURCES = [
    ("001", MAR, CSC, 1000.0, True),
    ("002", MAR, CSC, 500.0, False),
    *[(f"00{n}", MAR, HEALTH, 1000.0, True) for n in range(1, 6)],
    ("900", date(2026, 11, 26), HEALTH, 9999.0, True),
]
# progress: (case, due meeting, received on)
PROGRESS = [
    ("001", MAY, "2027-04-20"),  # on time: 23 days before
    ("002", MAY, "2027-04-29"),  # on time: exactly 14 days before
    ("005", MAY, "2027-04-25"),  # on time
    ("006", MAY, "2027-05-10"),  # late
    ("007", date(2027, 7, 8), None),
    ("008", date(2027, 7, 8), None),
    ("009", date(2028, 1, 20), None),  # due after the year
]


def d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def person(name: str, agency: str) -> dict[str, str]:
    return {"name": name, "role": "Member", "agency": agency}


def minutes_case(case_id: str, kind: str = "new", **changes: Any) -> dict[str, Any]:
    case = {**copy.deepcopy(MINUTES_CASE), "case_id": case_id, "kind": kind}
    case["progress_report"] = {"format": "written", "due_meeting": "2027-07-08"}
    case["actions"] = case["actions"][:1]
    case["themes"] = []
    case.update(changes)
    return case


def store_minutes(workspace: Any, record: dict[str, Any]) -> None:
    """A recorded version as `ccp minutes record` stores it (hand-built: known answers)."""
    checked = MinutesRecord.model_validate(record)
    path = workspace.meetings_dir / checked.meeting.isoformat() / "minutes-v1.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"version": 1, "changes": [], "record": checked.model_dump(mode="json")}
    path.write_text(json.dumps(payload), encoding="utf-8")


def exploitation(case_id: str) -> dict[str, Any]:
    return minutes_case(case_id, themes=["no_specialist_exploitation_worker"])


MINUTES = [
    {
        "meeting": JAN,
        "chair": "Alex Sample",
        "present": [person("Alex Sample", CSC), person("DI Frankie Fiction", POLICE)],
        "apologies": [person("Ellis Pretendy", "CAMHS")],
        "cases": [minutes_case("CCP-2026-900", "progress_review")],
    },
    {
        "meeting": MAR,
        "chair": "Alex Sample",
        "present": [
            person("Alex Sample", CSC),
            person("Bailey Specimen", HEALTH),
            person("DI Frankie Fiction", POLICE),
            person("Ellis Pretendy", "CAMHS"),
            person("Another Officer", POLICE),
        ],
        "cases": [
            exploitation("CCP-2027-001"),
            exploitation("CCP-2027-002"),
            minutes_case(
                "CCP-2027-003",
                themes=["Out of county placements"],
                escalate_to_partnership=True,
                escalation_reason="Meets the criteria for a rapid review.",
            ),
            minutes_case("CCP-2027-004", themes=["out-of-county placements"]),
            minutes_case("CCP-2027-005"),
            minutes_case("CCP-2027-006"),
        ],
    },
    {
        "meeting": MAY,
        "chair": "Alex Sample",
        "present": [
            person("Alex Sample", CSC),
            person("Bailey Specimen", HEALTH),
            person("Guest Teacher", "Education"),
        ],
        "apologies": [person("DI Frankie Fiction", POLICE)],
        "cases": [
            *[exploitation(f"CCP-2027-{n:03d}") for n in (7, 8, 9, 10)],
            minutes_case("CCP-2027-012", escalate_to_partnership=True, escalation_reason="Review."),
            *[
                minutes_case(
                    f"CCP-2027-00{n}",
                    "progress_review",
                    close_case=True,
                    closure_reason=reason,
                    progress_report=None,
                    actions=[],
                )
                for n, reason in ((3, "Risk reduced."), (4, "risk  reduced"), (6, "Moved away"))
            ],
        ],
    },
]


@pytest.fixture
def year_workspace(workspace, referral_data) -> Any:
    """The test panel with a year of hand-built history in its register and minutes."""
    from workflow.cases.store import CaseRecord

    register = Register.load(workspace.register_file)
    for number, accepted, referred, born, agency, legal, risk, latest in CASES:
        year = accepted[:4] if number != "900" else "2026"
        case_id = f"CCP-{year}-{number}"
        register.append(
            "Cases",
            {
                "case_id": case_id,
                "local_id": f"LCS-{number}",
                "child_name": f"Fictional Child {number}",
                "date_of_birth": d(born),
                "referral_date": d(referred),
                "accepted_on": d(accepted),
                "referring_agency": agency,
                "legal_status": legal,
                "status": "closed" if number in CLOSED else "open",
                "risk_at_referral": risk,
                "risk_latest": latest or None,
                "criteria": CRITERIA.get(number, "High-risk young person"),
                "escalated": False,
                "closed_on": d(CLOSED.get(number)),
            },
        )
        if number in LIVING:
            data = copy.deepcopy(referral_data)
            data["child"]["living_situation"], data["child"]["out_of_area"] = LIVING[number]
            record = CaseRecord.model_validate(
                {
                    "case_id": case_id,
                    "accepted_on": accepted,
                    "referral": data,
                    "attachments": {},
                }
            )
            folder = workspace.case_dir(case_id)
            folder.mkdir(parents=True)
            (folder / "case.json").write_text(record.model_dump_json(), encoding="utf-8")
    for index, (number, meeting, agency, due, status, done, reason) in enumerate(ACTIONS):
        register.append(
            "Actions",
            {
                "action_id": f"CCP-2027-{number}-A{index + 1}",
                "case_id": f"CCP-2027-{number}",
                "meeting": meeting,
                "action": "A fictional action",
                "agency": agency,
                "owner": "A. Owner",
                "due": d(due),
                "status": status,
                "completed_on": d(done),
                "reason_not_done": reason,
            },
        )
    for number, meeting, agency, amount, confirmed in RESOURCES:
        register.append(
            "Resources",
            {
                "case_id": f"CCP-2027-{number}",
                "meeting": meeting,
                "agency": agency,
                "description": "Fictional funding",
                "amount": amount,
                "confirmed": confirmed,
            },
        )
    for number, due, received in PROGRESS:
        register.append(
            "Progress",
            {
                "case_id": f"CCP-2027-{number}",
                "due_meeting": due,
                "format": "In writing",
                "received_on": d(received),
            },
        )
    for record in MINUTES:
        rows = register.find("Meetings", meeting=record["meeting"])
        row = rows[0] if rows else register.append("Meetings", {"meeting": record["meeting"]})
        row.update({"status": "minuted", "version": 1})
    register.save(workspace.register_file, backups_dir=workspace.backups_dir)
    for record in MINUTES:
        store_minutes(workspace, record)
    return workspace


@pytest.fixture
def figures(year_workspace) -> Any:
    with as_of(AFTER_THE_YEAR):
        return gather(year_workspace, report_period(YEAR), as_of=date(2027, 12, 31))


def raw(figures, key: str) -> dict[str, dict[str, Any]]:
    return {row.label: row.values for row in figures.tables[key].rows}


def shown(figures, key: str) -> dict[str, list[str]]:
    return {row.label: [cell.text for cell in cells] for row, cells in figures.shown(key).rows}


def column(figures, key: str, name: str = "children") -> dict[str, Any]:
    return {label: values[name] for label, values in raw(figures, key).items()}


FEW, HIDDEN = "fewer than 5", "not shown"


# --- every figure ---------------------------------------------------------------------------


def test_meetings_and_attendance(figures):
    assert raw(figures, "meetings") == {
        "14 January 2027": {"present": 2, "agencies": 2, "children": 1},
        "11 March 2027": {"present": 5, "agencies": 4, "children": 6},
        "13 May 2027": {"present": 3, "agencies": 3, "children": 8},
        "All 3 meetings": {"present": 10, "agencies": 5, "children": 15},
    }
    # Counts of meetings and people are shown exactly; cases discussed are protected.
    assert shown(figures, "meetings")["14 January 2027"] == ["2", "2", FEW]
    attendance = {label: values[:3] for label, values in shown(figures, "attendance").items()}
    assert attendance == {
        CSC: ["3", "0", "0"],
        HEALTH: ["2", "0", "1"],
        POLICE: ["2", "1", "0"],
        "CAMHS": ["1", "1", "1"],
        "Education": ["1", "0", "2"],
    }
    assert shown(figures, "attendance")[CSC][3] == "100%"


def test_referrals_by_month_and_agency(figures):
    months = column(figures, "referrals_by_month")
    assert len(months) == 13  # twelve months and the total
    assert (months["February 2027"], months["April 2027"]) == (6, 6)
    assert (months["January 2027"], months["Total"]) == (0, 12)
    assert shown(figures, "referrals_by_month")["March 2027"] == ["0"]
    assert column(figures, "referrals_by_agency") == {
        CSC: 7,
        HEALTH: 3,
        POLICE: 2,
        "CAMHS": 0,
        "Total": 12,
    }
    assert shown(figures, "referrals_by_agency") == {
        CSC: ["7"],
        HEALTH: [FEW],
        POLICE: [FEW],
        "CAMHS": ["0"],
        "Total": ["12"],
    }


def test_criteria_count_each_child_once_per_criterion(figures):
    assert column(figures, "criteria") == {
        "Long-term neglect under a child protection plan": 0,
        "Care order not made against local authority advice": 0,
        "High-risk young person": 12,
        "Out-of-county placement lacking co-ordinated services": 0,
        "Multiple complex needs at risk of poor outcomes": 1,
        "Other": 0,
    }


def test_age_bands_on_the_referral_date(figures):
    # 001 is 8; 002 11; 003-006 13 to 15 (003 turned 14 on 1 Jan); 007-012 16 or 17.
    assert column(figures, "age_bands") == {
        "Under 10": 1,
        "10 to 12": 1,
        "13 to 15": 4,
        "16 to 17": 6,
        "18 and over": 0,
        "Total": 12,
    }


def test_legal_status_with_secondary_suppression(figures):
    assert column(figures, "legal_status") == {
        "No legal order": 0,
        "Child in need": 0,
        "Child protection plan": 5,
        "Section 20 (accommodated by agreement)": 1,
        "Interim care order": 0,
        "Care order": 6,
        "Placement order": 0,
        "Other": 0,
        "Total": 12,
    }
    # 12 - 5 - 6 would give the 1 away, and so would hiding the 5: a reader knows a
    # figure "not shown" is at least 5, and 5 + 1 is all that 12 - 6 leaves. Hiding the
    # 6 leaves 7 for two figures, one of 1 to 4 and one of at least 5: 1 or 2.
    shown_status = shown(figures, "legal_status")
    assert shown_status["Child protection plan"] == ["5"]
    assert shown_status["Section 20 (accommodated by agreement)"] == [FEW]
    assert shown_status["Care order"] == [HIDDEN]
    assert shown_status["Interim care order"] == ["0"]  # every status, 0 where none
    assert shown_status["Total"] == ["12"]


def test_living_situation_and_out_of_area_from_the_accepted_referrals(figures):
    assert column(figures, "living_situation") == {
        "With parents": 3,
        "With relatives or friends": 0,
        "Foster care": 2,
        "Residential children's home": 1,
        "Secure accommodation": 0,
        "Supported accommodation": 0,
        "Other": 0,
        "Not recorded": 6,
        "Total": 12,
    }
    assert column(figures, "out_of_area") == {
        "Living in the area": 5,
        "Placed out of area": 1,
        "Not recorded": 6,
        "Total": 12,
    }


def test_risk_at_referral_against_latest(figures):
    assert raw(figures, "risk") == {
        "Low": {"at_referral": 1, "latest": 3},
        "Medium": {"at_referral": 1, "latest": 2},
        "High": {"at_referral": 7, "latest": 5},
        "Very high": {"at_referral": 3, "latest": 1},
        "Not recorded": {"at_referral": 0, "latest": 1},
        "Total": {"at_referral": 12, "latest": 12},
    }


def test_actions_by_agency_and_why_cancelled(figures):
    keys = ("agreed", "completed", "on_time", "open", "overdue", "cancelled")
    table = {label: [values[k] for k in keys] for label, values in raw(figures, "actions").items()}
    assert table == {
        CSC: [8, 5, 4, 1, 1, 1],
        POLICE: [4, 3, 3, 0, 0, 1],
        HEALTH: [2, 0, 0, 0, 1, 1],
        "Total": [14, 8, 7, 1, 2, 3],
    }
    split = raw(figures, "cancelled")
    assert split[CSC] == {"circumstances_changed": 1, "not_undertaken": 0, "no_reason_recorded": 0}
    assert split[POLICE]["not_undertaken"] == 1
    assert split[HEALTH]["no_reason_recorded"] == 1
    shown_actions = shown(figures, "actions")
    # Police agreed fewer than 5 with a cancellation, so completed at most 3 and on time
    # at most 3: beside a total of 7 on time, social care's 4 on time would follow
    # (issue 22). The repair hides the totals of completed and on time, and more.
    assert shown_actions[POLICE][:2] == [FEW, FEW]
    assert shown_actions[CSC][:2] == [HIDDEN, HIDDEN]
    assert shown_actions["Total"][:3] == ["14", HIDDEN, HIDDEN]


def test_resources_and_their_amounts(figures):
    assert raw(figures, "resources") == {
        HEALTH: {"agreed": 5, "confirmed": 5, "amount_agreed": 5000.0, "amount_confirmed": 5000.0},
        CSC: {"agreed": 2, "confirmed": 1, "amount_agreed": 1500.0, "amount_confirmed": 1000.0},
        "Total": {"agreed": 7, "confirmed": 6, "amount_agreed": 6500.0, "amount_confirmed": 6000.0},
    }
    # Social care's two agreements are hidden, so are their amounts, and Health's amount
    # agreed (else the total would give it away). Health's 5 confirmed beside a total of 6
    # would leave exactly 1 for social care: the total confirmed is hidden, and with it
    # the amount confirmed.
    assert shown(figures, "resources") == {
        HEALTH: [HIDDEN, "5", HIDDEN, "£5,000"],
        CSC: [FEW, FEW, HIDDEN, HIDDEN],
        "Total": ["7", HIDDEN, "£6,500", HIDDEN],
    }


def test_escalations_and_themes_from_the_minutes(figures):
    assert column(figures, "escalations") == {
        "Discussed by the panel": 12,
        "Escalated to the Partnership": 2,
    }
    themes = raw(figures, "themes")
    assert themes == {
        "No specialist exploitation worker": {"children": 6, "meetings": 2},
        "Out of county placements": {"children": 2, "meetings": 1},
    }
    assert shown(figures, "themes")["Out of county placements"] == [FEW, "1"]


def test_progress_reports_on_time(figures):
    assert column(figures, "progress", "reports") == {
        # 007 and 008 are due at the July meeting, not yet minuted: not counted.
        "Due at meetings in the period": 4,
        "Received": 4,
        "Received on time": 3,
        "Received late": 1,
        "Not received": 0,
    }


def test_closures_and_why(figures):
    assert column(figures, "closures") == {
        "Low": 2,
        "Medium": 1,
        "High": 0,
        "Very high": 0,
        "Total": 3,
    }
    # "Risk reduced" twice (however typed) and "Moved away" once: too few to quote.
    assert column(figures, "closure_reasons") == {
        "Other reasons, each given for fewer than 5 cases": 3,
        "Total": 3,
    }


def test_time_from_referral_to_first_discussion(figures):
    # February referrals (25-30 Jan) first discussed 11 March: 40-45 days; April ones
    # (20-25 March) on 13 May: 49-54 days (011 was never discussed); the 2026 case
    # referred on 15 November was first discussed on 14 January 2027: 60 days.
    assert column(figures, "time_to_discussion") == {
        "Up to 2 weeks": 0,
        "2 to 4 weeks": 0,
        "4 to 8 weeks": 11,
        "More than 8 weeks": 1,
        "Total": 12,
    }
    assert figures.median_wait == 47  # (45 + 49) / 2


def test_the_year_in_figures(figures):
    assert dict((label, cell.text) for label, cell in figures.summary_cells()) == {
        "Meetings held": "3",
        "Children referred": "12",
        "Children discussed": "12",
        "Actions agreed": "14",
        "Children escalated to the Partnership": FEW,
        "Cases closed": FEW,
    }


def test_a_shorter_period(year_workspace):
    period = report_period(YEAR, date(2027, 4, 1), date(2027, 6, 30))
    with as_of(AFTER_THE_YEAR):
        figures = gather(year_workspace, period, as_of=period.end)
    assert column(figures, "referrals_by_month") == {
        "April 2027": 6,
        "May 2027": 0,
        "June 2027": 0,
        "Total": 6,
    }
    assert list(raw(figures, "meetings")) == ["13 May 2027", "All 1 meetings"]


def test_an_empty_year_reports_zeros(workspace):
    figures = gather(workspace, report_period(2030), as_of=date(2030, 12, 31))
    assert column(figures, "referrals_by_month")["Total"] == 0
    assert raw(figures, "themes") == {}
    assert figures.median_wait is None


# --- the files ------------------------------------------------------------------------------


def run_report(runner, workspace, *args: str):
    with as_of(AFTER_THE_YEAR):
        return runner.invoke(
            cli, ["-w", str(workspace.root), "report", "annual", "--year", str(YEAR), *args]
        )


@pytest.mark.libreoffice
def test_report_command_writes_word_pdf_and_workbook(runner, year_workspace):
    result = run_report(runner, year_workspace)
    assert result.exit_code == 0, result.output
    out = year_workspace.output_dir / "annual"
    names = ["annual-2027.docx", "annual-2027.xlsx", "annual-2027.pdf"]
    for name in names:
        assert f"Wrote output/annual/{name}" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == sorted(names)  # nothing staged is left
    assert "1 January 2027 to 31 December 2027" in result.stdout
    assert re.search(r'\d+ figure\(s\) shown as "fewer than 5", \d+ not shown', result.stdout)

    text = document_text(out / "annual-2027.docx")
    assert "Testshire Complex Child Panel" in text
    assert "1 January 2027 to 31 December 2027" in text
    assert "Referrals by referring agency" in text
    for table in ("Actions agreed, by agency", "Why cases were closed", "Progress reports"):
        assert table in text
    assert "Half the children waited 47 days or fewer" in text
    assert "[ccp-chart" not in text
    document = Document(str(out / "annual-2027.docx"))
    assert document.core_properties.title == "Annual report 2027: Testshire Complex Child Panel"
    pictures = list(document.element.body.iter(qn("wp:docPr")))
    assert len(pictures) == 6
    for picture in pictures:
        assert len(picture.get("descr")) > 40  # every chart has alternative text
    risk = next(p for p in pictures if p.get("title") == "Risk at referral and now")
    assert "High: 7 at referral, 5 latest" in risk.get("descr")
    assert "Low: fewer than 5 at referral, fewer than 5 latest" in risk.get("descr")
    # Header and footer: marking, panel name, page numbers.
    section = document.sections[0]
    header = "\n".join(p.text for p in section.header.paragraphs)
    assert "OFFICIAL-SENSITIVE" in header
    assert "Testshire Complex Child Panel" in header
    codes = [c.text.strip() for c in section.footer._element.iter(qn("w:instrText"))]
    assert codes == ["PAGE", "NUMPAGES"]

    # A figure the rule hides never appears: legal status shows no 6 or 1.
    rows = {
        tuple(cell.text for cell in row.cells) for table in document.tables for row in table.rows
    }
    assert ("Care order", "not shown") in rows
    assert ("Section 20 (accommodated by agreement)", "fewer than 5") in rows

    from pypdf import PdfReader

    pdf = PdfReader(str(out / "annual-2027.pdf"))
    assert pdf.metadata.title == "Annual report 2027: Testshire Complex Child Panel"
    assert "/StructTreeRoot" in pdf.trailer["/Root"]
    xmp = pdf.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert re.search(rb"pdfaid:part(>|=\")2", xmp)
    info = subprocess.run(
        ["pdfinfo", str(out / "annual-2027.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"Tagged:\s+yes", info)

    book = load_workbook(out / "annual-2027.xlsx")
    assert (book.sheetnames[0], book.sheetnames[-1]) == ("Summary", "Notes")
    assert "Legal status" in book.sheetnames
    sheet = book["Legal status"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Legal status", "Children"],
        ["No legal order", 0],
        ["Child in need", 0],
        ["Child protection plan", 5],
        ["Section 20 (accommodated by agreement)", "fewer than 5"],
        ["Interim care order", 0],
        ["Care order", "not shown"],
        ["Placement order", 0],
        ["Other", 0],
        ["Total", 12],
    ]
    notes = {row[0].value: row[1].value for row in book["Notes"].iter_rows(min_row=2)}
    assert "fewer than 5" in notes["Small numbers"]
    assert "accepted" in notes["Referrals by month"]
    for sheet in book.worksheets:
        assert sheet.oddHeader.center.text == "OFFICIAL-SENSITIVE"
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_no_pdf_and_text_that_looks_like_a_formula(runner, year_workspace):
    register = Register.load(year_workspace.register_file)
    register.find("Cases", case_id="CCP-2027-001")[0]["referring_agency"] = "=HYPERLINK(1)"
    register.save(year_workspace.register_file, backups_dir=year_workspace.backups_dir)
    result = run_report(runner, year_workspace, "--no-pdf")
    assert result.exit_code == 0, result.output
    out = year_workspace.output_dir / "annual"
    assert sorted(p.name for p in out.iterdir()) == ["annual-2027.docx", "annual-2027.xlsx"]
    sheet = load_workbook(out / "annual-2027.xlsx")["Referrals by agency"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    typed = next(cell for cell in cells if str(cell.value).startswith("="))
    assert (typed.value, typed.data_type) == ("=HYPERLINK(1)", "s")


def test_missing_libreoffice_is_exit_3_and_writes_nothing(runner, year_workspace, monkeypatch):
    monkeypatch.setenv("CCP_SOFFICE", str(year_workspace.root / "no-such-soffice"))
    result = run_report(runner, year_workspace)
    assert result.exit_code == 3
    assert "LibreOffice" in result.stderr
    assert not (year_workspace.output_dir / "annual").exists()


def test_from_after_to_is_refused(runner, year_workspace):
    result = run_report(runner, year_workspace, "--from", "2027-06-01", "--to", "2027-05-01")
    assert result.exit_code == 1
    assert result.stderr == "Error: --from 2027-06-01 is after --to 2027-05-01\n"


def test_a_failure_leaves_no_report_behind(runner, year_workspace, monkeypatch):
    from workflow.core.errors import ConversionFailed

    def broken(*args, **kwargs):
        raise ConversionFailed("LibreOffice did not write annual-2027.pdf")

    monkeypatch.setattr("workflow.reports.files.convert", broken)
    result = run_report(runner, year_workspace)
    assert result.exit_code == 3
    assert result.stderr == "Error: LibreOffice did not write annual-2027.pdf\n"
    out = year_workspace.output_dir / "annual"
    assert not out.exists() or list(out.iterdir()) == []


def test_an_edited_template_is_used_and_named(runner, year_workspace):
    from workflow.core.resources import bundled_template

    edited = year_workspace.templates_dir / "annual-report.docx"
    document = Document(str(bundled_template("annual-report.docx")))
    document.add_paragraph("Edited by the panel administrator (fictional).")
    document.save(str(edited))
    result = run_report(runner, year_workspace, "--no-pdf")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("Used your edited template templates/annual-report.docx") == 1
    text = document_text(year_workspace.output_dir / "annual" / "annual-2027.docx")
    assert "Edited by the panel administrator (fictional)." in text


def test_the_threshold_comes_from_panel_yaml(runner, year_workspace):
    panel = year_workspace.panel_file
    panel.write_text(panel.read_text() + "small_number_threshold: 7\n", encoding="utf-8")
    result = run_report(runner, year_workspace, "--no-pdf")
    assert result.exit_code == 0, result.output
    sheet = load_workbook(year_workspace.output_dir / "annual" / "annual-2027.xlsx")["Age bands"]
    values = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=2)}
    assert values["16 to 17"] == "fewer than 7"
    # Two months of fewer than 7 referrals each, beside a total of 12, are 6 and 6: the
    # total is not shown (nor, since they count the same children, any table's total).
    assert values["Total"] == "not shown"
