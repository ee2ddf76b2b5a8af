"""A case as stored under cases/<case ID>/case.json, and the context documents receive."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from workflow.contract import PanelConfig, Referral
from workflow.core.errors import CaseNotFound, DamagedFile, FileUnreadable
from workflow.forms.loading import read_text
from workflow.workspace.paths import Workspace


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
    try:
        return CaseRecord.model_validate_json(read_text(file))
    except (ValidationError, FileUnreadable) as err:
        raise DamagedFile(
            f"{workspace.relative(file)}: is damaged and cannot be read ({_first_reason(err)}); "
            f"restore it from a copy of the workspace, or remove the case folder and accept "
            f"the referral again from {_received(workspace, case_id)}"
        ) from None


def _first_reason(err: ValidationError | FileUnreadable) -> str:
    if isinstance(err, FileUnreadable):
        return str(err).split(": ", 1)[-1]
    first = err.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


def _received(workspace: Workspace, case_id: str) -> str:
    folder = workspace.case_dir(case_id)
    received = sorted(folder.glob("referral-received.*"))
    return workspace.relative(received[0]) if received else "the practitioner's original file"


def panel_context(panel: PanelConfig) -> dict[str, Any]:
    return {
        "name": panel.name,
        "authority": panel.authority,
        "protective_marking": panel.protective_marking,
        "confidentiality_statement": panel.confidentiality_statement,
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
