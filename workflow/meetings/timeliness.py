"""Is the paperwork on time? Each meeting's decisions summary, draft and signed minutes
against the panel's targets in working days, and each open action rated Red, Amber or Green.

Every date comes from the register: the Audit rows `ccp minutes record` writes (the first
recording is the decisions summary, the last before signing the full draft) and the
Signatures sheet (the day the chair signed). Nothing is stored beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from workflow.cases.actions import closed_cases, status_of
from workflow.contract.panel import PanelConfig, Timeliness
from workflow.contract.terms import OPEN_ACTION_STATUSES
from workflow.core.dates import as_date, uk_date
from workflow.register.audit_years import select_audit

DECISIONS, DRAFT, SIGNED = "Decisions summary", "Draft minutes", "Signed minutes"
RED, AMBER, GREEN = "Red", "Amber", "Green"
_NOTE_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2}):", re.MULTILINE)


# --- working days ----------------------------------------------------------------------


def is_working_day(day: date, holidays: Iterable[date] = ()) -> bool:
    return day.weekday() < 5 and day not in set(holidays)


def add_working_days(start: date, days: int, holidays: Iterable[date] = ()) -> date:
    """The `days`th working day after `start` (0: `start` itself)."""
    off = set(holidays)
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day, off):
            left -= 1
    return day


# --- minutes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One piece of paperwork of one meeting: when it was due and when it was done."""

    name: str
    target_days: int
    due: date
    done: date | None

    @property
    def late(self) -> bool:
        return self.done > self.due if self.done else False

    def overdue(self, as_of: date) -> bool:
        """Not done, and its day has passed."""
        return self.done is None and as_of > self.due

    def state(self, as_of: date) -> str:
        if self.done is not None:
            return "late" if self.late else "on time"
        return "late, not done" if self.overdue(as_of) else "not yet due"

    def describe(self, as_of: date) -> str:
        state = self.state(as_of)
        if self.done is not None:
            return f"{self.name}: {uk_date(self.done)}, {state} (due {uk_date(self.due)})"
        return f"{self.name}: {state} (due {uk_date(self.due)})"


@dataclass
class MeetingPaperwork:
    meeting: date
    steps: list[Step]

    def late(self, as_of: date) -> list[Step]:
        return [step for step in self.steps if step.late or step.overdue(as_of)]


def _recordings(audit: list[dict[str, Any]]) -> dict[str, list[date]]:
    """Each meeting's recording days (before any signing), from the Audit sheet."""
    found: dict[str, list[date]] = {}
    for row in audit:
        if str(row.get("command") or "") != "minutes record":
            continue
        day = as_date(row.get("when"))
        if day is not None:
            found.setdefault(str(row.get("target") or ""), []).append(day)
    return found


def _signed_on(signatures: list[dict[str, Any]]) -> dict[date, date]:
    first: dict[date, date] = {}
    for row in signatures:
        meeting, signed = as_date(row.get("meeting")), as_date(row.get("signed_on"))
        if meeting is None or signed is None:
            continue
        if meeting not in first or signed < first[meeting]:
            first[meeting] = signed
    return first


