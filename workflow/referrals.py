"""Referral use cases: the blank form, checking a referral, accepting it into the register."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .blank_forms import yaml_template
from .cases import CaseRecord, case_context
from .dates import uk_date
from .errors import FileUnreadable, ReferralRejected
from .forms import read_data, validate
from .models import LABELS, Attachments, Referral
from .rules import ReferralContext, referral_problems, today
from .workspace import Workspace

CASE_ID = re.compile(r"CCP-(\d{4})-(\d{3,})")
# Papers are Word or PDF documents of a few MB; anything beyond this is not a chronology.
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
ATTACHMENT_SUFFIXES = {".docx", ".pdf", ".doc", ".odt", ".rtf", ".txt"}
REFERRAL_TEMPLATE = "referral.docx"

YAML_INTRO = [
    "Fill in every field that is not marked (optional), then check it with:",
    "    ccp referral check THIS_FILE",
    "Dates are ISO: 2027-01-14. Answers from a list are written as shown (high_risk).",
    "Text with a colon, a # or a leading symbol goes in quotes. For several lines write",
    "|  after the colon and the lines below it, indented. Delete nothing you do not know:",
    "leave it blank and the check will tell you what is still needed.",
]


def referral_yaml_template() -> str:
    return yaml_template(Referral, "Complex Child Panel referral", YAML_INTRO)


def write_referral_template(
    out: Path, form_format: str, *, workspace: Workspace | None = None, force: bool = False
) -> Path:
    """A blank referral: commented YAML, or a fillable Word form (content controls)."""
    out = Path(out)
    if out.exists() and not force:
        raise FileUnreadable(f"{out}: already exists; choose another name or pass --force")
    if form_format == "docx":
        from .word_form import write_referral_form

        marking = workspace.panel.protective_marking if workspace else "OFFICIAL-SENSITIVE"
        return write_referral_form(out, protective_marking=marking)
    try:
        out.write_text(referral_yaml_template(), encoding="utf-8")
    except OSError as err:
        raise FileUnreadable(f"{out}: cannot be written ({err.strerror})") from err
    return out


# --- reading and checking ----------------------------------------------------------------


def _read_word_form(path: Path) -> dict[str, Any]:
    from .word_form import read_referral_form

    return read_referral_form(path)


def _word_label(field_path: str) -> str | None:
    from .word_form import form_label

    return form_label(field_path)


# Readers for referral files by suffix.
READERS: dict[str, Callable[[Path], dict[str, Any]]] = {
    ".yaml": read_data,
    ".yml": read_data,
    ".json": read_data,
    ".docx": _read_word_form,
}


@dataclass
class CheckedReferral:
    referral: Referral
    source: Path
    declared_meeting: date  # the meeting the referrer asked for
    warnings: list[str] = field(default_factory=list)


def check_referral(
    path: Path, *, workspace: Workspace | None = None, meeting: date | None = None
) -> CheckedReferral:
    """Validate a referral file against the data contract and the terms of reference.

    Raises FormInvalid listing every problem. Readiness warnings (missing papers) do not
    block: they are returned.
    """
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise FileUnreadable(f"{path.name}: a referral must be one of {known}")
    data = reader(path)
    panel = workspace.panel if workspace else None
    context = ReferralContext(today=today(), panel=panel, meeting=meeting)
    referral = validate(
        Referral,
        data,
        path,
        rules=lambda form: referral_problems(form, context),
        # A problem in a Word form also names the label the practitioner saw.
        labels=_word_label if path.suffix.lower() == ".docx" else None,
    )
    declared = referral.meeting
    if meeting:
        referral = referral.model_copy(update={"meeting": meeting})
    return CheckedReferral(referral, path, declared, _readiness(referral, path))


def _readiness(referral: Referral, source: Path) -> list[str]:
    warnings = []
    for name, info in Attachments.model_fields.items():
        given = getattr(referral.attachments, name)
        label = info.title.lower()
        if given is None:
            warnings.append(f"attachments.{name}: no {label} supplied for circulation")
        elif not _attachment_path(source, given).is_file():
            warnings.append(f"attachments.{name}: {given} not found beside {source.name}")
    return warnings


def _attachment_path(source: Path, given: str) -> Path:
    return source.parent / given


# --- accepting ---------------------------------------------------------------------------


@dataclass
class Accepted:
    case_id: str
    meeting: date
    written: list[Path]
    warnings: list[str]
    notes: list[str]


def add_referral(workspace: Workspace, path: Path, *, meeting: date | None = None) -> Accepted:
    """Accept a referral: case ID, case folder, register rows, the formal Word referral.

    Everything is checked before anything is written; if writing the register fails, the
    files written for the case are removed again.
    """
    from .documents import render_docx
    from .register import Register, register_lock

    workspace.require()
    checked = check_referral(path, workspace=workspace, meeting=meeting)
    referral = checked.referral
    notes = []
    if referral.meeting != checked.declared_meeting:
        notes.append(
            f"accepted for the {uk_date(referral.meeting)} meeting; the referral asked for "
            f"{uk_date(checked.declared_meeting)}"
        )
    attachments = _checked_attachments(referral, checked.source)

    with register_lock(workspace.register_file):
        register = Register.load(workspace.register_file)
        _refuse_duplicate(register, referral)
        notes += _open_cases_note(register, referral)
        case_id = next_case_id(workspace, register, referral.meeting.year)
        accepted_on = today()
        record = CaseRecord(
            case_id=case_id,
            accepted_on=accepted_on,
            referral=referral,
            attachments={name: None for name in Attachments.model_fields},
        )

        case_dir = workspace.case_dir(case_id)
        document = workspace.meeting_output(referral.meeting) / f"{case_id}-referral.docx"
        written: list[Path] = []
        try:
            written += _write_case_folder(case_dir, record, checked.source, attachments)
            render_docx(
                workspace.template(REFERRAL_TEMPLATE),
                case_context(record, workspace.panel),
                document,
                labels=LABELS,
            )
            written.append(document)
            _record_in_register(register, record)
            register.save(
                workspace.register_file,
                backups_dir=workspace.backups_dir,
                keep_backups=workspace.panel.backups_kept,
            )
        except BaseException:
            shutil.rmtree(case_dir, ignore_errors=True)
            document.unlink(missing_ok=True)
            raise
        written.append(workspace.register_file)
    return Accepted(case_id, referral.meeting, written, checked.warnings, notes)


def _checked_attachments(referral: Referral, source: Path) -> dict[str, Path]:
    found = {}
    for name in Attachments.model_fields:
        given = getattr(referral.attachments, name)
        if given is None:
            continue
        file = _attachment_path(source, given)
        if not file.is_file():
            continue  # a readiness warning, not an error
        suffix = file.suffix.lower()
        if suffix not in ATTACHMENT_SUFFIXES:
            raise FileUnreadable(
                f"attachments.{name}: {given} is not a document "
                f"({', '.join(sorted(ATTACHMENT_SUFFIXES))})"
            )
        if file.stat().st_size > MAX_ATTACHMENT_BYTES:
            raise FileUnreadable(
                f"attachments.{name}: {given} is larger than "
                f"{MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB"
            )
        found[name] = file
    return found


def _refuse_duplicate(register: Any, referral: Referral) -> None:
    for row in register.find("Cases", local_id=referral.child.local_id):
        if row.get("meeting") == referral.meeting:
            raise ReferralRejected(
                f"child.local_id: {referral.child.local_id} is already referred to the "
                f"{uk_date(referral.meeting)} meeting as {row.get('case_id')}"
            )


def _open_cases_note(register: Any, referral: Referral) -> list[str]:
    return [
        f"{referral.child.local_id} also has open case {row.get('case_id')}"
        for row in register.find("Cases", local_id=referral.child.local_id)
        if str(row.get("status") or "").lower() == "open"
    ]


def next_case_id(workspace: Workspace, register: Any, year: int) -> str:
    """The next CCP-YYYY-NNN: above every number ever used, even for a row since deleted."""
    used = [0]
    for sheet, column in (("Cases", "case_id"), ("Actions", "case_id"), ("Audit", "target")):
        for row in register.rows(sheet):
            used += _numbers_for(str(row.get(column) or ""), year)
    if workspace.cases_dir.is_dir():
        for folder in workspace.cases_dir.iterdir():
            used += _numbers_for(folder.name, year)
    return f"CCP-{year}-{max(used) + 1:03d}"


def _numbers_for(text: str, year: int) -> list[int]:
    return [int(n) for y, n in CASE_ID.findall(text) if int(y) == year]


def _write_case_folder(
    case_dir: Path, record: CaseRecord, source: Path, attachments: dict[str, Path]
) -> list[Path]:
    """cases/<case ID>/: the file as received, the validated record, the papers.

    Stored under fixed names: the received file's own name may hold the child's name.
    """
    staging = case_dir.with_name(f".{case_dir.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "attachments").mkdir(parents=True)
    shutil.copyfile(source, staging / f"referral-received{source.suffix.lower()}")
    stored = {}
    for name, file in attachments.items():
        target = staging / "attachments" / f"{name.replace('_', '-')}{file.suffix.lower()}"
        shutil.copyfile(file, target)
        stored[name] = f"attachments/{target.name}"
    record.attachments.update(stored)
    (staging / "case.json").write_text(record.model_dump_json(indent=2), encoding="utf-8")
    staging.rename(case_dir)
    return [case_dir]


def _record_in_register(register: Any, record: CaseRecord) -> None:
    referral = record.referral
    key_worker = referral.key_worker()
    register.append(
        "Cases",
        {
            "case_id": record.case_id,
            "local_id": referral.child.local_id,
            "child_name": referral.child.name,
            "date_of_birth": referral.child.date_of_birth,
            "referral_date": referral.authorised_by.date,
            "accepted_on": record.accepted_on,
            "meeting": referral.meeting,
            "referring_agency": referral.referrer.agency,
            "referrer": referral.referrer.name,
            "key_worker": f"{key_worker.name} ({key_worker.agency})",
            "legal_status": LABELS[referral.child.legal_status],
            "status": "open",
            "risk_at_referral": LABELS[referral.highest_risk()],
            "risk_latest": LABELS[referral.highest_risk()],
            "agencies": "; ".join(referral.agencies()),
            "criteria": "; ".join(LABELS[c] for c in referral.criteria),
            "next_progress_due": None,
            "escalated": False,
            "closed_on": None,
            "notes": None,
        },
    )
    if not register.find("Meetings", meeting=referral.meeting):
        register.append("Meetings", {"meeting": referral.meeting, "status": "scheduled"})
    late = f"; late, accepted by {referral.late_accepted_by}" if referral.late_accepted_by else ""
    register.audit(
        command="referral add",
        action="accepted referral",
        target=record.case_id,
        detail=(
            f"for the {referral.meeting.isoformat()} meeting; local ID "
            f"{referral.child.local_id}; from {referral.referrer.agency}{late}"
        ),
    )
