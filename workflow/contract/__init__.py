"""The data contract: what users type in panel.yaml, referrals, minutes and progress reports.

Owns: the pydantic models, split by form (``common``: enumerations, LABELS, field types and
the ``Form`` base; ``panel``; ``referral``; ``minutes``; ``progress``), ``terms`` (statuses
and ID patterns, defined once), ``rules`` (checks that span several fields) and ``schemas``
(the JSON Schemas generated from the models). The models are importable from here, each
module loaded when first asked for.
May import: ``core``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Name -> the module defining it: the models are imported when first asked for, so that
# a command needing only ``terms`` (the register's columns) does not load pydantic.
_WHERE = {
    "IRO_STATUSES": "common",
    "LABELS": "common",
    "RISK_ORDER": "common",
    "Criterion": "common",
    "Email": "common",
    "Form": "common",
    "IsoDate": "common",
    "LegalStatus": "common",
    "LivingSituation": "common",
    "LongText": "common",
    "Name": "common",
    "ObstacleType": "common",
    "ProcessKind": "common",
    "RiskCategory": "common",
    "RiskLevel": "common",
    "ShortText": "common",
    "field": "common",
    "optional": "common",
    "ActionId": "minutes",
    "ActionItem": "minutes",
    "Attendee": "minutes",
    "CaseId": "minutes",
    "CaseKind": "minutes",
    "Manager": "minutes",
    "MinutesCase": "minutes",
    "MinutesRecord": "minutes",
    "ProgressRequirement": "minutes",
    "ReportFormat": "minutes",
    "ResourceAgreement": "minutes",
    "StrategicMinute": "minutes",
    "MeetingSlot": "panel",
    "PanelConfig": "panel",
    "Person": "panel",
    "Assessment": "referral",
    "Attachments": "referral",
    "Authorisation": "referral",
    "Child": "referral",
    "Iro": "referral",
    "KeySocialWorker": "referral",
    "Obstacle": "referral",
    "ProcessTried": "referral",
    "Professional": "referral",
    "Referral": "referral",
    "Referrer": "referral",
    "Risk": "referral",
    "SpecialInvitation": "referral",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"workflow.contract.{module}"), name)
    globals()[name] = value
    return value


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
