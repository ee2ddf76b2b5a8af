"""panel.yaml: the panel, its people, its meetings and its settings."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from workflow.contract.common import (
    Email,
    Form,
    IsoDate,
    LongText,
    Name,
    ShortText,
    field,
    optional,
)
from workflow.contract.retention import RetentionSchedule

# What a council's panel usually relies on to share a child's papers between agencies.
DEFAULT_LAWFUL_BASIS = (
    "UK GDPR Art. 6(1)(e) public task and Art. 9(2)(g) with DPA 2018 Sch. 1 para 18 "
    "(safeguarding of children); Children Act 2004 s.11"
)

# --- panel.yaml --------------------------------------------------------------------------


class Person(Form):
    name: Name = field("Name", "Full name.")
    role: ShortText = field("Role", "Job title, e.g. Deputy Director, Social Care.")
    agency: ShortText = field("Agency", "Organisation, e.g. Children's social care, Police.")
    email: Email | None = optional("Email", "Work email address.")
    login: Name | None = optional(
        "Computer login",
        "The login this person runs ccp under (e.g. ab12345), if they do: the register's "
        "Audit sheet records the login, and a case's history shows this name instead.",
    )


def _bare_date_to_meeting(value: Any) -> Any:
    if isinstance(value, date | str):
        return {"date": value}
    return value


class MeetingSlot(Form):
    date: IsoDate = field("Meeting date", "ISO date of the meeting, e.g. 2027-01-14.")
    time: ShortText | None = optional("Time", "Start time, e.g. 10:00-13:00.")
    venue: ShortText | None = optional("Venue", "Where the panel meets, or 'Online'.")


class ActionRag(Form):
    """How an open action is rated Red, Amber or Green between meetings."""

    amber_within_days: int = Field(
        default=14,
        ge=0,
        le=365,
        title="Amber within (days)",
        description="An open action due within this many days is Amber.",
    )
    red_after_days_overdue: int = Field(
        default=0,
        ge=0,
        le=365,
        title="Red after (days overdue)",
        description="An open action more than this many days past its due date is Red "
        "(0: Red as soon as it is overdue; until then an overdue action is Amber).",
    )
    note_required_for_red: bool = Field(
        default=True,
        title="A Red action needs a note",
        description="A Red action needs a note in the register, dated on or after its due "
        "date, saying why it is late and what happens next; one without is listed as late.",
    )


class Timeliness(Form):
    """The panel's targets for its paperwork after each meeting (working days: Monday to
    Friday, less the non-working days listed)."""

    decisions_summary_days: int = Field(
        default=1,
        ge=0,
        le=30,
        title="Decisions summary within (working days)",
        description="The panel's decisions and actions are recorded (ccp minutes record) "
        "within this many working days of the meeting.",
    )
    draft_minutes_days: int = Field(
        default=5,
        ge=0,
        le=60,
        title="Draft minutes within (working days)",
        description="The full draft minutes are recorded (the last ccp minutes record "
        "before signing) within this many working days of the meeting.",
    )
    signed_minutes_days: int = Field(
        default=15,
        ge=0,
        le=120,
        title="Signed minutes within (working days)",
        description="The minutes are signed as a true record within this many working days "
        "of the meeting.",
    )
    non_working_days: list[IsoDate] = Field(
        default_factory=list,
        title="Non-working days",
        description="Bank holidays and other days that are not working days, as ISO dates.",
    )
    actions: ActionRag = Field(
        default_factory=ActionRag,
        title="Action RAG rules",
        description="When an open action is Red, Amber or Green.",
    )

    @model_validator(mode="after")
    def _in_order(self) -> Timeliness:
        if self.draft_minutes_days < self.decisions_summary_days:
            raise ValueError("draft_minutes_days may not be less than decisions_summary_days")
        if self.signed_minutes_days < self.draft_minutes_days:
            raise ValueError("signed_minutes_days may not be less than draft_minutes_days")
        return self


# Read by the chair at the start of every meeting, as a MARAC chair reads SafeLives' one.
CONFIDENTIALITY_STATEMENT = (
    "What is shared at this meeting is confidential: it is used only to protect the children "
    "discussed, and goes no further without the panel's agreement unless a child is at risk "
    "of harm or the law requires it. Declare now any interest in a case on the agenda."
)


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
    confidentiality_statement: LongText = Field(
        default=CONFIDENTIALITY_STATEMENT,
        title="Confidentiality statement",
        description=(
            "Read by the chair at the start of every meeting; printed on the agenda and the "
            "minutes. Leave it out for the standard wording."
        ),
    )
    papers_location: ShortText | None = optional(
        "Where the papers are",
        "Where members find the circulated papers (e.g. a secure shared folder's path); "
        "the circulation e-mails say so. Leave it out when the papers go as attachments.",
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

    lawful_basis: ShortText = Field(
        default=DEFAULT_LAWFUL_BASIS,
        title="Lawful basis for sharing",
        description=(
            "Recorded against every document the panel releases (the register's Disclosures "
            "sheet), as the ICO's data sharing code asks."
        ),
    )
    report_year_starts: str = Field(
        default="01-01",
        title="Report year starts",
        description=(
            "Month and day the annual report's year starts, e.g. 04-01 for April to March. "
            "A year that does not start on 1 January is named by both years, e.g. 2026/27."
        ),
    )
    report_year_label: ShortText | None = optional(
        "Report year label",
        "The panel's own name for its report year, with {start} and {end} for the years "
        "it starts and ends in and {end_short} for the last two digits of the end, e.g. "
        "'{start}-{end_short}'. Default: 2027, or 2026/27 for a year across two.",
    )

    timeliness: Timeliness = Field(
        default_factory=Timeliness,
        title="Timeliness targets",
        description="Working days to the decisions summary, the draft and the signed "
        "minutes after each meeting, and the Red/Amber/Green rules for actions.",
    )

    @field_validator("report_year_starts")
    @classmethod
    def _a_real_day(cls, value: str) -> str:
        try:
            if not re.fullmatch(r"\d\d-\d\d", value):
                raise ValueError(value)
            month, day = (int(part) for part in value.split("-"))
            date(2027, month, day)  # not a leap year: 02-29 would skip most years
        except ValueError:
            raise ValueError(f"{value} is not a month and day every year has, like 04-01") from None
        return value

    @field_validator("report_year_label")
    @classmethod
    def _known_placeholders(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            value.format(start=2026, end=2027, end_short="27")
        except (KeyError, IndexError, ValueError) as err:
            raise ValueError(
                f"may use only {{start}}, {{end}} and {{end_short}} ({err} is not one)"
            ) from None
        return value

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

    def people(self) -> list[Person]:
        return [self.chair, self.deputy, self.administrator, *self.members]

    def name_of(self, who: str) -> str | None:
        """The person behind an Audit `who`: a login panel.yaml maps, or a member's name.

        None for a login no one claims (an OS login such as "root" tells a reader nothing).
        """
        wanted = who.strip().casefold()
        for person in self.people():
            if wanted in {person.name.casefold(), (person.login or "").casefold()}:
                return person.name
        return None

    def signatories(self) -> list[str]:
        return [self.chair.name, self.deputy.name]
