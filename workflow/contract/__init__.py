"""The data contract: what users type in panel.yaml, referrals, minutes and progress reports.

Owns: the pydantic models, split by form (``common``: enumerations, LABELS, field types and
the ``Form`` base; ``panel``; ``referral``; ``minutes``; ``progress``), ``terms`` (statuses
and ID patterns, defined once), ``rules`` (checks that span several fields) and ``schemas``
(the JSON Schemas generated from the models). The models are importable from here.
May import: ``core``.
"""

from __future__ import annotations

from workflow.contract.common import (
    IRO_STATUSES,
    LABELS,
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
from workflow.contract.minutes import (
    ActionId,
    ActionItem,
    Attendee,
    CaseId,
    CaseKind,
    Manager,
    MinutesCase,
    MinutesRecord,
    ProgressRequirement,
    ReportFormat,
    ResourceAgreement,
    StrategicMinute,
)
from workflow.contract.panel import (
    MeetingSlot,
    PanelConfig,
    Person,
)
from workflow.contract.referral import (
    Assessment,
    Attachments,
    Authorisation,
    Child,
    Iro,
    KeySocialWorker,
    Obstacle,
    ProcessTried,
    Professional,
    Referral,
    Referrer,
    Risk,
    SpecialInvitation,
)

__all__ = [
    "ActionId",
    "ActionItem",
    "Assessment",
    "Attachments",
    "Attendee",
    "Authorisation",
    "CaseId",
    "CaseKind",
    "Child",
    "Criterion",
    "Email",
    "Form",
    "IRO_STATUSES",
    "Iro",
    "IsoDate",
    "KeySocialWorker",
    "LABELS",
    "LegalStatus",
    "LivingSituation",
    "LongText",
    "Manager",
    "MeetingSlot",
    "MinutesCase",
    "MinutesRecord",
    "Name",
    "Obstacle",
    "ObstacleType",
    "PanelConfig",
    "Person",
    "ProcessKind",
    "ProcessTried",
    "Professional",
    "ProgressRequirement",
    "RISK_ORDER",
    "Referral",
    "Referrer",
    "ReportFormat",
    "ResourceAgreement",
    "Risk",
    "RiskCategory",
    "RiskLevel",
    "ShortText",
    "SpecialInvitation",
    "StrategicMinute",
    "field",
    "optional",
]
