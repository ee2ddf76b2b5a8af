"""Retention classes in panel.yaml: how long each kind of record is kept, and why."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from workflow.contract.common import Form

# What a retention period is counted from.
COUNTED_FROM = ("date_of_birth", "case_closed", "meeting", "file_made")
CountedFrom = Literal["date_of_birth", "case_closed", "meeting", "file_made"]
COUNTED_FROM_WORDS = {
    "date_of_birth": "the child's date of birth",
    "case_closed": "the date the case closed",
    "meeting": "the meeting date",
    "file_made": "the date the file was made",
}


class RetentionClass(Form):
    """One kind of record: kept this long from this date, on this basis."""

    years: int = Field(ge=0, le=150, title="Years kept", description="Whole years.")
    days: int = Field(
        default=0, ge=0, le=3650, title="Days kept", description="Added to the years."
    )
    counted_from: CountedFrom = Field(
        title="Counted from",
        description="date_of_birth, case_closed, meeting or file_made.",
    )
    basis: str = Field(
        min_length=1,
        max_length=2000,
        title="Basis",
        description="The law, guidance or schedule the period comes from.",
    )

    def due(self, start: date) -> date:
        """The first day the record may be destroyed, counting from ``start``."""
        from datetime import timedelta

        try:
            moved = start.replace(year=start.year + self.years)
        except ValueError:  # 29 February in a year without one
            moved = start.replace(year=start.year + self.years, day=28)
        return moved + timedelta(days=self.days)

    def words(self) -> str:
        parts = []
        if self.years:
            parts.append(f"{self.years} year{'s' if self.years != 1 else ''}")
        if self.days or not parts:
            parts.append(f"{self.days} day{'s' if self.days != 1 else ''}")
        return f"{' and '.join(parts)} from {COUNTED_FROM_WORDS[self.counted_from]}"


def _case_papers() -> RetentionClass:
    return RetentionClass(
        years=75,
        counted_from="date_of_birth",
        basis=(
            "A looked-after child's case record is kept until the 75th birthday (Care "
            "Planning, Placement and Case Review (England) Regulations 2010, reg. 50); the "
            "panel's children are mostly looked after or on protection plans. IRMS Retention "
            "Guidelines for Local Authorities (children's social care), as in the Blackpool "
            "and Merton children's services schedules."
        ),
    )


def _signed_minutes() -> RetentionClass:
    return RetentionClass(
        years=35,
        counted_from="meeting",
        basis=(
            "Minutes of multi-agency child protection meetings: 35 years from the meeting "
            "(IRMS Retention Guidelines for Local Authorities; Blackpool and Merton "
            "children's services retention schedules)."
        ),
    )


def _extracts_and_emails() -> RetentionClass:
    return RetentionClass(
        years=2,
        counted_from="file_made",
        basis=(
            "Copies made to circulate (minutes extracts, e-mail drafts, packs): the record "
            "itself is the signed minutes and the case papers, so copies are kept only while "
            "in use (UK GDPR Art. 5(1)(e), storage limitation)."
        ),
    )


def _backups() -> RetentionClass:
    return RetentionClass(
        years=0,
        days=90,
        counted_from="file_made",
        basis=(
            "Register backups exist to recover from a mistake; older copies add nothing and "
            "keep personal data past its time (UK GDPR Art. 5(1)(e))."
        ),
    )


def _staging() -> RetentionClass:
    return RetentionClass(
        years=0,
        days=1,
        counted_from="file_made",
        basis=(
            "Staging folders left by an interrupted command: working copies with no use "
            "once the command is over (UK GDPR Art. 5(1)(e))."
        ),
    )


class RetentionSchedule(Form):
    """panel.yaml ``retention``: each class may be edited; a class left out keeps its default."""

    case_papers: RetentionClass = Field(
        default_factory=_case_papers,
        title="Referral and case papers",
        description="cases/ID: the referral, its papers, progress reports; the Cases row.",
    )
    signed_minutes: RetentionClass = Field(
        default_factory=_signed_minutes,
        title="Signed minutes",
        description="The signed minutes of each meeting.",
    )
    extracts_and_emails: RetentionClass = Field(
        default_factory=_extracts_and_emails,
        title="Extracts and e-mails",
        description="Minutes extracts, e-mail drafts, packs and reminders under output/.",
    )
    backups: RetentionClass = Field(
        default_factory=_backups,
        title="Register backups",
        description="Earlier copies of register.xlsx in backups/.",
    )
    staging: RetentionClass = Field(
        default_factory=_staging,
        title="Staging",
        description="Folders left by an interrupted command.",
    )
    review_months: int = Field(
        default=6,
        ge=0,
        le=120,
        title="Review before (months)",
        description=(
            "Case papers and signed minutes are listed for review this many months before "
            "they are due (copies, backups and staging are simply due)."
        ),
    )


CLASS_WORDS = {
    "case_papers": "referral and case papers",
    "signed_minutes": "signed minutes",
    "extracts_and_emails": "extracts and e-mails",
    "backups": "register backups",
    "staging": "staging",
}

__all__ = [
    "CLASS_WORDS",
    "COUNTED_FROM",
    "RetentionClass",
    "RetentionSchedule",
]
