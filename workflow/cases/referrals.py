"""Referral use cases: the blank form, checking a referral, accepting it into the register."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from workflow.cases.attachments import Paper, PaperCheck, PaperLimits, check_papers, pack_message
from workflow.cases.store import CaseRecord, case_context
from workflow.contract import LABELS, Attachments, Referral
from workflow.contract.rules import ReferralContext, referral_problems
from workflow.contract.terms import CASE_ID, RECORDED_MEETING_STATUSES
from workflow.core import files
from workflow.core.dates import today, uk_date
from workflow.core.errors import FileUnreadable, Problem, ReferralRejected
from workflow.core.resources import REFERRAL_TEMPLATE
from workflow.documents.render import render_docx
from workflow.forms.blank import yaml_template
from workflow.forms.loading import read_data, validate
from workflow.forms.word import form_label, read_referral_form, write_referral_form
from workflow.register.audit_years import audit_sheets
from workflow.workspace.paths import Workspace
from workflow.workspace.privacy import dir_mode, file_mode
from workflow.workspace.transaction import transaction

# Meetings whose minutes are recorded: a referral can no longer be discussed there.

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
    folder = out.parent
    if not folder.is_dir():
        raise FileUnreadable(
            f"{out}: the folder {folder} does not exist; create it first or choose another place"
        )
    try:
        if form_format == "docx":
            if workspace is None:
                return write_referral_form(out)
            panel = workspace.panel
            return write_referral_form(
                out, protective_marking=panel.protective_marking, panel_name=panel.name
            )
        return files.write_text(out, referral_yaml_template())
    except OSError as err:
        raise FileUnreadable(f"{out}: cannot be written ({err.strerror})") from err


# --- reading and checking ----------------------------------------------------------------


def _read_word_form(path: Path) -> dict[str, Any]:
    return read_referral_form(path)


def _word_label(field_path: str) -> str | None:
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
    papers: dict[str, Paper] = field(default_factory=dict)  # read and checked, by field


def check_referral(
    path: Path,
    *,
    workspace: Workspace | None = None,
    meeting: date | None = None,
    late_accepted_by: str | None = None,
) -> CheckedReferral:
    """Validate a referral file against the data contract and the terms of reference.

    Raises FormInvalid listing every problem. Readiness warnings (missing papers) do not
    block: they are returned. `late_accepted_by`: the chair who accepted it late, as the
    administrator records it (the practitioner's Word form has no such box).
    """
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise FileUnreadable(f"{path.name}: a referral must be one of {known}")
    data = reader(path)
    if late_accepted_by is not None:
        data["late_accepted_by"] = late_accepted_by
    panel = workspace.panel if workspace else None
    context = ReferralContext(today=today(), panel=panel, meeting=meeting)
    papers = PaperCheck()

    def rules(form: Referral) -> Iterator[Problem]:
        yield from referral_problems(form, context)
        if panel is not None:
            yield from _meeting_not_held(form.meeting, meeting, context.today)
        # Papers are read here, once: what is checked is exactly what is stored.
        checked = check_papers(form, path, PaperLimits.of(panel))
        papers.papers, papers.warnings = checked.papers, checked.warnings
        yield from checked.problems

    referral = validate(
        Referral,
        data,
        path,
        rules=rules,
        # A problem in a Word form also names the label the practitioner saw.
        labels=_word_label if path.suffix.lower() == ".docx" else None,
    )
    declared = referral.meeting
    if meeting:
        referral = referral.model_copy(update={"meeting": meeting})
    return CheckedReferral(referral, path, declared, papers.warnings, papers.papers)


def _meeting_not_held(declared: date, chosen: date | None, now: date) -> Iterator[Problem]:
    """A referral is for a meeting still to come: one already held cannot discuss it."""
    when = chosen or declared
    if when >= now:
        return
    if chosen is not None:
        yield Problem(
            "meeting",
            f"--meeting {chosen.isoformat()}: that meeting has already taken place "
            f"(today is {uk_date(now)}); choose a later meeting",
        )
    else:
        yield Problem(
            "meeting",
            f"the {uk_date(declared)} meeting has already taken place (today is "
            f"{uk_date(now)}); accept it for a later meeting with --meeting DATE",
        )


# --- accepting ---------------------------------------------------------------------------


@dataclass
class Accepted:
    case_id: str
    meeting: date
    written: list[Path]
    warnings: list[str]
    notes: list[str]


def add_referral(
    workspace: Workspace,
    path: Path,
    *,
    meeting: date | None = None,
    late_accepted_by: str | None = None,
) -> Accepted:
    """Accept a referral: case ID, case folder, register rows, the formal Word referral.

    Everything is checked before anything is written. The case folder and the Word referral
    are built in a staging folder and put in place only once the register row is saved: a
    failure (or a kill) before that leaves no case folder, no document and no number used.
    """
    workspace.require()
    checked = check_referral(
        path, workspace=workspace, meeting=meeting, late_accepted_by=late_accepted_by
    )
    referral = checked.referral
    notes = []
    if referral.meeting != checked.declared_meeting:
        notes.append(
            f"accepted for the {uk_date(referral.meeting)} meeting; the referral asked for "
            f"{uk_date(checked.declared_meeting)}"
        )

    with transaction(workspace, "referral add") as change:
        register = change.register
        _roll_forward_cases(workspace, register)
        _refuse_held_meeting(register, referral.meeting, chosen=meeting is not None)
        _refuse_duplicate(register, referral)
        _refuse_pack_too_large(workspace, register, referral.meeting, checked.papers)
        notes += _open_cases_note(register, referral)
        case_id = next_case_id(workspace, register, referral.meeting.year)
        record = CaseRecord(
            case_id=case_id,
            accepted_on=today(),
            referral=referral,
            attachments={name: None for name in Attachments.model_fields},
        )
        case_dir = workspace.case_dir(case_id)
        document = workspace.meeting_output(referral.meeting) / f"{case_id}-referral.docx"
        modes = (file_mode(workspace), dir_mode(workspace))
        # A neutral staging name: no case number is taken by a folder that never lands.
        with files.staging_dir(workspace.cases_dir / "new-case", mode=modes[1]) as staging:
            staged_case = _stage_case_folder(staging / "case", record, checked, modes)
            staged_document = render_docx(
                workspace.template(REFERRAL_TEMPLATE),
                case_context(record, workspace.panel),
                staging / document.name,
                labels=LABELS,
                mode=modes[0],
            )
            _record_in_register(register, record)
            # Named after the case from here on, so that a kill between the register save
            # and publication is completed by the next `referral add` (or discarded, when
            # the register never got the row).
            pending_case = files.publish_dir(staged_case, _pending(case_dir))
            pending_document = files.publish(
                staged_document, _pending(document), dir_mode_=modes[1]
            )
            try:
                change.commit()
            except BaseException:
                shutil.rmtree(pending_case, ignore_errors=True)
                pending_document.unlink(missing_ok=True)
                raise
            files.publish_dir(pending_case, case_dir)
            files.publish(pending_document, document, dir_mode_=modes[1])
    written = [case_dir, document, workspace.register_file]
    return Accepted(case_id, referral.meeting, written, checked.warnings, notes)


_PENDING = ".pending-"


def _pending(target: Path) -> Path:
    return target.with_name(f"{_PENDING}{target.name}")


def _roll_forward_cases(workspace: Workspace, register: Any) -> None:
    """Publish a case folder (and its Word referral) whose register row was saved before a
    kill; remove one whose row never was, so no child's papers lie about unregistered."""
    pending = list(workspace.cases_dir.glob(f"{_PENDING}*")) if workspace.cases_dir.is_dir() else []
    if workspace.output_dir.is_dir():
        pending += list(workspace.output_dir.glob(f"*/{_PENDING}*-referral.docx"))
    if not pending:
        return
    names = [path.name[len(_PENDING) :].removesuffix("-referral.docx") for path in pending]
    known = {str(row.get("case_id")) for row in register.select("Cases", "case_id", names)}
    for path in pending:
        name = path.name[len(_PENDING) :]
        case_id = name.removesuffix("-referral.docx")
        if case_id in known:
            if path.is_dir():
                files.publish_dir(path, path.with_name(name))
            else:
                files.publish(path, path.with_name(name))
        elif path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _refuse_held_meeting(register: Any, meeting: date, *, chosen: bool) -> None:
    """A meeting whose minutes are recorded has discussed its cases: none can join it."""
    for row in register.find("Meetings", meeting=meeting):
        status = str(row.get("status") or "").strip().lower()
        if status in RECORDED_MEETING_STATUSES:
            how = f"--meeting {meeting.isoformat()}" if chosen else "meeting"
            raise ReferralRejected(
                f"{how}: the {uk_date(meeting)} meeting has already been held (its minutes "
                f"are {status}); accept the referral for a later meeting with --meeting DATE"
            )


def _refuse_pack_too_large(
    workspace: Workspace, register: Any, meeting: date, papers: dict[str, Paper]
) -> None:
    """The papers of one meeting's new referrals together stay within pack_papers_max_mb."""
    limits = PaperLimits.of(workspace.panel)
    total = sum(len(paper.data) for paper in papers.values())
    if not total:
        return
    for row in register.find("Cases", meeting=meeting):
        folder = workspace.case_dir(str(row.get("case_id") or ""))
        attachments = folder / "attachments"
        if row.get("case_id") and attachments.is_dir():
            total += sum(file.stat().st_size for file in attachments.iterdir() if file.is_file())
    if total > limits.pack_bytes:
        raise ReferralRejected(
            "attachments: "
            + pack_message(total, limits, f"with this referral, the {uk_date(meeting)} meeting's")
        )


def _refuse_duplicate(register: Any, referral: Referral) -> None:
    for row in register.select("Cases", "local_id", [referral.child.local_id]):
        if row.get("meeting") == referral.meeting:
            raise ReferralRejected(
                f"child.local_id: {referral.child.local_id} is already referred to the "
                f"{uk_date(referral.meeting)} meeting as {row.get('case_id')}"
            )


def _open_cases_note(register: Any, referral: Referral) -> list[str]:
    return [
        f"{referral.child.local_id} also has open case {row.get('case_id')}"
        for row in register.select("Cases", "local_id", [referral.child.local_id])
        if str(row.get("status") or "").lower() == "open"
    ]


def next_case_id(workspace: Workspace, register: Any, year: int) -> str:
    """The next CCP-YYYY-NNN: above every number ever used, even for a row since deleted."""
    used = [0]
    # Actions are not read: every case number they hold is in Cases or Audit, and at scale
    # the Actions sheet is by far the largest. Cases and the Audit tabs are searched for the
    # year's IDs (in any column: a number named anywhere is taken), not read row by row: the
    # tabs from the year before on, as a referral may be accepted in December for a meeting
    # in January (its number is of the meeting's year).
    for sheet in ["Cases", *audit_sheets(register, since=year - 1)]:
        for token in register.tokens(sheet, f"CCP-{year}-"):
            used += _numbers_for(token, year)
    if workspace.cases_dir.is_dir():
        for folder in workspace.cases_dir.iterdir():
            # Hidden names are staging folders of a step that never finished.
            if not folder.name.startswith("."):
                used += _numbers_for(folder.name, year)
    return f"CCP-{year}-{max(used) + 1:03d}"


def _numbers_for(text: str, year: int) -> list[int]:
    return [int(n) for y, n in CASE_ID.findall(text) if int(y) == year]


def _stage_case_folder(
    folder: Path, record: CaseRecord, checked: CheckedReferral, modes: tuple[int, int]
) -> Path:
    """cases/<case ID>/: the file as received, the validated record, the papers.

    Stored under fixed names: the received file's own name may hold the child's name. The
    papers are the very bytes that were checked, not a second read of the files.
    """
    source = checked.source
    fmode, dmode = modes
    files.make_dirs(folder / "attachments", mode=dmode)
    try:
        received = source.read_bytes()
    except OSError as err:
        raise FileUnreadable(f"{source}: cannot be read ({err.strerror})") from err
    files.write_bytes(folder / f"referral-received{source.suffix.lower()}", received, mode=fmode)
    for name, paper in checked.papers.items():
        files.write_bytes(folder / "attachments" / paper.stored_name, paper.data, mode=fmode)
        record.attachments[name] = f"attachments/{paper.stored_name}"
    files.write_text(folder / "case.json", record.model_dump_json(indent=2), mode=fmode)
    return folder


def case_row(record: CaseRecord) -> dict[str, Any]:
    """The register's Cases row for a newly accepted case (the child's name is kept only here)."""
    referral = record.referral
    key_worker = referral.key_worker()
    return {
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
    }


def _record_in_register(register: Any, record: CaseRecord) -> None:
    referral = record.referral
    register.append("Cases", case_row(record))
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
