"""The demo's year: plainly fictional referrals, meetings and outcomes, then the annual report.

`ccp demo` walks one meeting cycle in detail; this carries the panel on through the later
meetings of its year, so the annual report has something in every table and chart, and
the small-number rule visibly applies. Everything goes through the same doors a real panel
uses: cases and outcomes through the register API, decisions through `minutes record`.
Every child is "Demo Child NN (fictional)"; every person, place and number is invented.
"""

from __future__ import annotations

import copy
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from workflow.cases.actions import apply_status
from workflow.cases.referrals import case_row, next_case_id
from workflow.cases.store import CaseRecord
from workflow.contract import Referral
from workflow.contract.terms import CANCELLED, COMPLETED, REASONS_NOT_DONE
from workflow.core.dates import as_date, as_of, months_before, today
from workflow.core.files import file_mode, write_text
from workflow.demo.data import demo_referrals
from workflow.demo.papers import write_paper
from workflow.forms.loading import dump_yaml
from workflow.meetings.recording import record_minutes
from workflow.meetings.records import complete_path
from workflow.meetings.signing import sign_minutes
from workflow.register import Register
from workflow.reports.commentary import load_commentary
from workflow.reports.counting import panel_period
from workflow.reports.files import write_annual_report
from workflow.workspace.paths import Workspace
from workflow.workspace.transaction import transaction

SEED = 2027  # the same fictional year on every run
NEW_PER_MEETING = (6, 5, 6, 5)
AGENCIES = (
    ("Children's social care", 8),
    ("Health", 3),
    ("Police", 3),
    ("Education", 2),
    ("Youth justice", 1),
)
ACTION_OWNERS = {
    "Children's social care": "Morgan Pretend",
    "Health": "Dr Devi Imaginary",
    "Police": "PC Sam Madeup",
    "Education": "Harper Notional",
    "Youth justice": "Gale Invent",
    "CAMHS": "Ellis Pretendy",
}
THEMES = (
    ("no_specialist_exploitation_worker", 5),
    ("out_of_county_placements", 4),
    ("camhs_waiting_times", 4),
    ("no_specialist_parenting_assessment", 2),
    ("cross_agency_priorities", 2),
    ("transition_to_adult_services", 1),
)
LIVING = (
    ("foster_care", 4),
    ("residential", 3),
    ("with_parents", 4),
    ("with_relatives", 1),
    ("supported_accommodation", 2),
    ("secure", 1),
)
LEGAL = (
    ("care_order", 4),
    ("child_protection_plan", 4),
    ("section_20", 2),
    ("child_in_need", 2),
    ("interim_care_order", 1),
)
CRITERIA = ("high_risk", "multiple_needs", "out_of_county", "care_order_refused")
CLOSED_BECAUSE = "Risk reduced: the child's plan is working and single-agency oversight is enough"
# The chair's words for the demo's annual report (fictional, like everything here).
DEMO_COMMENTARY = """\
# The chair's commentary for the demo's annual report (fictional).
commentary: |
  This was the panel's first full year. Senior members from every agency came to most
  meetings, and the panel agreed its actions with named owners and dates.

  Progress reports did not always reach the panel in time to go out with its papers;
  the panel has asked every agency to send them two weeks before the meeting.
impact: |
  For most children the panel discussed, the risk it agreed came down over the year, and
  many of their cases closed with single-agency oversight enough.
themes:
  - theme: "CAMHS waiting times"
    comment: |
      Waits for a first CAMHS appointment held up the plans of many children referred.
  - theme: "No specialist exploitation worker"
    comment: |
      Plans for children at risk of exploitation waited for a specialist worker.
recommendations:
  - recommendation: Ask the health partners to report to the Board on CAMHS waiting times
      for children open to the panel.
    owner: Safeguarding Partnership
  - recommendation: Fund a specialist exploitation worker shared by social care and police.
    owner: Children's social care and Police
"""

RARE_REASONS = ("Moved out of the area; case transferred", "Turned 18; adult services lead")


def demo_rng() -> random.Random:
    """The demo year's dice: the same fictional year on every run."""
    return random.Random(SEED)