def minutes_paperwork(
    register: Any, panel: PanelConfig, as_of: date, meetings: Iterable[date] | None = None
) -> list[MeetingPaperwork]:
    """The paperwork of every meeting held by `as_of` (the panel's dates and the register's)."""
    rules: Timeliness = panel.timeliness
    holidays = rules.non_working_days
    if meetings is None:
        days = set(panel.meeting_dates())
        days |= {as_date(row.get("meeting")) for row in register.rows("Meetings")} - {None}
        meetings = [day for day in days if day <= as_of]
    meetings = list(meetings)
    # What had happened by `as_of`: a later signature is not yet there on that day.
    recordings = {
        target: [day for day in days if day <= as_of]
        # Only the recording rows: the Audit is the biggest sheet (20,000 rows in ten years).
        for target, days in _recordings(
            select_audit(
                register,
                "command",
                ["minutes record"],
                since=min(meetings, default=as_of).year,
            )
        ).items()
    }
    signed = {
        meeting: day
        for meeting, day in _signed_on(register.rows("Signatures")).items()
        if day <= as_of
    }
    result = []
    for day in sorted(meetings):
        signed_day = signed.get(day)
        recorded = sorted(
            when
            for when in recordings.get(day.isoformat(), [])
            # Recorded on or after the meeting, and before it was signed: a draft.
            if when >= day and (signed_day is None or when <= signed_day)
        )

        def step(name: str, days: int, done: date | None, day: date = day) -> Step:
            return Step(name, days, add_working_days(day, days, holidays), done)

        result.append(
            MeetingPaperwork(
                day,
                [
                    step(
                        DECISIONS, rules.decisions_summary_days, recorded[0] if recorded else None
                    ),
                    step(DRAFT, rules.draft_minutes_days, recorded[-1] if recorded else None),
                    step(SIGNED, rules.signed_minutes_days, signed_day),
                ],
            )
        )
    return result


# --- actions ---------------------------------------------------------------------------


def action_rag(row: dict[str, Any], as_of: date, rules: Timeliness) -> str | None:
    """Red, Amber or Green for an open action; None for a closed one or one with no due date."""
    if status_of(row) not in OPEN_ACTION_STATUSES:
        return None
    due = as_date(row.get("due"))
    if due is None:
        return None
    late_by = (as_of - due).days
    if late_by > rules.actions.red_after_days_overdue:
        return RED
    if late_by > 0 or (due - as_of).days <= rules.actions.amber_within_days:
        return AMBER
    return GREEN


def noted_since(row: dict[str, Any], day: date) -> bool:
    """Has the action a note dated on or after `day` ('YYYY-MM-DD: text', as ccp adds them)?"""
    for found in _NOTE_DATE.findall(str(row.get("notes") or "")):
        try:
            if date.fromisoformat(found) >= day:
                return True
        except ValueError:
            continue
    return False


@dataclass
class ActionRatings:
    counts: dict[str, int] = field(default_factory=lambda: {RED: 0, AMBER: 0, GREEN: 0})
    red_without_note: list[dict[str, Any]] = field(default_factory=list)


def rate_actions(register: Any, panel: PanelConfig, as_of: date) -> ActionRatings:
    """Every open action of an open case rated; the Red ones without a note listed."""
    rules = panel.timeliness
    closed = closed_cases(register)
    ratings = ActionRatings()
    for row in register.rows("Actions"):
        if not row.get("action_id") or str(row.get("case_id") or "") in closed:
            continue
        rag = action_rag(row, as_of, rules)
        if rag is None:
            continue
        ratings.counts[rag] += 1
        due = as_date(row.get("due"))
        if (
            rag == RED
            and rules.actions.note_required_for_red
            and due is not None
            and not noted_since(row, due)
        ):
            ratings.red_without_note.append(row)
    return ratings


# --- what is late ----------------------------------------------------------------------


@dataclass
class Lateness:
    as_of: date
    meetings: list[MeetingPaperwork]
    actions: ActionRatings

    def late_lines(self) -> list[str]:
        """One plain sentence per thing that is late, oldest meeting first."""
        lines = []
        for paperwork in self.meetings:
            for step in paperwork.late(self.as_of):
                lines.append(f"{uk_date(paperwork.meeting)} meeting: {step.describe(self.as_of)}")
        for row in self.actions.red_without_note:
            due = as_date(row.get("due"))
            owner = row.get("owner") or "no owner recorded"
            lines.append(
                f"{row.get('action_id')}: Red (due {uk_date(due) if due else 'not recorded'}, "
                f"{owner}) and no note since it fell due saying why"
            )
        return lines


def lateness(register: Any, panel: PanelConfig, as_of: date) -> Lateness:
    return Lateness(
        as_of, minutes_paperwork(register, panel, as_of), rate_actions(register, panel, as_of)
    )
