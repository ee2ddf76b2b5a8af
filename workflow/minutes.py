"""Minutes: the pre-filled draft, recording decisions in the register, signing, amending."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .agenda import OPEN_STATUSES, Agenda, agenda_for
from .cases import load_case, panel_context
from .dates import uk_date
from .errors import (
    FileUnreadable,
    FormInvalid,
    MinutesLocked,
    NotAuthorisedToSign,
    Problem,
    WorkspaceError,
)
from .forms import dump_yaml, read_data, read_text, validate
from .models import LABELS, MinutesCase, MinutesRecord, PanelConfig
from .rules import minutes_problems, today
from .workspace import Workspace

MINUTES_TEMPLATE = "minutes.docx"
EXTRACT_TEMPLATE = "minutes-extract.docx"
ACTION_ID = re.compile(r"^(CCP-\d{4}-\d{3,})-A(\d+)$")


# --- files of a meeting ------------------------------------------------------------------


def meeting_dir(workspace: Workspace, meeting: date) -> Path:
    return workspace.meetings_dir / meeting.isoformat()


def draft_file(workspace: Workspace, meeting: date) -> Path:
    return meeting_dir(workspace, meeting) / "minutes.yaml"


def complete_path(workspace: Workspace, meeting: date) -> Path:
    """Where the demo keeps its completed record (a person edits minutes.yaml itself)."""
    return meeting_dir(workspace, meeting) / "minutes-completed.yaml"


def recorded_file(workspace: Workspace, meeting: date, version: int) -> Path:
    return meeting_dir(workspace, meeting) / f"minutes-v{version}.json"


def signatures_file(workspace: Workspace, meeting: date) -> Path:
    return meeting_dir(workspace, meeting) / "signatures.json"


def recorded_versions(workspace: Workspace, meeting: date) -> list[int]:
    folder = meeting_dir(workspace, meeting)
    if not folder.is_dir():
        return []
    found = (re.fullmatch(r"minutes-v(\d+)\.json", path.name) for path in folder.iterdir())
    return sorted(int(match.group(1)) for match in found if match)


def signatures(workspace: Workspace, meeting: date) -> list[dict[str, Any]]:
    path = signatures_file(workspace, meeting)
    return json.loads(read_text(path)) if path.is_file() else []


@dataclass
class StoredMinutes:
    version: int
    record: MinutesRecord
    changes: list[str] = field(default_factory=list)


def load_recorded(workspace: Workspace, meeting: date, version: int) -> StoredMinutes:
    data = json.loads(read_text(recorded_file(workspace, meeting, version)))
    return StoredMinutes(version, MinutesRecord.model_validate(data["record"]), data["changes"])


def _store(workspace: Workspace, stored: StoredMinutes) -> Path:
    path = recorded_file(workspace, stored.record.meeting, stored.version)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "version": stored.version,
        "changes": stored.changes,
        "record": stored.record.model_dump(mode="json"),
    }
    temporary = path.with_suffix(".partial")
    temporary.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    temporary.replace(path)
    return path


# --- draft -------------------------------------------------------------------------------


@dataclass
class Drafted:
    written: list[Path]


def draft_minutes(workspace: Workspace, meeting: date, *, force: bool = False) -> Drafted:
    """A minutes record pre-filled from panel.yaml and the agenda, plus a Word draft."""
    from .documents import render_docx
    from .register import Register

    workspace.require()
    register = Register.load(workspace.register_file)
    agenda = agenda_for(workspace, meeting, register)
    target = draft_file(workspace, meeting)
    if target.exists() and not force:
        raise WorkspaceError(
            f"{workspace.relative(target)}: already exists (it may hold the note-taker's "
            "work); pass --force to replace it"
        )
    text = draft_yaml(agenda, register)
    data = draft_data(agenda)
    docx = workspace.meeting_output(meeting) / f"minutes-{meeting.isoformat()}-draft.docx"
    render_docx(
        workspace.template(MINUTES_TEMPLATE),
        minutes_context(workspace, agenda.panel, data, version=None, signed=None, changes=[]),
        docx,
        labels=LABELS,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return Drafted([target, docx])


def draft_data(agenda: Agenda) -> dict[str, Any]:
    panel = agenda.panel
    people = [panel.chair, panel.deputy, *panel.members]
    present = []
    for person in people:
        entry = {"name": person.name, "role": person.role, "agency": person.agency}
        if entry not in present:
            present.append(entry)
    cases = [blank_case(item.case_id, "new") for item in agenda.new_referrals]
    for item, case in zip(agenda.new_referrals, cases, strict=True):
        referral = item.record.referral
        case["presented_by"] = f"{referral.referrer.name} ({referral.referrer.role})"
        case["risk_level"] = referral.highest_risk()
        manager = referral.authorised_by
        case["accountable_manager"] = {
            "name": manager.name,
            "role": manager.role,
            "agency": manager.agency,
        }
    for review in agenda.progress_reviews:
        case = blank_case(review.case_id, "progress_review")
        level = {label.lower(): code for code, label in LABELS.items()}.get(
            review.risk_latest.lower()
        )
        case["risk_level"] = level
        cases.append(case)
    return {
        "meeting": agenda.meeting,
        "chair": panel.chair.name,
        "present": present,
        "apologies": [],
        "cases": cases,
        "strategic_items": [
            {"title": item.title, "notes": None, "actions": []} for item in agenda.strategic_items
        ],
        "any_other_business": None,
    }


def blank_case(case_id: str, kind: str) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "kind": kind,
        "presented_by": None,
        "discussion": None,
        "risk_level": None,
        "risk_rationale": None,
        "accountable_manager": {"name": None, "role": None, "agency": None},
        "risk_management_plan": None,
        "contingencies": None,
        "actions": [{"description": None, "agency": None, "owner": None, "due": None}],
        "resources": [],
        "communication": None,
        "monitoring": None,
        "progress_report": {"format": None, "due_meeting": None},
        "escalate_to_partnership": False,
        "escalation_reason": None,
        "themes": [],
        "close_case": False,
        "closure_reason": None,
    }


def draft_yaml(agenda: Agenda, register: Any) -> str:
    data = draft_data(agenda)
    later = [day.isoformat() for day in agenda.panel.meeting_dates() if day > agenda.meeting]
    head = {key: data[key] for key in ("meeting", "chair", "present", "apologies")}
    lines = [
        f"# Minutes of the {agenda.panel.name}, {uk_date(agenda.meeting)}.",
        "# Pre-filled from panel.yaml and the agenda. Move members who were absent to",
        "# apologies; complete every case; then: ccp minutes record THIS_FILE",
        "# risk_level: low, medium, high or very_high. progress_report.format: written or",
        f"# in_person; due_meeting one of: {', '.join(later) or '(add meetings to panel.yaml)'}.",
        "# A case that closes needs close_case: true and closure_reason instead of actions.",
        "",
        _dump(head),
        "cases:",
    ]
    open_by_case: dict[str, list[dict[str, Any]]] = {}
    for action in register.rows("Actions"):
        if str(action.get("status") or "open").lower() in OPEN_STATUSES:
            open_by_case.setdefault(str(action.get("case_id")), []).append(action)
    for case in data["cases"]:
        lines.append(f"  # --- {case['case_id']} ({LABELS[case['kind']]})")
        for action in open_by_case.get(case["case_id"], []):
            due = action.get("due")
            due_text = uk_date(due) if isinstance(due, date) else str(due or "no date")
            lines.append(
                f"  # open action {action.get('action_id')}: {action.get('action')} "
                f"({action.get('owner')}, due {due_text})".replace("\n", " ")
            )
        entry = _dump([case]).rstrip("\n").splitlines()
        lines += [f"  {line}" for line in entry]
    if not data["cases"]:
        lines[-1] = "cases: []"
    rest = {key: data[key] for key in ("strategic_items", "any_other_business")}
    lines.append(_dump(rest))
    return "\n".join(lines).rstrip("\n") + "\n"


def _dump(data: Any) -> str:
    return dump_yaml(data)


# --- record ------------------------------------------------------------------------------


@dataclass
class Recorded:
    meeting: date
    version: int
    action_ids: list[str]
    written: list[Path]


def check_minutes(workspace: Workspace, path: Path, register: Any) -> MinutesRecord:
    panel = workspace.panel
    known = {str(row.get("case_id")) for row in register.rows("Cases") if row.get("case_id")}
    return validate(
        MinutesRecord,
        read_data(path),
        path,
        rules=lambda record: minutes_problems(record, panel, known),
    )


def record_minutes(workspace: Workspace, path: Path) -> Recorded:
    """Validate a completed record and write its decisions into the register.

    Recording again before signing replaces the meeting's rows; after signing it is
    refused (use amend_minutes).
    """
    return _record(workspace, Path(path), amending=False)


def amend_minutes(workspace: Workspace, meeting: date, path: Path) -> Recorded:
    """A corrected record for a signed meeting: a new version with its change log."""
    return _record(workspace, Path(path), amending=True, meeting=meeting)


def _record(
    workspace: Workspace, path: Path, *, amending: bool, meeting: date | None = None
) -> Recorded:
    from .register import Register, register_lock

    workspace.require()
    with register_lock(workspace.register_file):
        register = Register.load(workspace.register_file)
        record = check_minutes(workspace, path, register)
        if meeting is not None and record.meeting != meeting:
            raise FormInvalid(
                path, [Problem("meeting", f"must be {meeting.isoformat()}, the meeting amended")]
            )
        versions = recorded_versions(workspace, record.meeting)
        signed = {entry["version"] for entry in signatures(workspace, record.meeting)}
        latest = versions[-1] if versions else 0
        changes: list[str] = []
        if amending:
            if latest not in signed:
                raise MinutesLocked(
                    f"the {uk_date(record.meeting)} minutes are not signed yet: correct them "
                    "with `ccp minutes record` instead"
                )
            previous = load_recorded(workspace, record.meeting, latest).record
            changes = change_log(previous, record)
            if not changes:
                raise FormInvalid(path, [Problem("", "nothing differs from the signed version")])
            version = latest + 1
        else:
            if latest in signed:
                entry = next(
                    e for e in signatures(workspace, record.meeting) if e["version"] == latest
                )
                raise MinutesLocked(
                    f"the {uk_date(record.meeting)} minutes were signed by {entry['signed_by']} "
                    f"on {uk_date(date.fromisoformat(entry['signed_on']))} and are locked; "
                    "correct them with `ccp minutes amend`"
                )
            version = latest or 1
        action_ids = apply_minutes(register, record, version, workspace.panel)
        # The register first: if Excel holds it, the stored record stays as it was.
        register.save(
            workspace.register_file,
            backups_dir=workspace.backups_dir,
            keep_backups=workspace.panel.backups_kept,
        )
        stored = _store(workspace, StoredMinutes(version, record, changes))
    return Recorded(record.meeting, version, action_ids, [stored, workspace.register_file])


def change_log(before: MinutesRecord, after: MinutesRecord) -> list[str]:
    """One line per field that differs: 'cases[1].risk_level: high -> very_high'."""
    lines: list[str] = []

    def walk(old: Any, new: Any, where: str) -> None:
        if isinstance(old, dict) and isinstance(new, dict):
            for key in dict.fromkeys([*old, *new]):
                walk(old.get(key), new.get(key), f"{where}.{key}" if where else key)
        elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
            for index, (a, b) in enumerate(zip(old, new, strict=True)):
                walk(a, b, f"{where}[{index + 1}]")
        elif old != new:
            lines.append(f"{where}: {_short(old)} -> {_short(new)}")

    walk(before.model_dump(mode="json"), after.model_dump(mode="json"), "")
    return lines


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    text = text.replace("\n", " ")
    return text if len(text) <= 80 else text[:77] + "..."


def apply_minutes(
    register: Any, record: MinutesRecord, version: int, panel: PanelConfig
) -> list[str]:
    """Write the record's decisions into the register, replacing this meeting's rows."""
    meeting = record.meeting
    minuted = {case.case_id for case in record.cases}
    previous = {
        row.get("action_id"): row
        for row in register.rows("Actions")
        if row.get("meeting") == meeting and row.get("action_id")
    }

    def ours(row: dict[str, Any]) -> bool:
        """Rows this meeting's recording made (kept apart from rows typed by hand)."""
        action_id = str(row.get("action_id") or "")
        return row.get("meeting") == meeting and (
            bool(ACTION_ID.match(action_id)) or action_id.startswith(f"SI-{meeting.isoformat()}")
        )

    register.replace_rows("Actions", lambda row: not ours(row), [])
    used: dict[str, int] = {}
    for row in register.rows("Actions"):
        match = ACTION_ID.match(str(row.get("action_id") or ""))
        if match:
            used[match.group(1)] = max(used.get(match.group(1), 0), int(match.group(2)))

    new_rows = []
    for case in record.cases:
        for action in case.actions:
            used[case.case_id] = used.get(case.case_id, 0) + 1
            action_id = f"{case.case_id}-A{used[case.case_id]}"
            new_rows.append(_action_row(action_id, case.case_id, meeting, action, previous))
    for action in (a for item in record.strategic_items for a in item.actions):
        number = sum(1 for row in new_rows if not row["case_id"]) + 1
        action_id = f"SI-{meeting.isoformat()}-A{number}"
        new_rows.append(_action_row(action_id, None, meeting, action, previous))
    for row in new_rows:
        register.append("Actions", row)

    register.replace_rows(
        "Resources",
        lambda row: not (row.get("meeting") == meeting and row.get("case_id") in minuted),
        [
            {
                "case_id": case.case_id,
                "meeting": meeting,
                "agency": resource.agency,
                "description": resource.description,
                "amount": resource.amount,
                "confirmed": resource.confirmed,
            }
            for case in record.cases
            for resource in case.resources
        ],
    )
    later = {day for day in panel.meeting_dates() if day > meeting}
    register.replace_rows(
        "Progress",
        lambda row: (
            not (
                row.get("case_id") in minuted
                and row.get("due_meeting") in later
                and not row.get("received_on")
            )
        ),
        [
            {
                "case_id": case.case_id,
                "due_meeting": case.progress_report.due_meeting,
                "format": LABELS[case.progress_report.format],
                "notes": f"requested at the {meeting.isoformat()} meeting",
            }
            for case in record.cases
            if case.progress_report is not None
        ],
    )
    for case in record.cases:
        for row in register.find("Cases", case_id=case.case_id):
            row["risk_latest"] = LABELS[case.risk_level]
            row["next_progress_due"] = (
                case.progress_report.due_meeting if case.progress_report else None
            )
            row["escalated"] = case.escalate_to_partnership
            row["status"] = "closed" if case.close_case else "open"
            row["closed_on"] = meeting if case.close_case else None
    rows = register.find("Meetings", meeting=meeting)
    row = rows[0] if rows else register.append("Meetings", {"meeting": meeting})
    row.update(
        {
            "status": "minuted",
            "chair": record.chair,
            "present": "; ".join(f"{p.name} ({p.agency})" for p in record.present),
            "apologies": "; ".join(f"{p.name} ({p.agency})" for p in record.apologies) or None,
            "cases": ", ".join(case.case_id for case in record.cases) or None,
            "version": version,
        }
    )
    ids = [row["action_id"] for row in new_rows]
    register.audit(
        command="minutes record" if version == 1 else "minutes amend",
        action=f"recorded minutes version {version}",
        target=meeting.isoformat(),
        detail=f"{len(record.cases)} case(s); actions {', '.join(ids) or 'none'}",
    )
    return ids


