"""Pydantic models of the panel's forms: panel.yaml and the referral (the data contract)."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from workflow.contract.terms import CASE_ID_PATTERN

# --- enumerations: codes in files, words in documents (LABELS) -------------------------


class LivingSituation(StrEnum):
    WITH_PARENTS = "with_parents"
    WITH_RELATIVES = "with_relatives"
    FOSTER_CARE = "foster_care"
    RESIDENTIAL = "residential"
    SECURE = "secure"
    SUPPORTED_ACCOMMODATION = "supported_accommodation"
    OTHER = "other"


class LegalStatus(StrEnum):
    NONE = "none"
    CHILD_IN_NEED = "child_in_need"
    CHILD_PROTECTION_PLAN = "child_protection_plan"
    SECTION_20 = "section_20"
    INTERIM_CARE_ORDER = "interim_care_order"
    CARE_ORDER = "care_order"
    PLACEMENT_ORDER = "placement_order"
    OTHER = "other"


class RiskCategory(StrEnum):
    EXPLOITATION = "exploitation"
    SELF_HARM = "self_harm"
    MENTAL_HEALTH = "mental_health"
    MISSING = "missing"
    OFFENDING = "offending"
    SUBSTANCE_MISUSE = "substance_misuse"
    NEGLECT = "neglect"
    ABUSE = "abuse"
    PLACEMENT_BREAKDOWN = "placement_breakdown"
    EDUCATION = "education"
    HEALTH = "health"
    OTHER = "other"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


class ObstacleType(StrEnum):
    RESOURCES = "resources"
    CROSS_AGENCY = "cross_agency"
    LEGAL = "legal"
    PLACEMENT = "placement"
    ENGAGEMENT = "engagement"
    OTHER = "other"


class Criterion(StrEnum):
    NEGLECT_LONG_TERM = "neglect_long_term"
    CARE_ORDER_REFUSED = "care_order_refused"
    HIGH_RISK = "high_risk"
    OUT_OF_COUNTY = "out_of_county"
    MULTIPLE_NEEDS = "multiple_needs"
    OTHER = "other"


class ProcessKind(StrEnum):
    STRATEGY_MEETING = "strategy_meeting"
    CHILD_PROTECTION_CONFERENCE = "child_protection_conference"
    CIN_REVIEW = "cin_review"
    LAC_REVIEW = "lac_review"
    ESCALATION = "escalation"
    COMPLEX_CASE_MEETING = "complex_case_meeting"
    LEGAL_PLANNING_MEETING = "legal_planning_meeting"
    OTHER = "other"


# Words shown in documents for each code. A code shared by several enumerations
# ("other", "none") reads the same in all of them.
LABELS: dict[str, str] = {
    "with_parents": "With parents",
    "with_relatives": "With relatives or friends",
    "foster_care": "Foster care",
    "residential": "Residential children's home",
    "secure": "Secure accommodation",
    "supported_accommodation": "Supported accommodation",
    "other": "Other",
    "none": "No legal order",
    "child_in_need": "Child in need",
    "child_protection_plan": "Child protection plan",
    "section_20": "Section 20 (accommodated by agreement)",
    "interim_care_order": "Interim care order",
    "care_order": "Care order",
    "placement_order": "Placement order",
    "exploitation": "Exploitation",
    "self_harm": "Self-harm",
    "mental_health": "Mental health",
    "missing": "Missing episodes",
    "offending": "Offending",
    "substance_misuse": "Substance misuse",
    "neglect": "Neglect",
    "abuse": "Abuse",
    "placement_breakdown": "Placement breakdown",
    "education": "Education",
    "health": "Health",
    "low": "Low",
    "medium": "Medium",
    "high": "High",
    "very_high": "Very high",
    "resources": "Resources",
    "cross_agency": "Cross-agency working",
    "legal": "Legal",
    "placement": "Placement",
    "engagement": "Engagement",
    "neglect_long_term": "Long-term neglect under a child protection plan",
    "care_order_refused": "Care order not made against local authority advice",
    "high_risk": "High-risk young person",
    "out_of_county": "Out-of-county placement lacking co-ordinated services",
    "multiple_needs": "Multiple complex needs at risk of poor outcomes",
    "strategy_meeting": "Strategy meeting",
    "child_protection_conference": "Child protection conference",
    "cin_review": "Child in need review",
    "lac_review": "Looked-after child review",
    "escalation": "Escalation",
    "complex_case_meeting": "Complex case meeting",
    "legal_planning_meeting": "Legal planning meeting",
}

RISK_ORDER = [level.value for level in RiskLevel]

# Legal statuses under which the child's plan is overseen by an IRO or independent chair
# (ToR 13.i): a protection plan, or looked after.
IRO_STATUSES = frozenset(
    {
        LegalStatus.CHILD_PROTECTION_PLAN,
        LegalStatus.SECTION_20,
        LegalStatus.INTERIM_CARE_ORDER,
        LegalStatus.CARE_ORDER,
        LegalStatus.PLACEMENT_ORDER,
    }
)


# --- field types -------------------------------------------------------------------------

# XML 1.0 cannot hold these, so Word and Excel could not store them: refuse them at the door.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    # Windows line endings would render as doubled breaks in Word; a break is a break.
    # A YAML block (|) ends with a line break nobody typed as part of the answer.
    value = value.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
    bad = _XML_ILLEGAL.search(value)
    if bad:
        raise ValueError(
            f"contains the control character U+{ord(bad.group()):04X}, "
            "which Word and Excel cannot store; delete it"
        )
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _iso_date(value: Any) -> Any:
    if value is None:
        return value  # reported as "is required" where the date is required
    if isinstance(value, datetime):
        raise ValueError("must be a date without a time, like 2027-01-14")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a real date") from None
    raise ValueError("must be an ISO date like 2027-01-14")


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


ShortText = Annotated[
    str, BeforeValidator(_text), StringConstraints(max_length=300), AfterValidator(_not_blank)
]
LongText = Annotated[
    str, BeforeValidator(_text), StringConstraints(max_length=20_000), AfterValidator(_not_blank)
]
Email = Annotated[ShortText, AfterValidator(_email)]


def _one_line(value: str) -> str:
    # Names go into e-mail headers and file listings: a line break there is a header
    # injection or a broken draft, so it is refused where it is typed (issue 10).
    if "\n" in value or "\t" in value:
        raise ValueError("must be on one line (no line breaks or tabs in a name)")
    return value


Name = Annotated[ShortText, AfterValidator(_one_line)]
IsoDate = Annotated[date, BeforeValidator(_iso_date), Field(json_schema_extra={"format": "date"})]


def field(title: str, description: str, **kwargs: Any) -> Any:
    """A model field with the label a person sees (title) and what to write (description)."""
    return Field(title=title, description=description, **kwargs)


def optional(title: str, description: str, **kwargs: Any) -> Any:
    return Field(default=None, title=title, description=description, **kwargs)


def _blank(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_blank(item) for item in value.values())
    if isinstance(value, list):
        return all(_blank(item) for item in value)
    return value is None or (isinstance(value, str) and not value.strip())


class Form(BaseModel):
    """Base of every form: unknown keys are errors, so a typo never drops what was typed."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _drop_blank_entries(cls, data: Any) -> Any:
        """A list entry or optional section left wholly blank (as in the template) is absent.

        Only entries with nothing typed in them go; a required list left with none is then
        reported as needing an entry.
        """
        if not isinstance(data, dict):
            return data
        cleaned = dict(data)
        for key, value in data.items():
            info = cls.model_fields.get(key)
            if info is None:
                continue
            if isinstance(value, list) and any(_blank(item) for item in value):
                cleaned[key] = [item for item in value if not _blank(item)]
            elif isinstance(value, dict) and value and _blank(value) and not info.is_required():
                del cleaned[key]  # the field's default (None, or an empty section) applies
        return cleaned


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


