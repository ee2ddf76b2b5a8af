"""The meeting record store: which versions are recorded and signed, and their files.

The register's `Meetings` row names the current version and the SHA-256 of its recorded
file; `Signatures` holds one row per signed file. This module reads those rows, loads the
recorded versions from `meetings/DATE/`, and finishes (or discards) what a killed command
left staged. Recording, signing and the agenda all read the store; none of them owns it.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from workflow.contract import MinutesRecord
from workflow.core import files
from workflow.core.dates import as_date, uk_date
from workflow.core.errors import FileUnreadable, WorkspaceError
from workflow.forms.loading import read_text
from workflow.register.migrations import legacy_hash
from workflow.workspace.paths import Workspace

# --- files of a meeting ------------------------------------------------------------------


def meeting_dir(workspace: Workspace, meeting: date) -> Path:
    return workspace.meeting_dir(meeting)


def draft_file(workspace: Workspace, meeting: date) -> Path:
    return workspace.minutes_draft(meeting)


def complete_path(workspace: Workspace, meeting: date) -> Path:
    """Where the demo keeps its completed record (a person edits minutes.yaml itself)."""
    return meeting_dir(workspace, meeting) / "minutes-completed.yaml"


def recorded_file(workspace: Workspace, meeting: date, version: int) -> Path:
    return workspace.recorded_minutes(meeting, version)


def recorded_versions(workspace: Workspace, meeting: date) -> list[int]:
    """The versions whose recorded file is in place (the register says which is current)."""
    folder = meeting_dir(workspace, meeting)
    if not folder.is_dir():
        return []
    found = (re.fullmatch(r"minutes-v(\d+)\.json", path.name) for path in folder.iterdir())
    return sorted(int(match.group(1)) for match in found if match)


@dataclass
class StoredMinutes:
    version: int
    record: MinutesRecord
    changes: list[str] = field(default_factory=list)


def load_recorded(workspace: Workspace, meeting: date, version: int) -> StoredMinutes:
    path = recorded_file(workspace, meeting, version)
    try:
        data = json.loads(read_text(path))
        return StoredMinutes(
            version, MinutesRecord.model_validate(data["record"]), list(data["changes"])
        )
    except (ValueError, KeyError, TypeError) as err:
        raise FileUnreadable(
            f"{workspace.relative(path)}: the recorded minutes cannot be read ({err}); "
            "record the minutes again with `ccp minutes record` (or restore the file from a "
            "copy) and run the command again"
        ) from None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 16), b""):
                digest.update(block)
    except OSError as err:
        raise FileUnreadable(f"{path}: cannot be read ({err.strerror})") from err
    return digest.hexdigest()


# --- what the register says ----------------------------------------------------------------


def meeting_row(register: Any, meeting: date) -> dict[str, Any] | None:
    rows = [row for row in register.find("Meetings", meeting=meeting) if not legacy_hash(row)]
    return rows[0] if rows else None


def signature_rows(register: Any, meeting: date) -> list[dict[str, Any]]:
    """Each signed version of a meeting once: version, signed_by, signed_on, files."""
    versions: dict[int, dict[str, Any]] = {}
    for row in register.find("Signatures", meeting=meeting):
        version = row.get("version")
        if not isinstance(version, int):
            continue
        entry = versions.setdefault(
            version,
            {
                "version": version,
                "signed_by": row.get("signed_by"),
                "signed_on": row.get("signed_on"),
                "files": {},
            },
        )
        entry["files"][str(row.get("file"))] = str(row.get("sha256") or "").lower()
    return [versions[key] for key in sorted(versions)]


# --- rolling forward what a kill interrupted -----------------------------------------------


def roll_forward(workspace: Workspace, register: Any, meeting: date) -> list[Path]:
    """Finish or discard what an interrupted command left for this meeting.

    A staged file the register vouches for (its hash is recorded) is published; anything
    else staged is deleted, so no signed-looking file exists that the register lacks.
    """
    published: list[Path] = []
    signed = {entry["version"]: entry for entry in signature_rows(register, meeting)}
    out = workspace.meeting_output(meeting)
    if out.is_dir():
        for stage in sorted(out.glob(".signing-v*")):
            match = re.fullmatch(r"\.signing-v(\d+)", stage.name)
            version = int(match.group(1)) if match else None
            if version in signed and stage.is_dir():
                for staged in sorted(p for p in stage.rglob("*") if p.is_file()):
                    target = out / staged.relative_to(stage)
                    published.append(files.publish(staged, target))
            shutil.rmtree(stage, ignore_errors=True)
    row = meeting_row(register, meeting)
    folder = workspace.meeting_dir(meeting)
    if folder.is_dir():
        for staged in folder.glob(".minutes-v*.json.staged"):
            target = staged.with_name(staged.name[1 : -len(".staged")])
            if row and row.get("record_sha256") == record_digest(staged.read_bytes()):
                published.append(files.publish(staged, target))
            else:
                staged.unlink(missing_ok=True)
    return published


# --- versions ------------------------------------------------------------------------------


def record_digest(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def stage_path(target: Path) -> Path:
    """Where a record file waits between the register commit and its publication."""
    return target.with_name(f".{target.name}.staged")


def version_of(row: dict[str, Any] | None) -> int:
    value = row.get("version") if row else None
    return value if isinstance(value, int) and value > 0 else 0


def require_recorded(register: Any, meeting: date) -> int:
    version = version_of(meeting_row(register, meeting))
    if not version:
        raise WorkspaceError(
            f"the {uk_date(meeting)} minutes have not been recorded: run `ccp minutes record`"
        )
    return version


def current_record(workspace: Workspace, register: Any, meeting: date) -> MinutesRecord | None:
    """The meeting's recorded minutes in the version the register names, if recorded."""
    version = version_of(meeting_row(register, meeting))
    if not version:
        return None
    return load_recorded(workspace, meeting, version).record


def escalating_meetings(
    workspace: Workspace, register: Any, case_id: str, *, besides: date | None = None
) -> list[date]:
    """The meetings (other than ``besides``) whose current minutes escalated the case to
    the Safeguarding Partnership. Only meetings whose row names the case are read."""
    found = []
    for row in register.rows("Meetings"):
        meeting = as_date(row.get("meeting"))
        if meeting is None or meeting == besides or case_id not in str(row.get("cases") or ""):
            continue
        record = current_record(workspace, register, meeting)
        if record and any(
            case.case_id == case_id and case.escalate_to_partnership for case in record.cases
        ):
            found.append(meeting)
    return sorted(found)
