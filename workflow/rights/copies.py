"""`ccp retention dispose-copies`: destroy the copies the schedule says are due.

Copies made to circulate (minutes extracts, e-mail drafts), register backups and staging
left by an interrupted command hold children's data but are not the record: once due
they go without a review, each with a tombstone row (what, its SHA-256, who authorised
it). Staged as a case disposal is (``workspace.disposal_stage``): moved aside, the
register committed with the tombstones, then deleted; a kill leaves the old state or the
new. A copy naming a case on legal hold is kept.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from workflow.core.dates import today, uk_date
from workflow.register import Register
from workflow.rights.disposal import authoriser, file_sha256, files_under
from workflow.rights.retention import DUE, active_hold, due_copies
from workflow.workspace import disposal_stage
from workflow.workspace.paths import Workspace
from workflow.workspace.transaction import transaction

CASE_ID = re.compile(r"CCP-\d{4}-\d{3,}")


@dataclass
class CopiesDisposal:
    disposal: str = ""
    destroyed: list[str] = field(default_factory=list)
    # Due, but naming a case on legal hold: kept.
    held: list[str] = field(default_factory=list)


def dispose_copies(workspace: Workspace, *, authorised_by: str) -> CopiesDisposal:
    """Destroy every copy due under the schedule today; nothing is written when none is."""
    authorised_by = authoriser(authorised_by)
    result = CopiesDisposal()
    with transaction(workspace, "retention dispose-copies") as change:
        register = change.register
        targets: list[tuple[Path, str, str]] = []
        for item in due_copies(workspace, today()):
            if item.status != DUE:
                continue
            path = workspace.root / item.target
            case_id = _case_named(path)
            if case_id and _held(register, case_id):
                result.held.append(item.target)
                continue
            targets.append((path, case_id, f"{item.kind}: due {uk_date(item.due)} ({item.why})"))
        if not targets:
            return result
        result.disposal = f"{today().isoformat()}-{secrets.token_hex(4)}"
        for path, case_id, reason in targets:
            for member in files_under(path):
                register.append(
                    "Tombstones",
                    {
                        "case_id": case_id,
                        "destroyed_on": today(),
                        "authorised_by": authorised_by,
                        "what": workspace.relative(member),
                        "sha256": file_sha256(member),
                        "reason": reason,
                        "disposal": result.disposal,
                    },
                )
                result.destroyed.append(workspace.relative(member))
        register.audit(
            command="retention dispose-copies",
            action="destroyed copies due under the retention schedule",
            target=result.disposal,
            detail=f"{len(result.destroyed)} file(s); authorised by {authorised_by}",
        )
        try:
            # A file another program holds (Word, on Windows) stops the move: all go back.
            disposal_stage.stage(workspace, result.disposal, "", [path for path, _, _ in targets])
            change.commit()
        except BaseException:
            disposal_stage.undo(workspace, result.disposal)
            raise
    disposal_stage.finish(workspace, result.disposal)
    return result


def _case_named(path: Path) -> str:
    """The case a copy is about, where its name says (an extract, a reminder)."""
    found = CASE_ID.search(path.name)
    return found.group(0) if found else ""


def _held(register: Register, case_id: str) -> bool:
    return register.has_sheet("Retention holds") and active_hold(register, case_id) is not None