def accept_demo_referrals(
    workspace: Workspace, meeting: date, number: int, rng: random.Random
) -> None:
    """The fictional referrals for the `number`th later meeting, three weeks before it:
    before its pack is built, so the pack lists them."""
    count = NEW_PER_MEETING[number % len(NEW_PER_MEETING)]
    with as_of(meeting - timedelta(days=20)):
        _accept_referrals(workspace, meeting, count, rng)


def demo_year(
    workspace: Workspace,
    meetings: list[date],
    now: date,
    result: Any,
    *,
    pdf: bool,
    rng: random.Random,
    accepted: frozenset[date] = frozenset(),
) -> None:
    """Carry the demo panel through the rest of its year, then write the annual report.
    Referrals for the meetings in `accepted` were taken already (before their pack)."""
    start = now.replace(day=1)
    end = months_before(start, -12) - timedelta(days=1)
    later = [day for day in meetings[1:-1] if day <= end]
    recorded: list[Path] = []
    signed = []
    for number, meeting in enumerate(later):
        following = meetings[meetings.index(meeting) + 1]
        if meeting not in accepted:
            accept_demo_referrals(workspace, meeting, number, rng)
        with as_of(meeting - timedelta(days=10)):
            _between_meetings(workspace, meeting, rng)
        with as_of(meeting + timedelta(days=1)):
            recorded.append(_record_meeting(workspace, meeting, following, rng))
        if pdf:
            # The chair signs within the week, as panel.yaml's timeliness asks.
            with as_of(meeting + timedelta(days=6)):
                signed.append(sign_minutes(workspace, meeting, workspace.panel.chair.name))
    with as_of(end - timedelta(days=3)):
        _between_meetings(workspace, end, rng)
    result.add("The rest of the demo year: fictional referrals and minutes recorded", recorded)
    if signed:
        result.add(
            f"Their minutes signed by {workspace.panel.chair.name}",
            [outcome.written[0] for outcome in signed],
        )
    period = panel_period(workspace.panel, start.year)
    chair = workspace.root / "inbox" / f"chair-commentary-{period.slug}.yaml"
    write_text(chair, DEMO_COMMENTARY)
    with as_of(end + timedelta(days=14)):
        report = write_annual_report(workspace, period, pdf=pdf, commentary=load_commentary(chair))
    small, hidden = report.hidden_counts
    result.add(
        f"Annual report {period.label} ({period.words}; {small} small number(s) shown as "
        f'"fewer than {report.figures.threshold}", {hidden} more not shown)',
        [chair, *report.written],
    )


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    names = [name for name, _ in weighted]
    return rng.choices(names, weights=[weight for _, weight in weighted])[0]


def _accept_referrals(workspace: Workspace, meeting: date, count: int, rng: random.Random) -> None:
    accepted_on = today()
    with transaction(workspace, "demo") as change:
        register = change.register
        for _ in range(count):
            case_id = next_case_id(workspace, register, meeting.year)
            serial = case_id.rsplit("-", 1)[1]
            data = _fictional_referral(meeting, accepted_on, serial, rng)
            referral = Referral.model_validate(data)
            record = CaseRecord(
                case_id=case_id,
                accepted_on=accepted_on,
                referral=referral,
                attachments=_papers_sent(workspace, case_id),
            )
            write_text(
                workspace.case_dir(case_id) / "case.json",
                record.model_dump_json(indent=2),
                mode=file_mode(workspace.panel.shared_group),
            )
            register.append("Cases", case_row(record))
            register.audit(
                command="demo",
                action="accepted referral (fictional demo history)",
                target=case_id,
                detail=f"for the {meeting.isoformat()} meeting",
            )
        change.commit()


# As accepted through `ccp referral add`: stored under the case folder by these names.
PAPER_FILES = {
    "chronology": "attachments/chronology.docx",
    "risk_assessment": "attachments/risk-assessment.docx",
    "last_review_report": "attachments/last-review-report.docx",
}