def _action_row(
    action_id: str,
    case_id: str | None,
    meeting: date,
    action: Any,
    previous: dict[Any, dict[str, Any]],
) -> dict[str, Any]:
    kept = previous.get(action_id, {})
    return {
        "action_id": action_id,
        "case_id": case_id,
        "meeting": meeting,
        "action": action.description,
        "agency": action.agency,
        "owner": action.owner,
        "due": action.due,
        # Progress typed into the register since the last recording is kept.
        "status": kept.get("status") or "Open",
        "completed_on": kept.get("completed_on"),
        "notes": kept.get("notes"),
    }


# --- documents ---------------------------------------------------------------------------


def minutes_context(
    workspace: Workspace,
    panel: PanelConfig,
    record: dict[str, Any],
    *,
    version: int | None,
    signed: dict[str, Any] | None,
    changes: list[str],
) -> dict[str, Any]:
    slot = panel.meeting(record["meeting"])
    return {
        "panel": panel_context(panel),
        "meeting": {
            "date": record["meeting"],
            "time": slot.time if slot else None,
            "venue": slot.venue if slot else None,
        },
        "record": record,
        "draft": signed is None,
        "version": version,
        "signed": signed,
        "changes": changes,
    }


def extract_context(
    workspace: Workspace,
    panel: PanelConfig,
    record: MinutesRecord,
    case: MinutesCase,
    *,
    version: int,
    signed: dict[str, Any],
) -> dict[str, Any]:
    stored = load_case(workspace, case.case_id)
    child = stored.referral.child
    data = record.model_dump(mode="python")
    return {
        "panel": panel_context(panel),
        "meeting": {"date": record.meeting},
        "chair": record.chair,
        "present": data["present"],
        "case": case.model_dump(mode="python"),
        "child": {"name": child.name, "local_id": child.local_id},
        "key_worker": stored.referral.key_worker().model_dump(),
        "version": version,
        "signed": signed,
    }


