"""A case as stored under cases/<case ID>/case.json, and the context documents receive."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from .errors import CaseNotFound
from .forms import read_text
from .models import PanelConfig, Referral
from .workspace import Workspace


class CaseRecord(BaseModel):
    """What was accepted: the validated referral and where its papers were stored."""

    model_config = ConfigDict(extra="forbid")

    case_id: str
    accepted_on: date
    referral: Referral
    # Paths relative to the case folder, None where the paper was not supplied.
    attachments: dict[str, str | None]


def load_case(workspace: Workspace, case_id: str) -> CaseRecord:
    file = workspace.case_dir(case_id) / "case.json"
    if not file.is_file():
        raise CaseNotFound(f"{case_id}: no such case in {workspace.relative(workspace.cases_dir)}/")
    return CaseRecord.model_validate_json(read_text(file))


def panel_context(panel: PanelConfig) -> dict[str, Any]:
    return {
        "name": panel.name,
        "authority": panel.authority,
        "protective_marking": panel.protective_marking,
    }


def case_context(record: CaseRecord, panel: PanelConfig) -> dict[str, Any]:
    """What the referral template receives: every optional field present, None if not given."""
    referral = record.referral.model_dump(mode="python")
    # The document says what was actually supplied, not what the referrer meant to attach.
    referral["attachments"] = dict(record.attachments)
    return {
        "case_id": record.case_id,
        "accepted_on": record.accepted_on,
        "panel": panel_context(panel),
        "referral": referral,
        "referring_agency": record.referral.referrer.agency,
    }
