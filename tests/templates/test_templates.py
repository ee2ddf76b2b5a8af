"""The agenda, pack cover, minutes and extract templates against the contexts callers build."""

from __future__ import annotations

import copy
import importlib.util
import re
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn

from workflow.contract import LABELS
from workflow.core.resources import bundled_template
from workflow.documents.render import render_docx
from workflow.documents.text import document_text
from workflow.meetings.minutes import blank_case

BUILD_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_templates.py"
TEMPLATES = ["agenda.docx", "pack-cover.docx", "minutes.docx", "minutes-extract.docx"]

PANEL = {
    "name": "Northshire Complex Child Panel",
    "authority": "Northshire County Council",
    "protective_marking": "OFFICIAL-SENSITIVE",
    "confidentiality_statement": "What is shared here stays here.",
}
MEETING = {"date": date(2027, 3, 11), "time": "10:00-13:00", "venue": "County Hall, Room 4"}
CHAIR = {
    "name": "Alex Sample",
    "role": "Deputy Director, Social Care",
    "agency": "Children's social care",
    "email": "alex.sample@example.org",
}
ADMINISTRATOR = {
    "name": "Jo Placeholder",
    "role": "Panel administrator",
    "agency": "Children's social care",
    "email": "panel@example.org",
}
PRESENT = [
    {"name": "Alex Sample", "role": "Deputy Director, Social Care", "agency": "Social care"},
    {"name": "Dr Rae Notreal", "role": "Clinical lead", "agency": "CAMHS"},
    {"name": "DI Lee Madeup", "role": "Detective inspector", "agency": "Police"},
]
SIGNED = {"name": "Alex Sample", "role": "Chair", "date": date(2027, 3, 20)}
SIGNATURE = "Signed as a true record by Alex Sample, Chair, 20 March 2027"
HOSTILE = "Smith & Sons <b>x</b> \"q\" 'q' {{ case_id }} {% if %} =SUM(A1)\nsecond line"

TOR_12_HEADINGS = [
    "Discussion",
    "Agreed risk level and rationale",
    "Accountable senior manager",
    "Risk management plan",
    "Contingencies",
    "Actions",
    "Resources (in principle or confirmed)",
    "Communication",
    "Monitoring",
    "Progress report",
    "Escalation to the Safeguarding Partnership",
    "Themes (service gaps seen)",
    "Case closure",
]


# --- contexts, in the shapes meetings.pack and meetings.minutes build ------------------------


def agenda_context() -> dict[str, Any]:
    """pack.agenda_context: two new referrals (one late), two reviews (one Red)."""
    papers = ["Chronology", "Risk assessment", "Last review report"]
    return {
        "panel": dict(PANEL),
        "meeting": dict(MEETING),
        "chair": dict(CHAIR),
        "previous": date(2027, 1, 14),
        "next": date(2027, 5, 13),
        "last_minutes_available": True,
        "new_referrals": [
            {
                "case_id": "CCP-2027-004",
                "referring_agency": "Children's social care",
                "risk_level": "Very high",
                "late_accepted_by": None,
                "presenter": "Dana Fictional, Social worker, Children's social care",
                "time": "10:15\u201310:45",
                "missing_papers": [],
                "papers": [{"title": title, "supplied": True} for title in papers],
            },
            {
                "case_id": "CCP-2027-005",
                "referring_agency": "Education (SEND)",
                "risk_level": "High",
                "late_accepted_by": "Alex Sample",
                "presenter": "Jo Madeup, SENCo, Education (SEND)",
                "time": "10:45\u201311:15",
                "missing_papers": ["last review report"],
                "papers": [
                    {"title": title, "supplied": title != "Last review report"} for title in papers
                ],
            },
        ],
        "progress_reviews": [
            {
                "case_id": "CCP-2026-011",
                "referred_by": "Police",
                "presenter": "Robin Imaginary, Social worker, Children's social care",
                "time": "11:15\u201311:45",
                "risk_latest": "Very high",
                "status": "Red",
                "report_received": False,
                "overdue_count": 1,
                "carried_count": 1,
                "open_actions": [
                    {
                        "action_id": "CCP-2026-011-A1",
                        "action": "Convene a placement planning meeting",
                        "agency": "Children's social care",
                        "owner": "Morgan Pretend",
                        "due": date(2027, 2, 1),
                        "status": "Open",
                        "overdue": True,
                        "carried_forward": 2,
                    },
                    {
                        "action_id": "CCP-2026-011-A2",
                        "action": "CAMHS assessment of attachment needs",
                        "agency": "CAMHS",
                        "owner": "Dr Rae Notreal",
                        "due": date(2027, 4, 30),
                        "status": "In progress",
                        "overdue": False,
                        "carried_forward": 0,
                    },
                ],
                "cancelled_actions": [
                    {
                        "action_id": "CCP-2026-011-A3",
                        "action": "Respite placement at weekends",
                        "agency": "Children's social care",
                        "reason": "Not undertaken by the agency",
                    }
                ],
            },
            {
                "case_id": "CCP-2026-009",
                "referred_by": "Youth justice service",
                "presenter": "Lee Notreal, Youth justice officer, Youth justice",
                "time": None,
                "risk_latest": "Medium",
                "status": "Green",
                "report_received": True,
                "overdue_count": 0,
                "carried_count": 0,
                "open_actions": [],
                "cancelled_actions": [
                    {
                        "action_id": "CCP-2026-009-A1",
                        "action": "Youth club place",
                        "agency": "Youth justice service",
                        "reason": "Circumstances changed",
                    }
                ],
            },
        ],
        "strategic_items": [
            {
                "title": "Out-of-county placements",
                "lead": "Sam Invented, Commissioning",
                "notes": "Sufficiency gap for 14-17 year olds.",
                "time": "12:15\u201312:30",
            },
            {"title": "Exploitation pathway", "lead": None, "notes": None, "time": None},
        ],
        "timed": True,
        "restricted_cases": [{"case_id": "CCP-2027-009", "kind": "new"}],
    }


