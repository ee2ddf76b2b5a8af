"""The progress report a case sends back to the panel (ToR 12 and 14): its data contract."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, field_validator

from workflow.contract import (
    LABELS,
    CaseId,
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


class ActionStatus(StrEnum):
    """An action's status: the register's words, as codes in files."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Recommendation(StrEnum):
    CONTINUE = "continue"
    CLOSE = "close"
    ESCALATE = "escalate"


# The register's words for each status code ("In progress"), which documents show too.
STATUS_WORDS = {
    "open": "Open",
    "in_progress": "In progress",
    "completed": "Completed",
    "cancelled": "Cancelled",
}
LABELS.update(STATUS_WORDS)
LABELS.update(
    {
        "continue": "Continue: keep the case under review",
        "close": "Close the case",
        "escalate": "Escalate",
    }
)


def status_code(value: Any) -> Any:
    """'In progress' as the register writes it, or 'in_progress': the same status."""
    if isinstance(value, str):
        return "_".join(value.strip().casefold().split())
    return value


class Reporter(Form):
    name: Name = field("Reported by", "Who wrote the report.")
    role: ShortText = field("Role", "Their job title.")
    agency: ShortText = field("Agency", "Their agency.")
    email: Email = field("Email", "Work email address.")


class ActionProgress(Form):
    action_id: ShortText = field(
        "Action ID", "The action's ID in the register, e.g. CCP-2027-004-A2."
    )
    status: Annotated[ActionStatus, BeforeValidator(status_code)] = field(
        "Status", "Where the action stands now: open, in_progress, completed or cancelled."
    )
    progress: LongText | None = optional(
        "Progress", "What has been done, and what is left; required while the action is open."
    )
    completed_on: IsoDate | None = optional(
        "Completed on", "ISO date the action was completed; only for a completed action."
    )


class ProgressReport(Form):
    """A case's written progress report to the panel that asked for it."""

    case_id: CaseId = field("Case", "The case ID, e.g. CCP-2027-004.")
    meeting: IsoDate = field("Panel meeting", "ISO date of the panel meeting it reports to.")
    reported_by: Reporter = field("Reported by", "Who wrote the report.")
    date: IsoDate = field("Date of report", "ISO date the report was written.")
    actions: list[ActionProgress] = field(
        "Actions",
        "One entry per action the panel agreed for the case: its status and progress.",
        default_factory=list,
    )
    risk_level: RiskLevel = field("Risk level now", "The level of risk now.")
    risk_rationale: LongText = field("Why that level", "Why the risk is at that level now.")
    changes: LongText = field("What has changed", "What has changed since the last panel.")
    child_views: LongText = field(
        "The child's views", "The child's own views, in their words where possible."
    )
    plan_revised: bool = field(
        "Plan revised", "true if the child's plan has been revised since the panel."
    )
    iro_informed_on: IsoDate | None = optional(
        "IRO informed on", "ISO date the IRO or independent chair was told of the changes."
    )
    still_needed: LongText = field(
        "Still needed from the panel", "What the case still needs from the panel's agencies."
    )
    recommendation: Recommendation = field("Recommendation", "continue, close or escalate.")
    recommendation_reason: LongText = field(
        "Reason for the recommendation", "Why you recommend it."
    )

    @field_validator("actions")
    @classmethod
    def _actions_unique(cls, actions: list[ActionProgress]) -> list[ActionProgress]:
        ids = [action.action_id for action in actions]
        repeated = sorted({action_id for action_id in ids if ids.count(action_id) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} is answered more than once")
        return actions