def _papers_sent(workspace: Workspace, case_id: str) -> dict[str, str | None]:
    """Most practitioners send all three papers; about one referral in six lacks its last
    review report, which the pack's readiness report then asks for. Drawn from the case's
    own generator, so that the rest of the demo year is the same with or without papers."""
    rng = random.Random(case_id)
    stored: dict[str, str | None] = {}
    for name, relative in PAPER_FILES.items():
        if name == "last_review_report" and rng.random() < 1 / 6:
            stored[name] = None
            continue
        title = name.replace("_", " ").capitalize()
        write_paper(
            workspace.case_dir(case_id) / relative,
            f"{title}: {case_id}",
            [f"{title} for fictional demo case {case_id}.", "Entry 1: fictional event."],
        )
        stored[name] = relative
    return stored


def _fictional_referral(
    meeting: date, accepted_on: date, serial: str, rng: random.Random
) -> dict[str, Any]:
    data = copy.deepcopy(demo_referrals(meeting, accepted_on)[0])
    authorised = accepted_on - timedelta(days=rng.randint(2, 30))
    age = rng.choices([8, 11, 12, 13, 14, 15, 16, 17], weights=[1, 1, 2, 3, 4, 4, 4, 3])[0]
    born = date(meeting.year - age, rng.randint(1, 12), rng.randint(1, 28))
    agency = _pick(rng, AGENCIES)
    legal = _pick(rng, LEGAL)
    living = _pick(rng, LIVING)
    data["child"].update(
        {
            "name": f"Demo Child {serial} (fictional)",
            "preferred_name": None,
            "date_of_birth": born,
            "local_id": f"DEMO-H{serial}",
            "living_situation": living,
            "out_of_area": living in ("residential", "secure") and rng.random() < 0.6,
            "legal_status": legal,
            "legal_status_since": authorised - timedelta(days=200),
        }
    )
    data["referrer"]["agency"] = agency
    data["authorised_by"]["date"] = authorised
    data["key_social_worker"]["consulted_on"] = authorised - timedelta(days=2)
    data["iro"]["consulted_on"] = authorised - timedelta(days=1)
    data["criteria"] = sorted(rng.sample(CRITERIA[:3], rng.randint(1, 2)))
    for risk in data["risks"]:
        risk["level"] = rng.choices(["medium", "high", "very_high"], weights=[1, 3, 2])[0]
    data["attachments"] = {}
    data["special_invitations"] = []
    return data


def _between_meetings(workspace: Workspace, meeting: date, rng: random.Random) -> None:
    """Owners bring the register up to date; progress reports come in (or do not)."""
    now = today()
    with transaction(workspace, "demo") as change:
        register = change.register
        for row in register.rows("Actions"):
            due = row.get("due")
            if row.get("status") not in ("Open", "In progress") or not isinstance(due, date):
                continue
            if due > now:
                continue
            roll = rng.random()
            before = row.get("status")
            if roll < 0.62:
                late = rng.random() < 0.2
                done = (
                    min(due + timedelta(days=rng.randint(3, 12)), now)
                    if late
                    else due - timedelta(days=rng.randint(0, 5))
                )
                # Never before the meeting that agreed it (apply_status's own rule).
                done = max(done, as_date(row.get("meeting")) or done)
                apply_status(row, COMPLETED, on=now, completed_on=done)
                detail = f"{before} -> {COMPLETED}; completed on {done.isoformat()}"
            elif roll < 0.72:
                reason = rng.choice(REASONS_NOT_DONE)
                apply_status(row, CANCELLED, on=now, reason=reason)
                detail = f"{before} -> {CANCELLED}; reason not done: {reason}"
            elif roll < 0.8 and before != "In progress":
                apply_status(row, "In progress", on=now)
                detail = f"{before} -> In progress"
            else:
                continue
            # Each change is an event of its action, as `ccp actions update` records it.
            register.audit(
                command="demo",
                action="changed status",
                target=str(row.get("action_id")),
                detail=f"{detail} (fictional demo history)",
            )
        for row in register.rows("Progress"):
            if row.get("due_meeting") != meeting or row.get("received_on"):
                continue
            roll = rng.random()
            if roll < 0.7:
                row["received_on"] = meeting - timedelta(days=rng.randint(15, 25))
            elif roll < 0.88:
                row["received_on"] = meeting - timedelta(days=rng.randint(3, 10))
        register.audit(
            command="demo",
            action="updated progress reports (fictional demo history)",
            target=meeting.isoformat(),
        )
        change.commit()