def cover_context() -> dict[str, Any]:
    """pack.cover_context."""
    return {
        "panel": dict(PANEL),
        "meeting": dict(MEETING),
        "prepared_on": date(2027, 2, 25),
        "administrator": dict(ADMINISTRATOR),
        "case_count": 2,
        "review_count": 1,
        "outstanding": [],
    }


def minutes_case(case_id: str = "CCP-2027-004") -> dict[str, Any]:
    """One recorded case, as MinutesCase.model_dump(mode="python") gives it."""
    return {
        "case_id": case_id,
        "kind": "new",
        "presented_by": "Dana Fictional (Social worker) with Morgan Pretend (Service manager)",
        "discussion": "Missing episodes have risen since December.\nPolice link Kai's peers "
        "to supply in Easttown.",
        "risk_level": "very_high",
        "risk_rationale": "Exploitation suspected, frequent missing episodes.",
        "accountable_manager": {
            "name": "Morgan Pretend",
            "role": "Service manager",
            "agency": "Children's social care",
        },
        "risk_management_plan": "One plan led by the social worker; police flag addresses.",
        "contingencies": "If missing for more than 24 hours, strategy meeting the same day.",
        "actions": [
            {
                "action_id": f"{case_id}-A1",
                "description": "Allocate a specialist exploitation worker",
                "agency": "Children's social care",
                "owner": "Morgan Pretend",
                "due": date(2027, 3, 25),
            },
            {
                "action_id": f"{case_id}-A2",
                "description": "Share the disruption plan for Easttown addresses",
                "agency": "Police",
                "owner": "PC Sam Madeup",
                "due": date(2027, 3, 18),
            },
        ],
        "resources": [
            {
                "agency": "Health",
                "description": "Joint funding of a therapeutic mentor (six months)",
                "amount": 4800.0,
                "confirmed": False,
            },
            {
                "agency": "Education",
                "description": "Tuition hours",
                "amount": None,
                "confirmed": True,
            },
        ],
        "communication": "Social worker circulates the revised plan within a week.",
        "monitoring": "Service manager reports to the chair monthly.",
        "progress_report": {"format": "in_person", "due_meeting": date(2027, 5, 13)},
        "escalate_to_partnership": False,
        "escalation_reason": None,
        "themes": ["no_specialist_exploitation_worker", "cross_agency_priorities"],
        "close_case": False,
        "closure_reason": None,
    }


def signed_minutes_context() -> dict[str, Any]:
    """minutes.minutes_context for signing: two cases, version 2 with its changes."""
    review = minutes_case("CCP-2026-011")
    review.update(
        kind="progress_review",
        risk_level="high",
        actions=[],
        resources=[],
        progress_report=None,
        escalate_to_partnership=True,
        escalation_reason="Repeated serious harm despite every agency's plan.",
        themes=[],
        close_case=True,
        closure_reason="Escalated to the Partnership; the panel's work is done.",
    )
    return {
        "panel": dict(PANEL),
        "meeting": dict(MEETING),
        "record": {
            "meeting": MEETING["date"],
            "chair": "Alex Sample",
            "present": copy.deepcopy(PRESENT),
            "apologies": [{"name": "Pat Absent", "role": "Head teacher", "agency": "Education"}],
            "cases": [minutes_case(), review],
            "strategic_items": [
                {
                    "title": "Out-of-county placements",
                    "notes": "Commissioning to report on sufficiency.",
                    "actions": [
                        {
                            "description": "Sufficiency report to the panel",
                            "agency": "Commissioning",
                            "owner": "Sam Invented",
                            "due": date(2027, 5, 13),
                        }
                    ],
                }
            ],
            "any_other_business": None,
        },
        "attending": [{"name": "Dana Fictional (Social worker)", "item": "2. Case CCP-2027-004"}],
        "draft": False,
        "version": 2,
        "signed": dict(SIGNED),
        "changes": ["Action 2 of CCP-2027-004: due date corrected"],
        "restricted_cases": ["CCP-2027-009"],
    }