@dataclass
class Signed:
    meeting: date
    version: int
    signed_by: str
    written: list[Path]
    pdf_skipped: str | None = None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _record_signature(
    register: Any,
    meeting: date,
    version: int,
    signer: str,
    role: str,
    signed_on: date,
    hashes: dict[str, str],
    files: dict[str, Path],
    workspace: Workspace,
) -> None:
    """The meeting's row says where it stands; each signed file gets a row of its own,
    so every version's hashes stay on record for `ccp verify`."""
    rows = register.find("Meetings", meeting=meeting)
    main = rows[0] if rows else register.append("Meetings", {"meeting": meeting})
    main.update(
        {"status": "signed", "version": version, "signed_by": signer, "signed_on": signed_on}
    )
    for name, path in files.items():
        register.append(
            "Meetings",
            {
                "meeting": meeting,
                "status": "signed",
                "version": version,
                "signed_by": signer,
                "signed_on": signed_on,
                "minutes_file": workspace.relative(path),
                "sha256": hashes[workspace.relative(path)],
                "notes": f"{name} (version {version})",
            },
        )
    register.audit(
        command="minutes sign",
        action=f"signed minutes version {version}",
        target=meeting.isoformat(),
        detail=f"by {signer} ({role}); {len(files)} file(s)",
    )


