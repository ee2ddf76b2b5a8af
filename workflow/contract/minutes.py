"""The minutes record: what the panel decided for each case (ToR section 12)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import (
    Field,
    StringConstraints,
    field_validator,
)

from workflow.contract.common import (
    LABELS,
    Email,
    Form,
    IsoDate,
    LongText,
    Name,
    RiskLevel,
    ShortText,
    field,
    optional,
)
from workflow.contract.terms import CASE_ID_PATTERN

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
