"""The terms-of-reference rules that span several fields of a referral."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from workflow.contract import (
    IRO_STATUSES,
    Criterion,
    LegalStatus,
    PanelConfig,
    Referral,
)
from workflow.core.dates import months_before, uk_date
from workflow.core.errors import Problem

if TYPE_CHECKING:  # the minutes' models are built only by the commands that read minutes
    from workflow.contract import MinutesRecord

MAX_AGE_YEARS = 25
LONG_TERM_PLAN_MONTHS = 18


@dataclass(frozen=True)
class ReferralContext:
    """What the rules compare a referral with: the date, and the panel when there is one."""

    today: date
    panel: PanelConfig | None = None
    meeting: date | None = None  # the meeting it is accepted for, when not referral.meeting

    @property
    def deadline_days(self) -> int:
        return self.panel.referral_deadline_days if self.panel else 14


def referral_problems(referral: Referral, context: ReferralContext) -> Iterator[Problem]:
    """Every rule the referral breaks, each naming its field."""
    meeting = context.meeting or referral.meeting
    child = referral.child
    authorised = referral.authorised_by.date

    if child.date_of_birth >= context.today:
        yield Problem("child.date_of_birth", "must be in the past")
    else:
        age = _age_on(child.date_of_birth, meeting)
        if age >= MAX_AGE_YEARS:
            yield Problem(
                "child.date_of_birth",
                f"the child would be {age} on the meeting date; the panel is for "
                f"children and young people under {MAX_AGE_YEARS}",
            )
    if child.legal_status_since and child.legal_status_since < child.date_of_birth:
        yield Problem("child.legal_status_since", "must not be before the date of birth")

    if authorised > context.today:
        yield Problem("authorised_by.date", "must not be in the future")
    deadline = meeting - timedelta(days=context.deadline_days)
    if authorised > deadline and not referral.late_accepted_by:
        yield Problem(
            "authorised_by.date",
            f"{uk_date(authorised)} is after the referral deadline of {uk_date(deadline)} "
            f"({context.deadline_days} days before the {uk_date(meeting)} meeting); "
            "a late referral needs late_accepted_by: the chair who accepted it",
        )
    if referral.late_accepted_by and context.panel:
        allowed = context.panel.signatories()
        if referral.late_accepted_by not in allowed:
            yield Problem(
                "late_accepted_by",
                f"must be the panel's chair or deputy ({' or '.join(allowed)})",
            )

    if referral.key_social_worker.consulted_on > authorised:
        yield Problem(
            "key_social_worker.consulted_on",
            f"must not be after the authorisation date ({uk_date(authorised)})",
        )
    if child.legal_status in IRO_STATUSES:
        if referral.iro is None:
            yield Problem(
                "iro",
                "is required: the child has a protection plan or is looked after, so the "
                "IRO or independent chair must be consulted (name, consulted_on)",
            )
        elif referral.iro.consulted_on > authorised:
            yield Problem(
                "iro.consulted_on",
                f"must not be after the authorisation date ({uk_date(authorised)})",
            )

    if Criterion.NEGLECT_LONG_TERM in referral.criteria:
        yield from _long_term_neglect(referral, meeting)

    if context.panel and context.panel.meeting(meeting) is None:
        yield Problem("meeting", not_a_meeting(meeting, context.panel))


def _long_term_neglect(referral: Referral, meeting: date) -> Iterator[Problem]:
    if Criterion.CARE_ORDER_REFUSED in referral.criteria:
        return
    child = referral.child
    cutoff = months_before(meeting, LONG_TERM_PLAN_MONTHS)
    if child.legal_status != LegalStatus.CHILD_PROTECTION_PLAN:
        reason = "the child's legal_status is not child_protection_plan"
    elif child.legal_status_since is None:
        reason = "child.legal_status_since is not given"
    elif child.legal_status_since >= cutoff:
        reason = f"the plan began on {uk_date(child.legal_status_since)}"
    else:
        return
    yield Problem(
        "criteria",
        f"neglect_long_term needs a child protection plan of more than "
        f"{LONG_TERM_PLAN_MONTHS} months (since before {uk_date(cutoff)}) or a refused "
        f"care order (care_order_refused); {reason}",
    )


def not_a_meeting(when: date, panel: PanelConfig) -> str:
    listed = ", ".join(slot.date.isoformat() for slot in panel.meetings)
    return f"{when.isoformat()} is not a meeting in panel.yaml (meetings: {listed})"


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def minutes_problems(
    record: MinutesRecord, panel: PanelConfig, known_cases: set[str]
) -> Iterator[Problem]:
    """Every rule a completed minutes record breaks (ToR 12: what each case must capture)."""
    meeting = record.meeting
    if panel.meeting(meeting) is None:
        yield Problem("meeting", not_a_meeting(meeting, panel))
    later = [day for day in panel.meeting_dates() if day > meeting]
    for index, case in enumerate(record.cases):
        where = f"cases[{index + 1}]"
        if case.case_id not in known_cases:
            yield Problem(f"{where}.case_id", f"{case.case_id} is not a case in the register")
        if not case.actions and not case.close_case:
            yield Problem(
                f"{where}.actions",
                "needs at least one action (description, agency, owner, due) "
                "unless the case closes (close_case: true)",
            )
        for number, action in enumerate(case.actions, start=1):
            if action.due <= meeting:
                yield Problem(
                    f"{where}.actions[{number}].due",
                    f"must be after the meeting ({uk_date(meeting)})",
                )
        if case.progress_report is None and not case.close_case:
            yield Problem(
                f"{where}.progress_report",
                "is required (format and due_meeting) unless the case closes",
            )
        elif case.progress_report is not None:
            due = case.progress_report.due_meeting
            if due not in later:
                listed = ", ".join(day.isoformat() for day in later) or "none in panel.yaml"
                yield Problem(
                    f"{where}.progress_report.due_meeting",
                    f"{due.isoformat()} is not a later meeting in panel.yaml "
                    f"(later meetings: {listed})",
                )
        if case.escalate_to_partnership and not case.escalation_reason:
            yield Problem(
                f"{where}.escalation_reason", "is required when escalate_to_partnership is true"
            )
        if case.close_case and not case.closure_reason:
            yield Problem(f"{where}.closure_reason", "is required when close_case is true")
    for index, item in enumerate(record.strategic_items):
        for number, action in enumerate(item.actions, start=1):
            if action.due <= meeting:
                yield Problem(
                    f"strategic_items[{index + 1}].actions[{number}].due",
                    f"must be after the meeting ({uk_date(meeting)})",
                )