def sign_minutes(workspace: Workspace, meeting: date, signer: str) -> Signed:
    """Render the final minutes and per-child extracts, record their hashes, lock."""
    from .documents import render_docx
    from .pdf import INSTALL_HINT, convert, find_soffice
    from .register import Register, register_lock

    workspace.require()
    panel = workspace.panel
    roles = {panel.chair.name: "Chair", panel.deputy.name: "Deputy chair"}
    if signer not in roles:
        raise NotAuthorisedToSign(
            f"--chair: {signer} may not sign; only the chair ({panel.chair.name}) or deputy "
            f"({panel.deputy.name}) named in panel.yaml"
        )
    versions = recorded_versions(workspace, meeting)
    if not versions:
        raise WorkspaceError(
            f"the {uk_date(meeting)} minutes have not been recorded: run `ccp minutes record`"
        )
    version = versions[-1]
    done = signatures(workspace, meeting)
    if any(entry["version"] == version for entry in done):
        raise MinutesLocked(
            f"version {version} of the {uk_date(meeting)} minutes is already signed; "
            "a correction is `ccp minutes amend`"
        )
    stored = load_recorded(workspace, meeting, version)
    signed_on = today()
    signed = {"name": signer, "role": roles[signer], "date": signed_on}
    out = workspace.meeting_output(meeting)
    stem = f"minutes-{meeting.isoformat()}-v{version}"
    files: dict[str, Path] = {}
    # Held from the first file rendered to the register saved: Excel holding the
    # register stops the signing before anything is written, and a failure removes
    # whatever was rendered, so no signed-looking file exists that the register lacks.
    with register_lock(workspace.register_file):
        register = Register.load(workspace.register_file)
        try:
            files["minutes"] = render_docx(
                workspace.template(MINUTES_TEMPLATE),
                minutes_context(
                    workspace,
                    panel,
                    stored.record.model_dump(mode="python"),
                    version=version,
                    signed=signed,
                    changes=stored.changes,
                ),
                out / f"{stem}.docx",
                labels=LABELS,
            )
            for case in stored.record.cases:
                files[f"extract {case.case_id}"] = render_docx(
                    workspace.template(EXTRACT_TEMPLATE),
                    extract_context(
                        workspace, panel, stored.record, case, version=version, signed=signed
                    ),
                    out / "extracts" / f"{case.case_id}-minutes-extract-v{version}.docx",
                    labels=LABELS,
                )
            pdf_skipped = None
            if find_soffice() is None:
                pdf_skipped = f"PDF skipped: LibreOffice not found; {INSTALL_HINT}"
            else:
                [files["minutes PDF"]] = convert([files["minutes"]], out)
            hashes = {workspace.relative(path): sha256_of(path) for path in files.values()}
            _record_signature(
                register,
                meeting,
                version,
                signer,
                roles[signer],
                signed_on,
                hashes,
                files,
                workspace,
            )
            register.save(
                workspace.register_file,
                backups_dir=workspace.backups_dir,
                keep_backups=panel.backups_kept,
            )
        except BaseException:
            for path in files.values():
                path.unlink(missing_ok=True)
            raise
        entry = {
            "version": version,
            "signed_by": signer,
            "signed_on": signed_on.isoformat(),
            "files": hashes,
        }
        path = signatures_file(workspace, meeting)
        path.write_text(json.dumps([*done, entry], indent=2), encoding="utf-8")
    drafts = _extract_emails(workspace, panel, stored.record, files)
    return Signed(
        meeting, version, signer, [*files.values(), workspace.register_file, *drafts], pdf_skipped
    )


