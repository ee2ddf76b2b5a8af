"""The referral a practitioner fills (PRODUCT.md, data contract: Referral)."""

from __future__ import annotations

from pydantic import (
    Field,
    field_validator,
)

from workflow.contract.common import (
    RISK_ORDER,
    Criterion,
    Email,
    Form,
    IsoDate,
    LegalStatus,
    LivingSituation,
    LongText,
    Name,
    ObstacleType,
    ProcessKind,
    RiskCategory,
    RiskLevel,
    ShortText,
    field,
    optional,
)

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