# --- the referral ------------------------------------------------------------------------


class Child(Form):
    name: ShortText = field("Child's full name", "Legal name. Kept only in the register.")
    preferred_name: ShortText | None = optional(
        "Preferred name", "What the child likes to be called."
    )
    date_of_birth: IsoDate = field("Child's date of birth", "ISO date, e.g. 2010-08-17.")
    gender: ShortText = field("Gender", "As the child describes it.")
    ethnicity: ShortText | None = optional("Ethnicity", "As the child or family describes it.")
    local_id: ShortText = field(
        "Local case number", "The case-management system number, e.g. LCS-000731."
    )
    living_situation: LivingSituation = field("Living situation", "Where the child lives now.")
    placement_location: ShortText | None = optional(
        "Placement location", "Town or type of placement; no full address."
    )
    out_of_area: bool = field("Placed out of area", "true if the child lives outside the county.")
    legal_status: LegalStatus = field("Legal status", "The child's current legal status.")
    legal_status_since: IsoDate | None = optional(
        "Legal status since", "ISO date the current legal status began."
    )


class Assessment(Form):
    title: ShortText = field("Assessment", "e.g. CAMHS assessment, Child and family assessment.")
    date: IsoDate = field("Date", "ISO date of the assessment.")
    author: ShortText = field("Author", "Who carried it out, and their agency.")
    summary: LongText = field("Summary", "Its main findings in a few lines.")