def _extract_emails(
    workspace: Workspace, panel: PanelConfig, record: MinutesRecord, files: dict[str, Path]
) -> list[Path]:
    """A draft to each child's key worker with their extract (ToR 13.iv); no child's name."""
    from .mail import write_draft

    drafts = []
    for case in record.cases:
        extract = files[f"extract {case.case_id}"]
        worker = load_case(workspace, case.case_id).referral.key_worker()
        body = (
            f"Dear {worker.name},\n\n"
            f"Attached is the extract from the signed minutes of the {panel.name} on "
            f"{uk_date(record.meeting)} for case {case.case_id}, for the child's record "
            "and the core group. Please make sure the actions are brought back to the "
            "core group and the child's plan is revised to reflect them.\n\n"
            f"It is {panel.protective_marking}: store it only on the child's record.\n\n"
            f"{panel.administrator.name}\n{panel.administrator.role}\n"
        )
        drafts.append(
            write_draft(
                extract.with_name(f"{case.case_id}-to-key-worker.eml"),
                sender=panel.administrator,
                to=(worker.name, worker.email or ""),
                subject=f"{panel.protective_marking}: {panel.name}: minutes extract for "
                f"{case.case_id}, {uk_date(record.meeting)}",
                body=body,
                attachment=extract,
            )
        )
    return drafts


