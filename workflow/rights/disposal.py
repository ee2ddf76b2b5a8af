"""`ccp retention dispose`: destroy a case's files everywhere and its personal data in the
register, leaving a tombstone (case ID, what was destroyed, hashes, who authorised, when).

Staged so a kill leaves the old state or the new (``workspace.disposal_stage``): the files
move into a stage, the register is committed with the tombstones, then the stage goes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from workflow.core.dates import today, uk_date
from workflow.core.errors import CaseNotFound, RecordsRefused
from workflow.register import Register
from workflow.register.audit_years import audit_sheets
from workflow.register.schema import SHEETS
from workflow.rights.retention import active_hold, case_due, disposed_on
from workflow.rights.scan import files_holding
from workflow.workspace import disposal_stage
from workflow.workspace.paths import Workspace
from workflow.workspace.transaction import transaction
from workflow.xlsx.scrub import pattern_for

REMOVED = "[removed]"
# The Cases cells that are the child's personal data (the case ID stays: the tombstone's key).
PERSONAL = ("child_name", "local_id", "date_of_birth", "legal_status", "notes")


@dataclass
class Disposal:
    case_id: str
    disposal: str
    destroyed: list[str] = field(default_factory=list)
    cells: int = 0
    before_due: bool = False
    due: date | None = None


def authoriser(name: str | None) -> str:
    """The --authorised-by name, spaced plainly; a disposal no one authorised is refused."""
    name = " ".join((name or "").split())
    if not name:
        raise RecordsRefused("--authorised-by: name the person who authorised the disposal")
    return name


def files_under(target: Path) -> list[Path]:
    """The files a disposal destroys for ``target``: itself, or every file in a folder."""
    return sorted(p for p in target.rglob("*") if p.is_file()) if target.is_dir() else [target]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _needles(workspace: Workspace, row: dict[str, Any]) -> list[str]:
    found = [row.get("child_name"), row.get("local_id")]
    case_file = workspace.case_dir(row["case_id"]) / "case.json"
    if case_file.is_file():
        import json

        try:
            child = json.loads(case_file.read_text(encoding="utf-8"))["referral"]["child"]
            found += [child.get("name"), child.get("local_id")]
        except (ValueError, KeyError, TypeError):
            pass
    # A single word (a local ID) is searched for only when long enough not to be any number.
    kept = {str(n).strip() for n in found if n and str(n).strip()}
    return sorted((n for n in kept if (" " in n and len(n) >= 3) or len(n) >= 5), key=str.casefold)


def _targets(workspace: Workspace, case_id: str, needles: list[str]) -> list[Path]:
    """The case folder, the case's own outputs, and any other file holding the child's name."""
    case_dir = workspace.case_dir(case_id)
    own = [path for path in workspace.output_dir.rglob(f"{case_id}-*") if path.is_file()]
    skip = [workspace.register_file, disposal_stage.stage_root(workspace), case_dir, *own]
    holding = list(files_holding(workspace.root, needles, skip=skip))
    found = ([case_dir] if case_dir.exists() else []) + sorted(set(own) | set(holding))
    return found


def _refuse_shared_signed(
    workspace: Workspace, register: Register, case_id: str, paths: list[Path]
) -> None:
    signed = {str(row.get("file")) for row in register.rows("Signatures")}
    for path in paths:
        relative = workspace.relative(path)
        if relative in signed and f"/extracts/{case_id}-" not in relative:
            raise RecordsRefused(
                f"{relative}: signed minutes of other children hold this child's name; "
                "amend the minutes without it (ccp minutes amend) and remove that file by hand "
                "first, or keep the case"
            )


def _scrub_rows(register: Register, needles: list[str]) -> int:
    """Replace the child's name in every cell of ccp's sheets (past years' Audit tabs too);
    returns the cells changed."""

    pattern = pattern_for(needles)
    changed = 0
    for sheet in [*SHEETS, *audit_sheets(register)[1:]]:
        if sheet == "Tombstones" or not register.has_sheet(sheet):
            continue
        for row in register.rows(sheet):
            for key, value in row.items():
                if isinstance(value, str) and pattern.search(value):
                    row[key] = pattern.sub(REMOVED, value)
                    changed += 1
    return changed


def dispose_case(
    workspace: Workspace, case_id: str, *, authorised_by: str, before_due: bool = False
) -> Disposal:
    """Destroy ``case_id``'s papers and personal data; refused while held or before due."""
    authorised_by = authoriser(authorised_by)
    with transaction(workspace, "retention dispose") as change:
        register = change.register
        rows = register.select("Cases", "case_id", [case_id])
        if not rows:
            raise CaseNotFound(f"{case_id}: no such case in the register")
        row = rows[0]
        if register.has_sheet("Tombstones") and (gone := disposed_on(register, case_id)):
            raise RecordsRefused(f"{case_id}: was disposed of on {uk_date(gone)}")
        if register.has_sheet("Retention holds") and (hold := active_hold(register, case_id)):
            raise RecordsRefused(
                f"{case_id}: on legal hold ({hold.get('reason')}); lift it first: "
                f"ccp retention hold {case_id} --lift"
            )
        if str(row.get("status") or "").strip().casefold() != "closed":
            raise RecordsRefused(
                f"{case_id}: the case is still open; the panel closes it in its minutes first"
            )
        klass = workspace.panel.retention.case_papers
        due, why = case_due(klass, row)
        if (due is None or today() < due) and not before_due:
            when = f"until {uk_date(due)}" if due else "yet"
            raise RecordsRefused(
                f"{case_id}: not due for disposal {when} ({why}); --before-due disposes of it now"
            )
        needles = _needles(workspace, row)
        if not needles:
            raise RecordsRefused(f"{case_id}: the register holds no name for the child to remove")
        targets = _targets(workspace, case_id, needles)
        _refuse_shared_signed(workspace, register, case_id, targets)
        disposal = f"{today().isoformat()}-{secrets.token_hex(4)}"
        result = Disposal(
            case_id, disposal, before_due=before_due and (due is None or today() < due), due=due
        )
        reason = f"{klass.words()}: due {uk_date(due) if due else 'not yet known'}"
        if result.before_due:
            reason += "; disposed of before due, as authorised"
        tombstones = []
        for target in targets:
            for member in files_under(target):
                tombstones.append((workspace.relative(member), file_sha256(member)))
        blanked = sum(1 for key in PERSONAL if row.get(key) not in (None, ""))
        for key in PERSONAL:
            row[key] = None
        row["notes"] = f"Personal data destroyed on {uk_date(today())} (see Tombstones)"
        result.cells = blanked + _scrub_rows(register, needles)
        register.scrub(needles, REMOVED)
        stamp = {
            "case_id": case_id,
            "destroyed_on": today(),
            "authorised_by": authorised_by,
            "reason": reason,
            "disposal": disposal,
        }
        for what, digest in tombstones:
            register.append("Tombstones", {**stamp, "what": what, "sha256": digest})
        register.append(
            "Tombstones",
            {
                **stamp,
                "what": "register.xlsx: the child's name, local ID, date of birth and "
                "legal status, wherever they were",
            },
        )
        register.audit(
            command="retention dispose",
            action="disposed of the case",
            target=case_id,
            detail=f"{len(tombstones)} file(s) destroyed; authorised by {authorised_by}",
        )
        try:
            # A file another program holds (Word, on Windows) stops the move: all go back.
            disposal_stage.stage(workspace, disposal, case_id, targets)
            change.commit(backups_dir=disposal_stage.backups_dir(workspace, disposal))
        except BaseException:
            disposal_stage.undo(workspace, disposal)
            raise
    disposal_stage.finish(workspace, disposal)
    result.destroyed = [what for what, _ in tombstones]
    return result