def draft_minutes_context() -> dict[str, Any]:
    """minutes.minutes_context(draft_data(...), version=None, signed=None, changes=[])."""
    new = blank_case("CCP-2027-004", "new")
    new["presented_by"] = "Dana Fictional (Social worker)"
    new["risk_level"] = "very_high"
    new["accountable_manager"] = {
        "name": "Morgan Pretend",
        "role": "Service manager",
        "agency": "Children's social care",
    }
    return {
        "panel": dict(PANEL),
        "meeting": {"date": MEETING["date"], "time": None, "venue": None},
        "record": {
            "meeting": MEETING["date"],
            "chair": "Alex Sample",
            "present": copy.deepcopy(PRESENT),
            "apologies": [],
            "cases": [new, blank_case("CCP-2026-011", "progress_review")],
            "strategic_items": [
                {"title": "Out-of-county placements", "notes": None, "actions": []}
            ],
            "any_other_business": None,
        },
        "attending": [{"name": "Dana Fictional (Social worker)", "item": "2. Case CCP-2027-004"}],
        "draft": True,
        "version": None,
        "signed": None,
        "changes": [],
        "restricted_cases": [],
    }


def extract_context() -> dict[str, Any]:
    """minutes.extract_context for CCP-2027-004."""
    return {
        "panel": dict(PANEL),
        "meeting": {"date": MEETING["date"]},
        "chair": "Alex Sample",
        "present": copy.deepcopy(PRESENT),
        "case": minutes_case(),
        "child": {"name": "Kai Example-Rivers", "local_id": "LCS-000731"},
        "key_worker": {
            "name": "Dana Fictional",
            "role": "Social worker",
            "agency": "Children's social care",
            "email": None,
            "phone": None,
            "key_worker": True,
        },
        "version": 2,
        "signed": dict(SIGNED),
    }


CONTEXTS = {
    "agenda.docx": agenda_context,
    "pack-cover.docx": cover_context,
    "minutes.docx": signed_minutes_context,
    "minutes-extract.docx": extract_context,
}


def render(name: str, context: dict[str, Any], tmp_path: Path) -> Path:
    out = tmp_path / f"rendered-{name}"
    return render_docx(bundled_template(name), context, out, labels=LABELS)


def body_lines(path: Path) -> list[str]:
    """Body text only (headers and footers left out), one paragraph a line."""
    document = Document(str(path))
    texts = []
    for paragraph in document.element.body.iter(qn("w:p")):
        texts.append("".join(node.text or "" for node in paragraph.iter(qn("w:t"))))
    return texts


def header_footer_text(path: Path) -> str:
    section = Document(str(path)).sections[0]
    return "\n".join(p.text for part in (section.header, section.footer) for p in part.paragraphs)


def headings(path: Path, level: int = 1) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.style.name == f"Heading {level}"]


def field_labels(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.style.name == "Field label"]


def table_rows(path: Path) -> list[list[str]]:
    rows = []
    for table in Document(str(path)).tables:
        for row in table.rows:
            rows.append([cell.text for cell in row.cells])
    return rows


def fill_of(cell: Any) -> str | None:
    shd = cell._tc.tcPr.find(qn("w:shd")) if cell._tc.tcPr is not None else None
    return None if shd is None else shd.get(qn("w:fill"))


# --- every template ----------------------------------------------------------------------