def _record_meeting(
    workspace: Workspace, meeting: date, following: date, rng: random.Random
) -> Path:
    panel = workspace.panel
    register = Register.load(workspace.register_file)
    cases = register.rows("Cases")
    new = [row for row in cases if row.get("meeting") == meeting]
    reviews = [
        row
        for row in cases
        if row.get("next_progress_due") == meeting
        and row.get("status") == "open"
        and row.get("meeting") != meeting
    ]
    people = [panel.chair, panel.deputy, *panel.members]
    away = set(rng.sample(range(2, len(people)), 2))
    attendee = [{"name": p.name, "role": p.role, "agency": p.agency} for p in people]
    record = {
        "meeting": meeting,
        "chair": panel.chair.name,
        "minute_taker": panel.administrator.name,
        "present": [person for index, person in enumerate(attendee) if index not in away],
        "apologies": [person for index, person in enumerate(attendee) if index in away],
        "cases": [_case(row, "new", meeting, following, rng) for row in new]
        + [_case(row, "progress_review", meeting, following, rng) for row in reviews],
        "strategic_items": [],
        "any_other_business": "None (fictional demo meeting).",
    }
    path = complete_path(workspace, meeting)
    write_text(path, "# Fictional minutes of the demo year.\n" + dump_yaml(record))
    record_minutes(workspace, path)
    return path


def _case(
    row: dict[str, Any], kind: str, meeting: date, following: date, rng: random.Random
) -> dict[str, Any]:
    closing = kind == "progress_review" and rng.random() < 0.55
    level = rng.choices(["low", "medium", "high", "very_high"], weights=[2, 3, 3, 1])[0]
    if kind == "new":
        level = rng.choices(["medium", "high", "very_high"], weights=[1, 3, 2])[0]
    agencies = rng.sample(list(ACTION_OWNERS), rng.randint(1, 3))
    themes = sorted({_pick(rng, THEMES) for _ in range(rng.randint(0, 2))})
    escalate = kind == "new" and rng.random() < 0.12
    case = {
        "case_id": row["case_id"],
        "kind": kind,
        "presented_by": "The key worker (fictional)",
        "discussion": "A fictional discussion for the demo year.",
        "risk_level": "low" if closing else level,
        "risk_rationale": "Fictional rationale.",
        "accountable_manager": {
            "name": "Morgan Pretend",
            "role": "Service manager",
            "agency": "Children's social care",
        },
        "risk_management_plan": "One fictional plan agreed by every agency.",
        "contingencies": "A strategy meeting the same day if risks rise (fictional).",
        "actions": []
        if closing
        else [
            {
                "description": f"Fictional action for {agency}",
                "agency": agency,
                "owner": ACTION_OWNERS[agency],
                "due": meeting + timedelta(days=rng.choice([14, 21, 28, 42, 56])),
            }
            for agency in agencies
        ],
        "resources": []
        if closing or rng.random() < 0.6
        else [
            {
                "agency": rng.choice(["Health", "Children's social care", "Education"]),
                "description": "Fictional joint funding",
                "amount": float(rng.choice([1200, 2500, 4800, 6000])),
                "confirmed": rng.random() < 0.6,
            }
        ],
        "communication": "The social worker circulates the plan (fictional).",
        "monitoring": "The accountable manager reports monthly (fictional).",
        "progress_report": None
        if closing
        else {"format": rng.choice(["written", "in_person"]), "due_meeting": following},
        "escalate_to_partnership": escalate,
        "escalation_reason": "Meets the criteria for a rapid review (fictional)."
        if escalate
        else None,
        "themes": themes,
        "close_case": closing,
        "closure_reason": (CLOSED_BECAUSE if rng.random() < 0.85 else rng.choice(RARE_REASONS))
        if closing
        else None,
    }
    return case