# --- verify ------------------------------------------------------------------------------


@dataclass
class Verification:
    matches: bool
    message: str


def verify_document(workspace: Workspace, path: Path) -> Verification:
    """Is this file exactly a signed document the register records?"""
    from .register import Register

    workspace.require()
    if not Path(path).is_file():
        raise FileUnreadable(f"{path}: no such file")
    digest = sha256_of(Path(path))
    register = Register.load(workspace.register_file)
    rows = [row for row in register.rows("Meetings") if row.get("sha256")]
    for row in rows:
        if str(row["sha256"]).lower() == digest:
            meeting = row["meeting"]
            version = int(row.get("version") or 1)
            newer = max(
                (int(other.get("version") or 1) for other in rows if other["meeting"] == meeting),
                default=version,
            )
            signed_on = row.get("signed_on")
            message = (
                f"{Path(path).name}: VERIFIED: {row.get('minutes_file')}, minutes of the "
                f"{uk_date(meeting)} meeting, version {version}, signed by "
                f"{row.get('signed_by')} on {uk_date(signed_on) if signed_on else '?'}"
            )
            if newer > version:
                message += f"; a newer version ({newer}) exists"
            return Verification(True, message)
    return Verification(
        False,
        f"{Path(path).name}: NOT VERIFIED: it is not a signed document the register knows "
        f"(SHA-256 {digest[:16]}...); it may have been changed since signing",
    )