@pytest.mark.parametrize("name", TEMPLATES)
def test_committed_template_matches_the_build_script(tmp_path, monkeypatch, name):
    """templates/<name> is what `python scripts/build_templates.py` writes."""
    spec = importlib.util.spec_from_file_location("build_templates", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    module.BUILDERS[name](tmp_path / name)
    assert (tmp_path / name).read_bytes() == bundled_template(name).read_bytes()


@pytest.mark.parametrize("name", ["referral.docx", *TEMPLATES])
def test_every_template_tag_is_in_one_run(name):
    """docxtpl cannot render a tag that Word has split across runs."""
    with zipfile.ZipFile(bundled_template(name)) as package:
        for part in package.namelist():
            if not re.match(r"word/(document|header\d*|footer\d*)\.xml$", part):
                continue
            xml = package.read(part).decode("utf-8")
            for run in re.findall(r"<w:r[ >].*?</w:r>", xml, flags=re.DOTALL):
                text = "".join(re.findall(r"<w:t[^>]*>(.*?)</w:t>", run, flags=re.DOTALL))
                assert text.count("{{") == text.count("}}"), (part, text)
                assert text.count("{%") == text.count("%}"), (part, text)


@pytest.mark.parametrize("name", TEMPLATES)
def test_header_and_footer_carry_marking_panel_and_page_numbers(tmp_path, name):
    out = render(name, CONTEXTS[name](), tmp_path)
    section = Document(str(out)).sections[0]
    marking = section.header.paragraphs[0]
    assert marking.text == "OFFICIAL-SENSITIVE"
    assert marking.style.font.bold
    assert any(PANEL["name"] in p.text for p in section.header.paragraphs)
    codes = [code.text.strip() for code in section.footer._element.iter(qn("w:instrText"))]
    assert codes == ["PAGE", "NUMPAGES"]


@pytest.mark.parametrize(
    ("name", "context"),
    [
        ("agenda.docx", agenda_context),
        ("pack-cover.docx", cover_context),
        ("minutes.docx", signed_minutes_context),
        ("minutes.docx", draft_minutes_context),
        ("minutes-extract.docx", extract_context),
    ],
    ids=["agenda", "cover", "signed-minutes", "draft-minutes", "extract"],
)
def test_none_never_shows(tmp_path, name, context):
    text = document_text(render(name, context(), tmp_path))
    assert re.findall(r"\bNone\b(?!\.)", text) == []


# --- agenda ------------------------------------------------------------------------------

AGENDA_ITEMS = [
    "1. Welcome, introductions, confidentiality and apologies",
    "2. Minutes of the last meeting and matters arising",
    "3. New referrals",
    "4. Progress reviews due",
    "5. Strategic safeguarding items",
    "6. Any other business",
    "7. Date of next meeting",
]


@pytest.fixture
def agenda(tmp_path) -> Path:
    return render("agenda.docx", agenda_context(), tmp_path)


def test_agenda_items_in_order(agenda):
    assert headings(agenda) == [*AGENDA_ITEMS, "Annex: actions of the cases under review"]
    # Only cases with open or cancelled actions are in the annex.
    assert headings(agenda, 2) == ["CCP-2026-011", "CCP-2026-009"]
    lines = body_lines(agenda)
    assert lines[:2] == ["Agenda", PANEL["name"]]
    # Signed minutes are agreed already (issue 22): the item only reviews matters arising.
    text = "\n".join(lines)
    assert (
        "The minutes of the meeting on 14 January 2027, signed as a true record, are in this "
        "pack: to review matters arising." in text
    )
    assert "To agree the minutes" not in text
    assert lines[lines.index("7. Date of next meeting") + 1] == "13 May 2027"


def test_agenda_new_referrals_table_gives_time_presenter_and_missing_papers(agenda):
    rows = table_rows(agenda)
    header = ["Time", "Case ID", "Presented by", "Risk at referral", "Papers"]
    start = rows.index(header)
    assert rows[start + 1] == [
        "10:15\u201310:45",
        "CCP-2027-004",
        "Dana Fictional, Social worker, Children's social care",
        "Very high",
        "All supplied",
    ]
    assert rows[start + 2][1] == "CCP-2027-005\n(late referral)"
    assert rows[start + 2][4] == "Not supplied: last review report"
    text = document_text(agenda)
    assert "Late referral: CCP-2027-005 reached the panel after the referral deadline and " in (
        text
    )
    assert "accepted by Alex Sample, the chair." in text


def test_agenda_progress_reviews_show_rag_and_overdue_by_the_meeting_date(agenda):
    document = Document(str(agenda))
    rows = table_rows(agenda)
    header = ["Time", "Case ID", "Presented by", "Latest risk", "Status", "Report and actions"]
    start = rows.index(header)
    assert rows[start + 1] == [
        "11:15\u201311:45",
        "CCP-2026-011",
        "Robin Imaginary, Social worker, Children's social care",
        "Very high",
        "Red",
        "Report not yet received\n2 open actions, 1 overdue by the meeting date, 1 carried "
        "forward\n1 cancelled",
    ]
    assert rows[start + 2][0] == ""  # no time given
    assert rows[start + 2][4:] == ["Green", "Report received\n0 open actions\n1 cancelled"]
    status_cells = [
        row.cells[4] for table in document.tables for row in table.rows[1:]
        if len(row.cells) == 6 and row.cells[1].text.startswith("CCP")
    ]  # fmt: skip
    assert [fill_of(cell) for cell in status_cells] == ["FF7C80", "92D050"]
    overdue = next(row for row in rows if row[0] == "CCP-2026-011-A1")
    assert overdue[-3:] == ["1 February 2027", "Overdue", "2"]  # carried to two meetings
    assert next(row for row in rows if row[0] == "CCP-2026-011-A2")[-2:] == ["In progress", "0"]
    text = document_text(agenda)
    assert "Overdue: due before the meeting date, 11 March 2027." in text
    overdue_cell = next(
        row.cells[-2] for table in document.tables for row in table.rows
        if row.cells[0].text == "CCP-2026-011-A1"
    )  # fmt: skip
    assert fill_of(overdue_cell) == "F8CBAD"


def test_agenda_annex_gives_carried_forward_and_cancelled_actions_with_reason(agenda):
    """Issue 11: why an action is not done matters; panels review the two reasons apart."""
    rows = table_rows(agenda)
    header = ["Action ID", "Action", "Agency", "Owner", "Due", "Status", "Carried forward"]
    assert rows.count(header) == 1  # CCP-2026-009 has no open actions
    assert ["Action ID", "Action", "Agency", "Why not done"] in rows
    assert [
        "CCP-2026-011-A3",
        "Respite placement at weekends",
        "Children's social care",
        "Not undertaken by the agency",
    ] in rows
    assert [
        "CCP-2026-009-A1",
        "Youth club place",
        "Youth justice service",
        "Circumstances changed",
    ] in rows
    lines = body_lines(agenda)
    assert lines.count("Cancelled actions") == 2
    annex = lines[lines.index("Annex: actions of the cases under review") :]
    assert annex[annex.index("CCP-2026-009") + 1] == "No open actions."


def test_agenda_with_nothing_on_it_says_none(tmp_path):
    context = agenda_context()
    context.update(
        new_referrals=[],
        progress_reviews=[],
        strategic_items=[],
        previous=None,
        next=None,
        last_minutes_available=False,
    )
    context["meeting"].update(time=None, venue=None)
    out = render("agenda.docx", context, tmp_path)
    lines = body_lines(out)
    for item in ("3. New referrals", "4. Progress reviews due", "5. Strategic safeguarding items"):
        assert lines[lines.index(item) + 1] == "None."
    assert lines[lines.index("2. Minutes of the last meeting and matters arising") + 1] == (
        "No previous meeting."
    )
    assert lines[-1] == "To be arranged."
    assert table_rows(out)[0][3] == "To be confirmed"


def test_agenda_footer(agenda):
    assert "Agenda, 11 March 2027\tOFFICIAL-SENSITIVE\tPage " in header_footer_text(agenda)


# --- pack cover --------------------------------------------------------------------------


def test_cover_ends_with_contents_and_carries_the_marking(tmp_path):
    out = render("pack-cover.docx", cover_context(), tmp_path)
    document = Document(str(out))
    paragraphs = document.paragraphs
    assert paragraphs[-1].text == "Contents"
    assert paragraphs[-1].style.name not in ("Heading 1", "Heading 2")
    assert paragraphs[-1].style.paragraph_format.page_break_before
    body = "\n".join(body_lines(out))
    for expected in (
        "Northshire County Council",
        PANEL["name"],
        "Circulation pack",
        "11 March 2027",
        "10:00-13:00  ·  County Hall, Room 4",
        "2 new referrals and 1 progress review, with their papers.",
        "OFFICIAL-SENSITIVE",
        "Do not forward",
        "Destroy your copy after the meeting",
        "Prepared by Jo Placeholder, Panel administrator, Children's social care, "
        "on 25 February 2027.",
    ):
        assert expected in body
    assert "Circulation pack, 11 March 2027" in header_footer_text(out)
    for style in ("Heading 1", "Heading 2"):
        assert document.styles[style].font.color.rgb is not None


def test_cover_without_authority_time_or_venue(tmp_path):
    context = cover_context()
    context["panel"]["authority"] = None
    context["meeting"].update(time=None, venue=None)
    context.update(case_count=0, review_count=1)
    context["administrator"]["email"] = None
    body = body_lines(render("pack-cover.docx", context, tmp_path))
    assert body[0] == PANEL["name"]
    assert "Time and venue to be confirmed" in body
    assert "No new referrals and 1 progress review, with their papers." in body
    assert not any(line.startswith("Questions about") for line in body)


def test_pack_contents_are_appended_after_the_cover(tmp_path):
    """What workflow.meetings.pack does: contents lines after "Contents", then sections composed."""
    from workflow.documents.compose import Part, add_contents, compose

    cover = render("pack-cover.docx", cover_context(), tmp_path)
    agenda = render("agenda.docx", agenda_context(), tmp_path)
    parts = [Part("Agenda", agenda), Part("CCP-2027-004: Chronology", note="Separate.", level=2)]
    document = Document(str(cover))
    add_contents(document, parts, ["", ""])
    document.save(str(cover))
    pack = compose(cover, parts, tmp_path / "pack.docx")
    lines = body_lines(pack)
    start = lines.index("Contents")
    assert lines[start + 1 : start + 4] == ["Agenda", "CCP-2027-004: Chronology", "Agenda"]
    assert "Circulation pack, 11 March 2027" in header_footer_text(pack)


# --- minutes -----------------------------------------------------------------------------


@pytest.fixture
def signed_minutes(tmp_path) -> Path:
    return render("minutes.docx", signed_minutes_context(), tmp_path)


@pytest.fixture
def draft_minutes(tmp_path) -> Path:
    return render("minutes.docx", draft_minutes_context(), tmp_path)


def test_minutes_headings_and_tor_12_sections_per_case(signed_minutes):
    assert headings(signed_minutes) == [
        "Changes in this version",
        "1. Present and apologies",
        "2. Case CCP-2027-004: New referral",
        "3. Case CCP-2026-011: Progress review",
        "4. Strategic safeguarding items",
        "5. Any other business",
    ]
    labels = field_labels(signed_minutes)
    assert labels[:4] == ["Confidentiality", "Present", "Apologies", "In attendance for an item"]
    cases = labels[4:]
    assert cases[: len(TOR_12_HEADINGS)] == TOR_12_HEADINGS
    assert cases[len(TOR_12_HEADINGS) : 2 * len(TOR_12_HEADINGS)] == TOR_12_HEADINGS


def test_signed_minutes_record_the_decisions(signed_minutes):
    text = document_text(signed_minutes)
    rows = table_rows(signed_minutes)
    assert "Agreed risk level: Very high" in text
    assert "Agreed risk level: High" in text
    assert ["Action ID", "Action", "Agency", "Owner", "Due"] in rows
    assert ["CCP-2027-004-A2", "Share the disruption plan for Easttown addresses", "Police",
            "PC Sam Madeup", "18 March 2027"] in rows  # fmt: skip
    assert ["Health", "Joint funding of a therapeutic mentor (six months)", "£4,800.00",
            "In principle"] in rows  # fmt: skip
    assert ["Education", "Tuition hours", "", "Confirmed"] in rows
    assert ["Report to the panel", "In person"] in rows
    assert ["Due at the panel of", "13 May 2027"] in rows
    assert ["Escalate for a practice review", "No"] in rows
    assert ["Escalate for a practice review", "Yes"] in rows
    assert ["Reason", "Repeated serious harm despite every agency's plan."] in rows
    assert ["Close the case", "No: the case stays open"] in rows
    assert ["Close the case", "Yes: the case is closed"] in rows
    assert "No specialist exploitation worker" in text
    assert "No further progress report is required." in text
    assert "No actions agreed." in text
    assert "No other business." in text
    assert "Missing episodes have risen since December.\nPolice link" in text


def test_signed_minutes_version_changes_and_signature(signed_minutes):
    lines = body_lines(signed_minutes)
    assert lines[-1] == SIGNATURE
    assert "Action 2 of CCP-2027-004: due date corrected" in lines
    assert "draft" not in document_text(signed_minutes).lower()
    assert "Minutes, 11 March 2027, version 2\t" in header_footer_text(signed_minutes)
    assert ["Version", "2", "Signed", "Alex Sample, 20 March 2027"] in table_rows(signed_minutes)


def test_signed_minutes_without_changes_have_no_changes_list(tmp_path):
    context = signed_minutes_context()
    context.update(changes=[], version=1)
    out = render("minutes.docx", context, tmp_path)
    assert "Changes in this version" not in document_text(out)
    assert body_lines(out)[-1] == SIGNATURE


def test_draft_minutes_are_marked_and_blank_to_write_in(draft_minutes):
    text = document_text(draft_minutes)
    assert "None" not in text
    header = Document(str(draft_minutes)).sections[0].header
    assert "DRAFT — not a record until signed by the chair" in [p.text for p in header.paragraphs]
    assert "DRAFT — not a record until signed by the chair" in body_lines(draft_minutes)
    assert "Minutes, 11 March 2027 (draft)\t" in header_footer_text(draft_minutes)
    assert "Signed as a true record" not in text
    labels = field_labels(draft_minutes)
    assert labels.count("Discussion") == 2
    for heading in TOR_12_HEADINGS:
        assert heading in labels
    rows = table_rows(draft_minutes)
    # Pre-filled values show; tick boxes where the panel decides.
    assert ["Presented by", "Dana Fictional (Social worker)"] in rows
    assert ["Presented by", ""] in rows
    assert ["Morgan Pretend", "Service manager", "Children's social care"] in rows
    assert ["", "", ""] in rows  # the blank manager, and blank attendee rows
    assert ["Report to the panel", "☐ In writing    ☐ In person"] in rows
    assert ["Due at the panel of", ""] in rows
    assert ["Escalate for a practice review", "☐ Yes    ☐ No"] in rows
    assert ["Reason", ""] in rows
    assert "Agreed risk level: ☐ Low    ☐ Medium    ☐ High    ☐ Very high    (before the " \
        "meeting: Very high)" in text  # fmt: skip
    # The draft's blank action leaves no numbered empty row, only rows to write in.
    blank_actions = [row for row in rows if len(row) == 5 and not any(row)]
    assert len(blank_actions) == 3 * 3  # two cases and one strategic item
    assert not any(row[:1] == ["1"] and not any(row[1:]) for row in rows)
    assert "No themes recorded." not in text
    assert "No actions agreed." not in text
    assert "No apologies." not in text


def test_minutes_amount_formats(tmp_path):
    context = signed_minutes_context()
    context["record"]["cases"][0]["resources"][0]["amount"] = 1234567.5
    context["record"]["cases"][0]["resources"][1]["amount"] = 0.0
    rows = table_rows(render("minutes.docx", context, tmp_path))
    assert ["Health", "Joint funding of a therapeutic mentor (six months)", "£1,234,567.50",
            "In principle"] in rows  # fmt: skip
    assert ["Education", "Tuition hours", "£0.00", "Confirmed"] in rows


# --- extract -----------------------------------------------------------------------------


@pytest.fixture
def extract(tmp_path) -> Path:
    return render("minutes-extract.docx", extract_context(), tmp_path)


def test_extract_names_the_child_in_the_body_only(extract):
    lines = body_lines(extract)
    assert lines[:3] == [
        "Extract from the minutes of the Northshire Complex Child Panel",
        "Meeting of 11 March 2027",
        "For Dana Fictional, Social worker, Children's social care "
        "(key worker / lead professional)",
    ]
    rows = table_rows(extract)
    assert ["Child", "Kai Example-Rivers", "Local ID", "LCS-000731"] in rows
    place = header_footer_text(extract)
    assert "Kai" not in place
    assert "Example-Rivers" not in place
    assert "LCS-000731" not in place
    assert "Case CCP-2027-004\tOFFICIAL-SENSITIVE\tPage " in place


def test_extract_holds_its_case_as_the_minutes_do(extract, signed_minutes):
    assert headings(extract) == ["1. Present at the meeting", "2. Case CCP-2027-004: New referral"]
    assert field_labels(extract) == TOR_12_HEADINGS
    assert "CCP-2026-011" not in document_text(extract)
    assert body_lines(extract)[-1] == SIGNATURE

    def case_lines(path: Path, case_heading: str) -> list[str]:
        lines = body_lines(path)
        start = lines.index(case_heading)
        end = next(i for i, line in enumerate(lines) if i > start and line == "Case closure")
        return lines[start + 1 : end + 3]

    minutes_case_lines = case_lines(signed_minutes, "2. Case CCP-2027-004: New referral")
    assert case_lines(extract, "2. Case CCP-2027-004: New referral") == minutes_case_lines


# --- typed text stays exact --------------------------------------------------------------


def test_typed_text_comes_back_exactly(tmp_path):
    agenda = agenda_context()
    agenda["panel"]["name"] = HOSTILE
    agenda["new_referrals"][0]["presenter"] = HOSTILE
    agenda["progress_reviews"][0]["open_actions"][0]["action"] = HOSTILE
    agenda["strategic_items"][0]["notes"] = HOSTILE
    out = render("agenda.docx", agenda, tmp_path)
    assert body_lines(out)[1] == HOSTILE.replace("\n", "")  # w:t text, break between
    assert document_text(out).count(HOSTILE) == 5  # header, body name, three values

    minutes = signed_minutes_context()
    case = minutes["record"]["cases"][0]
    for name in ("discussion", "risk_management_plan", "presented_by"):
        case[name] = HOSTILE
    case["actions"][0]["description"] = HOSTILE
    case["resources"][0]["description"] = HOSTILE
    minutes["changes"] = [HOSTILE]
    minutes["signed"]["name"] = "O'Brien & <Co>"
    out = render("minutes.docx", minutes, tmp_path)
    assert document_text(out).count(HOSTILE) == 6
    assert body_lines(out)[-1] == "Signed as a true record by O'Brien & <Co>, Chair, 20 March 2027"

    extract = extract_context()
    extract["child"]["name"] = HOSTILE
    extract["case"]["contingencies"] = HOSTILE
    out = render("minutes-extract.docx", extract, tmp_path)
    assert document_text(out).count(HOSTILE) == 2
    assert HOSTILE not in header_footer_text(out)

    cover = cover_context()
    cover["administrator"]["name"] = HOSTILE
    cover["panel"]["protective_marking"] = "OFFICIAL-SENSITIVE & <PERSONAL>"
    out = render("pack-cover.docx", cover, tmp_path)
    text = document_text(out)
    assert f"Prepared by {HOSTILE}, Panel administrator" in text
    assert text.count("OFFICIAL-SENSITIVE & <PERSONAL>") == 3  # header, cover, footer


def test_signed_minutes_give_the_minute_taker_and_the_next_meeting(tmp_path):
    context = signed_minutes_context()
    context["record"]["minute_taker"] = "Casey Mockup"
    context["meeting"]["next_date"] = date(2027, 5, 13)
    rows = table_rows(render("minutes.docx", context, tmp_path))
    assert ["Minute-taker", "Casey Mockup", "Next meeting", "13 May 2027"] in rows


def test_minutes_without_minute_taker_or_next_meeting_say_so(tmp_path):
    rows = table_rows(render("minutes.docx", signed_minutes_context(), tmp_path))
    assert ["Minute-taker", "Not recorded", "Next meeting", "To be arranged"] in rows


def test_cover_says_how_many_items_are_outstanding_and_which(tmp_path):
    context = cover_context()
    context["outstanding"] = ["CCP-2027-005: no last review report", "CCP-2026-011: progress "
                              "report not yet received"]  # fmt: skip
    text = document_text(render("pack-cover.docx", context, tmp_path))
    assert "2 new referrals and 1 progress review.\n" in text
    assert "Not complete: 2 items outstanding\n•\tCCP-2027-005: no last review report\n" in text
    assert "with their papers" not in text
    complete = document_text(render("pack-cover.docx", cover_context(), tmp_path))
    assert "2 new referrals and 1 progress review, with their papers." in complete
    assert "Not complete" not in complete


def test_agenda_reviews_read_carried_forward_and_reasons_from_the_register(
    workspace, inbox, referral_data, tmp_path
):
    """What `minutes record` and the administrator keep in Actions reaches the agenda."""
    from between_meetings import NEXT, edit_cells, minute_first_meeting

    from workflow.meetings.agenda import agenda_for, review_context
    from workflow.register import Register

    minute_first_meeting(workspace, inbox, referral_data, tmp_path)
    book = workspace.register_file
    edit_cells(book, "Actions", {"Action ID": "CCP-2027-001-A1"}, {"Carried forward": 2})
    edit_cells(
        book,
        "Actions",
        {"Action ID": "CCP-2027-001-A2"},
        {"Status": "Cancelled", "Reason not done": "not undertaken"},
    )
    edit_cells(book, "Actions", {"Action ID": "CCP-2027-002-A2"}, {"Status": "Cancelled"})

    agenda = agenda_for(workspace, NEXT, Register.load(book))
    first, second = (review_context(review, None) for review in agenda.progress_reviews)

    assert [(a["action_id"], a["carried_forward"]) for a in first["open_actions"]] == [
        ("CCP-2027-001-A1", 2)
    ]
    assert first["carried_count"] == 1
    assert [(a["action_id"], a["reason"]) for a in first["cancelled_actions"]] == [
        ("CCP-2027-001-A2", "Not undertaken by the agency")
    ]
    assert [a["carried_forward"] for a in second["open_actions"]] == [0]
    assert [(a["action_id"], a["reason"]) for a in second["cancelled_actions"]] == [
        ("CCP-2027-002-A2", "No reason recorded")
    ]


def test_agenda_asks_to_agree_the_last_minutes_only_when_they_are_not_yet_signed(tmp_path):
    context = {**agenda_context(), "last_minutes_available": False}
    text = "\n".join(body_lines(render("agenda.docx", context, tmp_path)))
    assert (
        "To agree the minutes of the meeting on 14 January 2027, and to review matters arising."
        in text
    )
