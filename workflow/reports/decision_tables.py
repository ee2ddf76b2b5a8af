"""The annual report's tables about what the panel did: meetings, attendance, actions,
resources, escalations, themes, progress reports and closures."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from workflow.contract import (
    MinutesRecord,
)
from workflow.contract.terms import CANCELLED, COMPLETED
from workflow.core.dates import as_date, uk_date
from workflow.meetings.timeliness import DECISIONS, DRAFT, SIGNED, MeetingPaperwork
from workflow.reports.counting import (
    NO_REASON,
    NOT_RECORDED,
    RISK_LABELS,
    Period,
    _by_count,
    _number,
    _risk_label,
    _text,
    _theme_key,
    _yes,
    theme_words,
)
from workflow.reports.suppression import Relation
from workflow.reports.tables import TABLE_KEYS, Column, Row, Table


def _meetings_table(held: dict[date, MinutesRecord]) -> Table:
    rows = [
        Row(
            uk_date(day),
            {
                "present": len(record.present),
                "agencies": len({person.agency for person in record.present}),
                "children": len(record.cases),
            },
        )
        for day, record in sorted(held.items())
    ]
    agencies = {person.agency for record in held.values() for person in record.present}
    table = Table(
        "meetings",
        TABLE_KEYS["meetings"],
        "Meeting",
        [
            Column("present", "Members and guests present", "number"),
            Column("agencies", "Agencies represented", "number"),
            Column("children", "Cases discussed", "count"),
        ],
        rows,
        "A meeting counts as held once its minutes are recorded; figures are from the latest "
        "version of those minutes. Agencies represented: how many different agencies had "
        "someone present (in the last row, at any meeting). Cases discussed counts each case "
        "once per meeting, so a child reviewed at three meetings counts three times.",
    )
    table.with_total(f"All {len(rows)} meetings", only=("present", "children"))
    # Agencies at any meeting are not the sum of each meeting's: counted, not added.
    table.rows[-1].values["agencies"] = len(agencies)
    return table


def _minutes_on_time(paperwork: list[MeetingPaperwork], as_of: date) -> Table:
    """How many meetings had each piece of paperwork on time, late, or not yet due."""
    rows = []
    for index, name in enumerate((DECISIONS, DRAFT, SIGNED)):
        steps = [meeting.steps[index] for meeting in paperwork]
        days = steps[0].target_days if steps else 0
        late = sum(1 for step in steps if step.late or step.overdue(as_of))
        on_time = sum(1 for step in steps if step.done is not None and not step.late)
        rows.append(
            Row(
                name,
                {
                    "target": f"{days} working day{'s' if days != 1 else ''}",
                    "on_time": on_time,
                    "late": late,
                    "waiting": len(steps) - on_time - late,
                },
            )
        )
    return Table(
        "minutes_on_time",
        TABLE_KEYS["minutes_on_time"],
        "After each meeting",
        [
            Column("target", "Target", "text"),
            Column("on_time", "On time", "number"),
            Column("late", "Late", "number"),
            Column("waiting", "Not yet due", "number"),
        ],
        rows if paperwork else [],
        "For each meeting held in the period: the decisions summary is the day the panel's "
        "decisions and actions were first recorded; the draft minutes, the last recording "
        "before the chair signed; the signed minutes, the day the chair signed them. Targets "
        "are in working days after the meeting (Monday to Friday, less bank holidays the "
        "panel lists). Late includes anything past its target and still not done. These "
        "count meetings, not children, so the small-number rule does not apply.",
    )


def _attendance_table(held: dict[date, MinutesRecord], panel_agencies: list[str]) -> Table:
    attended: Counter[str] = Counter()
    apologies: Counter[str] = Counter()
    seen: list[str] = []
    for record in held.values():
        present = {person.agency for person in record.present}
        absent = {person.agency for person in record.apologies} - present
        attended.update(present)
        apologies.update(absent)
        seen += sorted(present | absent)
    agencies = list(dict.fromkeys([*panel_agencies, *sorted(set(seen))]))
    meetings = len(held)
    rows = [
        Row(
            agency,
            {
                "attended": attended[agency],
                "apologies": apologies[agency],
                "absent": meetings - attended[agency] - apologies[agency],
                "rate": round(attended[agency] / meetings, 4) if meetings else None,
            },
        )
        for agency in agencies
    ]
    return Table(
        "attendance",
        TABLE_KEYS["attendance"],
        "Agency",
        [
            Column("attended", "Meetings attended", "number"),
            Column("apologies", "Apologies only", "number"),
            Column("absent", "Not represented", "number"),
            Column("rate", "Attendance", "percent"),
        ],
        rows,
        "An agency attended a meeting when anyone from it is minuted as present; 'apologies "
        "only' when it sent apologies and nobody from it attended. Agencies are those of the "
        "panel's chair, deputy and members, then any other agency minuted. These count "
        "meetings, not children, so the small-number rule does not apply.",
    )


def _actions(actions: list[dict[str, Any]], period: Period, as_of: date) -> list[Table]:
    agreed = [row for row in actions if as_date(row.get("meeting")) in period]
    by_agency: dict[str, Counter[str]] = {}
    for row in agreed:
        agency = _text(row.get("agency")) or NOT_RECORDED
        counts = by_agency.setdefault(agency, Counter())
        counts["agreed"] += 1
        status = (_text(row.get("status")) or "Open").lower()
        due = as_date(row.get("due"))
        if status == COMPLETED.lower():
            counts["completed"] += 1
            done = as_date(row.get("completed_on"))
            if done is not None and due is not None and done <= due:
                counts["on_time"] += 1
        elif status == CANCELLED.lower():
            counts["cancelled"] += 1
            reason = (_text(row.get("reason_not_done")) or NO_REASON).lower()
            counts[f"cancelled:{reason}"] += 1
        elif due is not None and due < as_of:
            counts["overdue"] += 1
        else:
            counts["open"] += 1
    agencies = [
        agency for agency, _ in _by_count(Counter({a: c["agreed"] for a, c in by_agency.items()}))
    ]
    main_columns = [
        Column("agreed", "Agreed"),
        Column("completed", "Completed"),
        Column("on_time", "Completed on time"),
        Column("open", "Open, not yet due"),
        Column("overdue", "Overdue"),
        Column("cancelled", "Cancelled"),
    ]
    main = Table(
        "actions",
        TABLE_KEYS["actions"],
        "Agency",
        main_columns,
        [
            Row(agency, {c.key: by_agency[agency][c.key] for c in main_columns})
            for agency in agencies
        ],
        "Actions agreed at meetings in the period, by the agency that owns "
        f"them, with their status on {uk_date(as_of)}. Completed on time: completed on or "
        "before the due date. Overdue: still open after its due date. Agreed = completed + "
        "open + overdue + cancelled.",
        chart="actions",
    )
    main.with_total()
    for row in main.rows:
        main.relations.append(
            Relation(
                main.cell(row.label, "agreed"),
                tuple(
                    main.cell(row.label, key)
                    for key in ("completed", "open", "overdue", "cancelled")
                ),
            )
        )
    reasons = ["circumstances changed", "not undertaken", NO_REASON]
    # SafeLives' split: the plan changed, or the work was simply not done.
    titles = {"not undertaken": "Not done"}
    split_columns = [
        Column(reason.replace(" ", "_"), titles.get(reason, reason.capitalize()))
        for reason in reasons
    ]
    split = Table(
        "cancelled",
        TABLE_KEYS["cancelled"],
        "Agency",
        split_columns,
        [
            Row(
                agency,
                {
                    column.key: by_agency[agency][f"cancelled:{reason}"]
                    for column, reason in zip(split_columns, reasons, strict=True)
                },
            )
            for agency in agencies
        ],
        "Cancelled actions by the reason the register records for not doing them: the "
        "circumstances changed so the action was no longer needed, or it was not done. "
        "Each agency's reasons add up to its cancelled actions in the table above.",
    )
    split.with_total()
    for row in split.rows:
        main.relations.append(
            Relation(
                main.cell(row.label, "cancelled"),
                tuple(split.cell(row.label, column.key) for column in split_columns),
            )
        )
    return [main, split]


def _resources(resources: list[dict[str, Any]], period: Period) -> Table:
    by_agency: dict[str, dict[str, float]] = {}
    for row in resources:
        if as_date(row.get("meeting")) not in period:
            continue
        agency = _text(row.get("agency")) or NOT_RECORDED
        entry = by_agency.setdefault(
            agency, {"agreed": 0, "confirmed": 0, "amount_agreed": 0.0, "amount_confirmed": 0.0}
        )
        amount = _number(row.get("amount"))
        entry["agreed"] += 1
        entry["amount_agreed"] += amount
        if _yes(row.get("confirmed")):
            entry["confirmed"] += 1
            entry["amount_confirmed"] += amount
    rows = [
        Row(agency, by_agency[agency])
        for agency, _ in _by_count(Counter({a: int(e["agreed"]) for a, e in by_agency.items()}))
    ]
    table = Table(
        "resources",
        TABLE_KEYS["resources"],
        "Agency",
        [
            Column("agreed", "Agreed"),
            Column("confirmed", "Confirmed"),
            Column("amount_agreed", "Amount agreed", "money"),
            Column("amount_confirmed", "Amount confirmed", "money"),
        ],
        rows,
        "Resource agreements minuted at meetings in the period: agreed "
        "includes those in principle; confirmed, those the agency has confirmed. Amounts are "
        "the pounds recorded, where any; an amount is not shown where its count is not.",
    )
    return table.with_total()


DISCUSSED = "Discussed by the panel"
ESCALATED = "Escalated to the Partnership"


def _escalations(held: dict[date, MinutesRecord]) -> Table:
    discussed = {case.case_id for record in held.values() for case in record.cases}
    escalated = {
        case.case_id
        for record in held.values()
        for case in record.cases
        if case.escalate_to_partnership
    }
    return Table(
        "escalations",
        TABLE_KEYS["escalations"],
        "Children",
        [Column("children", "Number")],
        [
            Row(DISCUSSED, {"children": len(discussed)}),
            Row(ESCALATED, {"children": len(escalated)}),
        ],
        "From the minutes of meetings in the period: a child is escalated when the panel "
        "decided the Safeguarding Partnership should consider a formal practice review. Each "
        "child counts once however many meetings discussed them.",
    )


def _themes(held: dict[date, MinutesRecord]) -> Table:
    children: dict[str, set[str]] = {}
    meetings: dict[str, set[date]] = {}
    names: dict[str, str] = {}
    for day, record in held.items():
        for case in record.cases:
            for theme in case.themes:
                key = _theme_key(theme)
                if not key:
                    continue
                written = theme_words(theme)
                # A theme someone typed with capitals ("CAMHS waiting times") is shown as
                # they wrote it, over the same theme as a lower-case tag.
                if key not in names or (_capitals(written) and not _capitals(names[key])):
                    names[key] = written
                children.setdefault(key, set()).add(case.case_id)
                meetings.setdefault(key, set()).add(day)
    order = sorted(children, key=lambda key: (-len(children[key]), names[key]))
    return Table(
        "themes",
        TABLE_KEYS["themes"],
        "Theme",
        [Column("children", "Children"), Column("meetings", "Meetings", "number")],
        [
            Row(names[key], {"children": len(children[key]), "meetings": len(meetings[key])})
            for key in order
        ],
        "Themes are the service gaps the minutes record for each case discussed. The same "
        "theme written with spaces, hyphens or capitals counts as one. Children: how many "
        "children's cases raised it; meetings: at how many meetings.",
        chart="themes",
    )


def _capitals(words: str) -> bool:
    return any(letter.isupper() for letter in words[1:])


def _progress(
    progress: list[dict[str, Any]], held: set[date], as_of: date, deadline_days: int
) -> Table:
    # A report is due at its meeting: one for a meeting not yet held (or not yet minuted)
    # is not late, whatever the calendar says.
    due = [
        row
        for row in progress
        if as_date(row.get("due_meeting")) in held and as_date(row.get("due_meeting")) <= as_of
    ]
    received = [row for row in due if as_date(row.get("received_on"))]
    on_time = [
        row
        for row in received
        if as_date(row["received_on"])
        <= as_date(row["due_meeting"]) - timedelta(days=deadline_days)
    ]
    table = Table(
        "progress",
        TABLE_KEYS["progress"],
        "Progress reports",
        [Column("reports", "Reports")],
        [
            Row("Due at meetings in the period", {"reports": len(due)}),
            Row("Received", {"reports": len(received)}),
            Row("Received on time", {"reports": len(on_time)}),
            Row("Received late", {"reports": len(received) - len(on_time)}),
            Row("Not received", {"reports": len(due) - len(received)}),
        ],
        "Reports the panel asked for, due at the meetings held in the period; a report for a "
        "meeting still to come is not counted. On time: received at least "
        f"{deadline_days} days before the meeting, in time to go out with its papers.",
    )
    cell = table.cell
    table.relations += [
        Relation(
            cell("Due at meetings in the period", "reports"),
            (cell("Received", "reports"), cell("Not received", "reports")),
        ),
        Relation(
            cell("Received", "reports"),
            (cell("Received on time", "reports"), cell("Received late", "reports")),
        ),
    ]
    return table


def _closures(
    cases: list[dict[str, Any]],
    minutes: dict[date, MinutesRecord],
    period: Period,
    threshold: int,
) -> list[Table]:
    closed = [
        row
        for row in cases
        if as_date(row.get("closed_on")) in period
        and (_text(row.get("status")) or "").lower() == "closed"
    ]
    by_risk = Counter(_risk_label(row.get("risk_latest")) for row in closed)
    labels = [*RISK_LABELS] + ([NOT_RECORDED] if by_risk[NOT_RECORDED] else [])
    risk = Table(
        "closures",
        TABLE_KEYS["closures"],
        "Risk when closed",
        [Column("children", "Cases")],
        [Row(label, {"children": by_risk[label]}) for label in labels],
        "Cases the register shows as closed, with a closing date in the period; the level of "
        "risk is the one the panel last agreed.",
    ).with_total()
    reasons: dict[str, str] = {}
    for _, record in sorted(minutes.items()):
        for case in record.cases:
            if case.close_case and case.closure_reason:
                reasons[case.case_id] = case.closure_reason
    grouped: Counter[str] = Counter()
    words: dict[str, str] = {}
    for row in closed:
        reason = reasons.get(str(row["case_id"]))
        key = " ".join(reason.lower().split()).rstrip(".") if reason else ""
        if key:
            words.setdefault(key, " ".join(reason.split()).rstrip("."))
        grouped[key] += 1
    other = f"Other reasons, each given for fewer than {threshold} cases"
    counts: Counter[str] = Counter()
    for key, count in grouped.items():
        if not key:
            counts[NOT_RECORDED] += count
        elif count >= threshold:
            counts[words[key]] += count
        else:
            # A reason given for one or two children may describe them: only reasons
            # shared by enough cases are quoted.
            counts[other] += count
    order = [label for label, _ in _by_count(counts) if label not in (other, NOT_RECORDED)]
    order += [label for label in (other, NOT_RECORDED) if counts[label]]
    why = Table(
        "closure_reasons",
        TABLE_KEYS["closure_reasons"],
        "Reason (as minuted)",
        [Column("children", "Cases")],
        [Row(label, {"children": counts[label]}) for label in order],
        "The closure reason from the minutes that closed the case, grouped where the same "
        f"words were used. A reason given for fewer than {threshold} cases is not quoted, since "
        "it could describe a child; those are counted together.",
    ).with_total()
    return [risk, why]