class Professional(Form):
    name: Name = field("Name", "Full name.")
    role: ShortText = field("Role", "e.g. Social worker, School nurse.")
    agency: ShortText = field("Agency", "e.g. Children's social care, Police, CAMHS.")
    email: Email | None = optional("Email", "Work email address.")
    phone: ShortText | None = optional("Phone", "Work phone number.")
    key_worker: bool = field(
        "Key worker", "true for the child's key worker or lead professional; exactly one."
    )


class Risk(Form):
    category: RiskCategory = field("Risk category", "The kind of risk.")
    description: LongText = field("Description", "What the risk is and the evidence for it.")
    level: RiskLevel = field("Level", "The referrer's view of the level of risk.")
    known: bool = field("Known", "true if the risk is known; false if unknown or suspected.")


class Obstacle(Form):
    type: ObstacleType = field("Obstacle type", "What kind of obstacle it is.")
    detail: LongText = field("Detail", "How it blocks effective planning or provision.")


class ProcessTried(Form):
    process: ProcessKind = field("Process", "The planning or review process already tried.")
    date: IsoDate = field("Date", "ISO date it took place.")
    outcome: LongText = field("Outcome", "What it decided and why risks persist.")


class Referrer(Form):
    name: Name = field("Referrer's name", "Who completed the referral.")
    role: ShortText = field("Referrer's role", "Their job title.")
    agency: ShortText = field("Referring agency", "The agency making the referral.")
    email: Email = field("Referrer's email", "Work email address.")
    phone: ShortText | None = optional("Referrer's phone", "Work phone number.")


class KeySocialWorker(Form):
    name: Name = field("Key social worker", "The child's allocated social worker.")
    team: ShortText = field("Team", "Their team.")
    email: Email | None = optional("Email", "Work email address.")
    consulted_on: IsoDate = field(
        "Date consulted", "ISO date the social worker was consulted about this referral."
    )


class Authorisation(Form):
    name: Name = field("Authorising manager", "The senior manager who authorised it.")
    role: ShortText = field("Manager's role", "Their job title.")
    agency: ShortText = field("Manager's agency", "Their agency.")
    date: IsoDate = field("Date authorised", "ISO date of authorisation: the referral's date.")


class Iro(Form):
    name: Name = field(
        "IRO or independent chair", "Independent reviewing officer or child protection chair."
    )
    consulted_on: IsoDate = field("Date IRO consulted", "ISO date they were consulted.")
    email: Email | None = optional(
        "IRO's email", "Work email address: the IRO receives the signed minutes extract."
    )


class SpecialInvitation(Form):
    name: Name = field("Name", "Who the panel should invite for this case.")
    role: ShortText = field("Role", "Their job title.")
    agency: ShortText = field("Agency", "Their agency.")
    reason: LongText = field("Reason", "Why their presence is needed.")


class Attachments(Form):
    chronology: ShortText | None = optional(
        "Chronology", "Path to the chronology, relative to this referral file."
    )
    risk_assessment: ShortText | None = optional(
        "Risk assessment", "Path to the current risk assessment, relative to this file."
    )
    last_review_report: ShortText | None = optional(
        "Last review report", "Path to the last case review report, relative to this file."
    )


