"""panel.yaml: the panel, its people, its meetings and its settings."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    field_validator,
)

from workflow.contract.common import Email, Form, IsoDate, Name, ShortText, field, optional
from workflow.contract.retention import RetentionSchedule

# --- panel.yaml --------------------------------------------------------------------------


class Person(Form):
    name: Name = field("Name", "Full name.")
    role: ShortText = field("Role", "Job title, e.g. Deputy Director, Social Care.")
    agency: ShortText = field("Agency", "Organisation, e.g. Children's social care, Police.")
    email: Email | None = optional("Email", "Work email address.")


def _bare_date_to_meeting(value: Any) -> Any:
    if isinstance(value, date | str):
        return {"date": value}
    return value


class MeetingSlot(Form):
    date: IsoDate = field("Meeting date", "ISO date of the meeting, e.g. 2027-01-14.")
    time: ShortText | None = optional("Time", "Start time, e.g. 10:00-13:00.")
    venue: ShortText | None = optional("Venue", "Where the panel meets, or 'Online'.")


class PanelConfig(Form):
    """panel.yaml: who sits on the panel, when it meets, how its papers are marked."""

    name: ShortText = field("Panel name", "e.g. Northshire Complex Child Panel.")
    authority: ShortText | None = optional(
        "Local authority", "The council or partnership the panel serves."
    )
    chair: Person = field("Chair", "Chairs the panel and signs the minutes.")
    deputy: Person = field("Deputy chair", "Chairs and signs in the chair's absence.")
    administrator: Person = field("Panel administrator", "Receives referrals, minutes cases.")
    members: list[Person] = field(
        "Members", "Senior members from each agency: name, role, agency, email.", min_length=1
    )
    meetings: list[Annotated[MeetingSlot, BeforeValidator(_bare_date_to_meeting)]] = field(
        "Meeting dates",
        "The panel's meetings: ISO dates, or date/time/venue mappings.",
        min_length=1,
    )
    protective_marking: ShortText = Field(
        default="OFFICIAL-SENSITIVE",
        title="Protective marking",
        description="Printed in the header of every document.",
    )
    referral_deadline_days: int = Field(
        default=14,
        ge=0,
        le=90,
        title="Referral deadline (days)",
        description="Referrals must be authorised at least this many days before the meeting.",
    )
    backups_kept: int = Field(
        default=20,
        ge=1,
        le=1000,
        title="Register backups kept",
        description="How many earlier copies of register.xlsx to keep in backups/.",
    )
    paper_max_mb: int = Field(
        default=20,
        ge=1,
        le=500,
        title="Largest paper (MB)",
        description="A chronology, risk assessment or review report larger than this is refused.",
    )
    pack_papers_max_mb: int = Field(
        default=100,
        ge=1,
        le=2000,
        title="Papers per pack (MB)",
        description="The papers of one meeting's new referrals together may not exceed this.",
    )
    shared_group: bool = Field(
        default=False,
        title="Share with the group",
        description=(
            "false: every file ccp writes is readable by its owner only. true: also by the "
            "workspace folder's group (for a shared panel account)."
        ),
    )
    small_number_threshold: int = Field(
        default=5,
        ge=2,
        le=100,
        title="Small-number threshold",
        description="Counts from 1 to one below this show as 'fewer than N' in the annual report.",
    )
    retention: RetentionSchedule = Field(
        default_factory=RetentionSchedule,
        title="Retention",
        description=(
            "How long each kind of record is kept and on what basis: case_papers, "
            "signed_minutes, extracts_and_emails, backups, staging (years, days, "
            "counted_from, basis); review_months."
        ),
    )

    @field_validator("meetings")
    @classmethod
    def _meetings_unique(cls, meetings: list[MeetingSlot]) -> list[MeetingSlot]:
        seen: set[date] = set()
        for slot in meetings:
            if slot.date in seen:
                raise ValueError(f"{slot.date.isoformat()} is listed twice")
            seen.add(slot.date)
        return sorted(meetings, key=lambda slot: slot.date)

    def meeting(self, when: date) -> MeetingSlot | None:
        return next((slot for slot in self.meetings if slot.date == when), None)

    def meeting_dates(self) -> list[date]:
        return [slot.date for slot in self.meetings]

    def signatories(self) -> list[str]:
        return [self.chair.name, self.deputy.name]