class Referral(Form):
    """A request for the panel to discuss a child (ToR section 13)."""

    meeting: IsoDate = field("Panel meeting", "ISO date of the panel meeting it is for.")
    child: Child = field("The child", "Basic information about the child.")
    family: LongText = field(
        "Family and network",
        "Who has parental responsibility, siblings, significant others, wider network.",
    )
    history: LongText = field("Relevant history", "Brief history and overview.")
    assessments: list[Assessment] = field(
        "Assessments",
        "Significant assessments: title, date, author, summary.",
        default_factory=list,
    )
    professionals: list[Professional] = field(
        "Professionals involved",
        "Agencies and professionals involved; mark exactly one key_worker: true.",
        min_length=1,
    )
    risks: list[Risk] = field(
        "Current risks", "Analysis of current risks, known and unknown.", min_length=1
    )
    obstacles: list[Obstacle] = field(
        "Obstacles",
        "Issues or obstacles to effective case planning or provision.",
        default_factory=list,
    )
    criteria: list[Criterion] = field(
        "Criteria met", "Which panel criteria the child meets (ToR section 10).", min_length=1
    )
    criteria_detail: LongText = field(
        "How the criteria are met", "Explain how the child meets the criteria."
    )
    processes_tried: list[ProcessTried] = field(
        "Processes already tried",
        "Planning, conferencing or dispute processes tried without enough progress.",
        min_length=1,
    )
    benefits: LongText = field("Benefits sought", "What you hope a panel discussion will add.")
    outcomes_sought: list[ShortText] = field(
        "Outcomes sought", "Short outcomes you want for the child.", min_length=1
    )
    child_views: LongText = field(
        "The child's views", "The child's own views, in their words where possible."
    )
    family_aware: bool = field("Family aware", "true if the family knows of this referral.")
    referrer: Referrer = field("Referrer", "Who is making the referral.")
    key_social_worker: KeySocialWorker = field(
        "Key social worker", "The social worker consulted about the referral's timing."
    )
    authorised_by: Authorisation = field(
        "Authorised by", "The senior manager who authorised the referral."
    )
    iro: Iro | None = optional(
        "IRO / independent chair",
        "Required when the child has a protection plan or is looked after.",
    )
    special_invitations: list[SpecialInvitation] = field(
        "Special invitations",
        "Others the panel should invite for this case.",
        default_factory=list,
    )
    attachments: Attachments = Field(
        default_factory=Attachments,
        title="Papers for circulation",
        description="Chronology, risk assessment and last review report (paths).",
    )
    late_accepted_by: ShortText | None = optional(
        "Late referral accepted by", "The chair who accepted this referral after the deadline."
    )

    @field_validator("professionals")
    @classmethod
    def _one_key_worker(cls, professionals: list[Professional]) -> list[Professional]:
        count = sum(1 for person in professionals if person.key_worker)
        if count != 1:
            raise ValueError(f"exactly one professional must have key_worker: true (found {count})")
        return professionals

    @field_validator("criteria")
    @classmethod
    def _criteria_unique(cls, criteria: list[str]) -> list[str]:
        repeated = sorted({c for c in criteria if criteria.count(c) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} is listed more than once")
        return criteria

    def key_worker(self) -> Professional:
        return next(person for person in self.professionals if person.key_worker)

    def highest_risk(self) -> str:
        return max((risk.level for risk in self.risks), key=RISK_ORDER.index)

    def agencies(self) -> list[str]:
        """Every agency involved, in first-mentioned order, without repeats."""
        names = [person.agency for person in self.professionals]
        return list(dict.fromkeys([self.referrer.agency, *names]))


# --- the minutes record ------------------------------------------------------------------


class CaseKind(StrEnum):
    NEW = "new"
    PROGRESS_REVIEW = "progress_review"


class ReportFormat(StrEnum):
    WRITTEN = "written"
    IN_PERSON = "in_person"


LABELS.update(
    {
        "new": "New referral",
        "progress_review": "Progress review",
        "written": "In writing",
        "in_person": "In person",
    }
)

CaseId = Annotated[
    str,
    StringConstraints(pattern=CASE_ID_PATTERN),
    Field(json_schema_extra={"examples": ["CCP-2027-004"]}),
]


class Attendee(Form):
    name: Name = field("Name", "Full name.")
    role: ShortText = field("Role", "Job title.")
    agency: ShortText = field("Agency", "Organisation.")


class Manager(Form):
    name: Name = field("Accountable manager", "The senior manager accountable for the plan.")
    role: ShortText = field("Role", "Their job title.")
    agency: ShortText = field("Agency", "Their agency.")
    email: Email | None = optional(
        "Email", "Work email address: they are copied into the minutes extract e-mail."
    )


ActionId = Annotated[
    str,
    StringConstraints(pattern=r"^(CCP-\d{4}-\d{3,}|SI-\d{4}-\d{2}-\d{2})-A\d+$"),
    Field(json_schema_extra={"examples": ["CCP-2027-004-A2"]}),
]


class ActionItem(Form):
    action_id: ActionId | None = optional(
        "Action ID",
        "Given by the register when the minutes are recorded; keep it when you reword an "
        "action in an amendment, so its status and notes stay with it.",
    )
    description: LongText = field("Action", "What will be done, by whom, to unblock progress.")
    agency: ShortText = field("Agency", "The agency that owns the action.")
    owner: ShortText = field("Owner", "The named professional who will do it.")
    due: IsoDate = field("Due", "ISO date it is due; after the meeting.")


class ResourceAgreement(Form):
    agency: ShortText = field("Agency", "The agency contributing.")
    description: LongText = field("Resource", "What is contributed, e.g. joint funding.")
    amount: float | None = Field(
        default=None, ge=0, title="Amount (£)", description="Amount in pounds, if any."
    )
    confirmed: bool = field(
        "Confirmed", "true once the agency has confirmed; false for an in-principle agreement."
    )


class ProgressRequirement(Form):
    format: ReportFormat = field("Report format", "written or in_person.")
    due_meeting: IsoDate = field("Report due at", "ISO date of the panel meeting it is due at.")


class MinutesCase(Form):
    case_id: CaseId = field("Case", "The case ID, e.g. CCP-2027-004.")
    kind: CaseKind = field("Kind", "new or progress_review.")
    presented_by: ShortText = field("Presented by", "Who presented the case, and their role.")
    discussion: LongText = field("Discussion", "Summary of the discussion.")
    risk_level: RiskLevel = field("Agreed risk level", "The level of risk the panel agreed.")
    risk_rationale: LongText = field("Rationale", "Why the panel agreed that level.")
    accountable_manager: Manager = field(
        "Accountable manager", "Senior manager accountable for the risk management plan."
    )
    risk_management_plan: LongText = field(
        "Risk management plan", "The single plan adopted by all agencies."
    )
    contingencies: LongText = field("Contingencies", "What happens if risks rise suddenly.")
    actions: list[ActionItem] = field(
        "Actions", "Actions by named agencies and professionals.", default_factory=list
    )
    resources: list[ResourceAgreement] = field(
        "Resources", "In-principle or confirmed resource agreements.", default_factory=list
    )
    communication: LongText = field("Communication", "How the plan is communicated.")
    monitoring: LongText = field("Monitoring", "Who monitors progress and how.")
    progress_report: ProgressRequirement | None = optional(
        "Progress report", "Format and meeting of the next report (not when closing)."
    )
    escalate_to_partnership: bool = field(
        "Escalate to the Safeguarding Partnership", "true if a formal practice review is needed."
    )
    escalation_reason: LongText | None = optional(
        "Escalation reason", "Why the case meets the criteria for a practice review."
    )
    themes: list[ShortText] = field(
        "Themes",
        "Short tags for service gaps seen (for the annual report).",
        default_factory=list,
    )
    close_case: bool = field("Close the case", "true if the panel closes the case.")
    closure_reason: LongText | None = optional("Closure reason", "Why the case is closed.")


class StrategicMinute(Form):
    title: ShortText = field("Item", "The strategic item discussed.")
    notes: LongText = field("Notes", "What was said and agreed.")
    actions: list[ActionItem] = field("Actions", "Actions agreed.", default_factory=list)


class MinutesRecord(Form):
    """The minutes of one meeting (ToR 12 and 13.iii)."""

    meeting: IsoDate = field("Meeting", "ISO date of the meeting.")
    chair: Name = field("Chair", "Who chaired the meeting.")
    minute_taker: Name | None = optional("Minute-taker", "Who took the minutes.")
    present: list[Attendee] = field("Present", "Members and guests present.", min_length=1)
    apologies: list[Attendee] = field(
        "Apologies", "Members who sent apologies.", default_factory=list
    )
    cases: list[MinutesCase] = field("Cases", "One entry per case discussed.", default_factory=list)
    strategic_items: list[StrategicMinute] = field(
        "Strategic items", "Strategic safeguarding items.", default_factory=list
    )
    any_other_business: LongText | None = optional("Any other business", "Anything else.")

    @field_validator("cases")
    @classmethod
    def _cases_unique(cls, cases: list[MinutesCase]) -> list[MinutesCase]:
        ids = [case.case_id for case in cases]
        repeated = sorted({case_id for case_id in ids if ids.count(case_id) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} is minuted more than once")
        return cases
