"""`ccp pack DATE`: the agenda, the circulation pack (Word and PDF), readiness, circulation."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from workflow.cases.attachments import PaperLimits, refuse_stored_papers
from workflow.cases.disclosures import Release, disclosures_of, record_releases
from workflow.cases.store import case_context, panel_context
from workflow.contract import LABELS
from workflow.contract.rules import ReferralContext, referral_problems
from workflow.core import files
from workflow.core.dates import today, uk_date
from workflow.core.errors import ConversionFailed, OptionsConflict
from workflow.core.resources import AGENDA_TEMPLATE, COVER_TEMPLATE, REFERRAL_TEMPLATE
from workflow.documents.compose import Part, add_contents, compose
from workflow.documents.pdf import convert, require_soffice
from workflow.documents.pdf_pack import finish_pdf_pack
from workflow.documents.render import render_docx
from workflow.meetings.agenda import (
    PAPER_TITLES,
    Agenda,
    NewReferral,
    agenda_for,
    review_context,
    time_slots,
)
from workflow.meetings.circulation import circulate
from workflow.meetings.records import sha256_of
from workflow.meetings.views import (
    PackView,
    minutes_cases,
    pack_views,
    restricted_context,
)
from workflow.register import Register, step_lock
from workflow.workspace.paths import Workspace
from workflow.workspace.privacy import seal
from workflow.workspace.transaction import tighten_and_record, transaction


@dataclass
class Readiness:
    blocking: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"BLOCKS: {line}" for line in self.blocking] + [
            f"Note: {line}" for line in self.notes
        ]


@dataclass
class PackResult:
    meeting: date
    written: list[Path]
    readiness: Readiness
    pdf_skipped: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, for benchmarks
    # For the administrator: what the e-mail drafts could not do (no address, no place).
    warnings: list[str] = field(default_factory=list)


def meeting_context(agenda: Agenda) -> dict[str, Any]:
    slot = agenda.slot
    return {"date": slot.date, "time": slot.time, "venue": slot.venue}


def agenda_context(agenda: Agenda, slots: dict[str, str] | None = None) -> dict[str, Any]:
    """What the agenda template receives; ``slots``: the full agenda's times, so a copy
    that leaves a restricted case out keeps every other case's time as the meeting has it."""
    panel = agenda.panel
    if slots is None:
        slots = agenda_slots(agenda)
    return {
        "panel": panel_context(panel),
        "meeting": meeting_context(agenda),
        "chair": panel.chair.model_dump(),
        "previous": agenda.previous,
        "next": agenda.next,
        "last_minutes_available": agenda.last_minutes is not None,
        "new_referrals": [
            {
                "case_id": item.case_id,
                "referring_agency": item.referring_agency,
                "risk_level": item.risk_level,
                "late_accepted_by": item.record.referral.late_accepted_by,
                "presenter": item.presenter,
                "time": slots.get(item.case_id),
                "missing_papers": [
                    PAPER_TITLES[name].lower() for name, path in item.papers.items() if not path
                ],
                "papers": [
                    {"title": PAPER_TITLES[name], "supplied": path is not None}
                    for name, path in item.papers.items()
                ],
            }
            for item in agenda.new_referrals
        ],
        "progress_reviews": [
            review_context(review, slots.get(review.case_id)) for review in agenda.progress_reviews
        ],
        "strategic_items": [
            {**item.model_dump(), "time": slots.get(f"strategic {number}")}
            for number, item in enumerate(agenda.strategic_items)
        ],
        "timed": bool(slots),
        "restricted_cases": [],  # a member's own view names the cases it leaves out
    }


def agenda_slots(agenda: Agenda) -> dict[str, str]:
    """Each case's and strategic item's time, by case ID or "strategic N"."""
    items: list[tuple[str, int | None]] = [
        (item.case_id, agenda.case_minutes.get(item.case_id)) for item in agenda.new_referrals
    ]
    items += [
        (review.case_id, agenda.case_minutes.get(review.case_id))
        for review in agenda.progress_reviews
    ]
    items += [
        (f"strategic {number}", item.minutes) for number, item in enumerate(agenda.strategic_items)
    ]
    return time_slots(agenda.slot.time, items) or {}


def cover_context(agenda: Agenda, readiness: Readiness | None = None) -> dict[str, Any]:
    """The cover says what the pack holds, and honestly what it does not yet hold."""
    return {
        "panel": panel_context(agenda.panel),
        "meeting": meeting_context(agenda),
        "prepared_on": today(),
        "administrator": agenda.panel.administrator.model_dump(),
        "case_count": len(agenda.new_referrals),
        "review_count": len(agenda.progress_reviews),
        "outstanding": list(readiness.blocking) if readiness else [],
    }


# --- readiness ---------------------------------------------------------------------------


def readiness_of(agenda: Agenda) -> Readiness:
    """What stops the pack going out: missing papers, rule breaks, reports not received."""
    readiness = Readiness()
    for item in agenda.new_referrals:
        referral = item.record.referral
        for name, path in item.papers.items():
            if path is None:
                readiness.blocking.append(f"{item.case_id}: no {PAPER_TITLES[name].lower()}")
        context = ReferralContext(today=item.record.accepted_on, panel=agenda.panel)
        for problem in referral_problems(referral, context):
            readiness.blocking.append(f"{item.case_id}: {problem}")
        if referral.late_accepted_by:
            readiness.notes.append(
                f"{item.case_id}: late referral, accepted by {referral.late_accepted_by}"
            )
    for review in agenda.progress_reviews:
        if review.report is None:
            readiness.blocking.append(f"{review.case_id}: progress report not yet received")
        if review.overdue_actions:
            readiness.notes.append(
                f"{review.case_id}: {len(review.overdue_actions)} overdue action(s)"
            )
    return readiness


def readiness_text(
    agenda: Agenda, readiness: Readiness, views: list[PackView] | None = None
) -> str:
    lines = [
        f"Readiness of the {uk_date(agenda.meeting)} panel papers ({agenda.panel.name})",
        f"Checked on {uk_date(today())}. {agenda.panel.protective_marking}.",
        "",
        f"New referrals: {len(agenda.new_referrals)}; progress reviews: "
        f"{len(agenda.progress_reviews)}; strategic items: {len(agenda.strategic_items)}",
        "",
    ]
    if not readiness.blocking and not readiness.notes:
        lines.append("Ready: nothing blocks circulation.")
    lines += readiness.lines()
    limited = [view for view in views or [] if view.limited]
    if limited:
        lines += [
            "",
            "Restricted cases (need to know): members outside their agencies get a "
            "pack without them:",
        ]
        for view in limited:
            names = ", ".join(reader.name for reader in view.readers) or "nobody"
            lines.append(
                f"- {view.stem(agenda.meeting)}: leaves out {', '.join(sorted(view.hidden))}; "
                f"for {names}"
            )
            if view.agenda is not None and agenda.last_minutes and not view.agenda.last_minutes:
                lines.append(
                    f"  The {uk_date(agenda.previous)} minutes are not in it: no signed version "
                    "leaves those cases out"
                )
    return "\n".join(lines) + "\n"


# --- the pack ----------------------------------------------------------------------------


def _pdf_pages(path: Path) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        return len(PdfReader(str(path)).pages)
    except (PdfReadError, ValueError, KeyError) as err:
        raise ConversionFailed(f"{path.name}: cannot be read as a PDF ({err})") from err


def pack_parts(agenda: Agenda, agenda_docx: Path, referral_docs: dict[str, Path]) -> list[Part]:
    """Every section of the pack, in agenda order."""
    parts = [Part("Agenda", agenda_docx, retitle=True)]
    for item in agenda.new_referrals:
        parts.append(
            Part(f"New referral {item.case_id}", referral_docs[item.case_id], retitle=True)
        )
        parts += _paper_parts(item)
    for review in agenda.progress_reviews:
        if review.report is not None:
            parts.append(_document_part(f"Progress report {review.case_id}", review.report, 1))
        else:
            parts.append(Part(f"Progress report {review.case_id}", missing=True))
    if agenda.last_minutes is not None:
        parts.append(
            _document_part(
                f"Minutes of the {uk_date(agenda.previous)} meeting", agenda.last_minutes, 1
            )
        )
    return parts


def _paper_parts(item: NewReferral) -> list[Part]:
    parts = []
    for name, path in item.papers.items():
        title = f"{item.case_id}: {PAPER_TITLES[name]}"
        if path is None:
            parts.append(Part(title, level=2, missing=True))
        else:
            parts.append(_document_part(title, path, 2))
    return parts


def _document_part(title: str, path: Path, level: int) -> Part:
    if path.suffix.lower() == ".docx":
        # Our own documents (level 1) open with a title; an agency's paper keeps ours.
        return Part(title, path, level=level, retitle=level == 1)
    if path.suffix.lower() == ".pdf":
        pages = _pdf_pages(path)
        return Part(
            title,
            note=f"A PDF document of {pages} page(s) follows (in the PDF pack).",
            blank_pages=pages,
            level=level,
            paper=path,
        )
    return Part(
        title,
        note=f"This paper is a {path.suffix} file and is circulated separately: {path.name}",
        level=level,
    )


PACK_STAGE = ".pack-stage"
PACK_SUFFIXES = (".pdf", ".docx")


def build_pack(
    workspace: Workspace,
    meeting: date,
    *,
    attach: bool = False,
    per_recipient: bool = False,
    pdf: bool = True,
) -> PackResult:
    """Render the agenda, assemble the Word and PDF packs, check readiness, draft emails.

    A member outside a restricted case's agencies gets a pack without it (``views``): one
    pack per distinct set of visible cases. Without LibreOffice this is an error unless
    ``pdf=False`` (``--no-pdf``) asks for the Word pack alone. Everything is built in a
    staging folder; the register (meeting status, one Disclosures row per copy sent) is
    committed, then the files replace the previous pack's. A kill between the two is
    finished by the next `ccp pack` (the register vouches for the staged files).
    """
    workspace.require()
    _require_pdf_options(pdf=pdf, per_recipient=per_recipient)
    tighten_and_record(workspace, command="pack")
    clock = _StageClock()
    out = workspace.meeting_output(meeting)
    register = Register.load(workspace.register_file)
    agenda = agenda_for(workspace, meeting, register)
    refuse_stored_papers(
        [(item.case_id, item.papers) for item in agenda.new_referrals],
        PaperLimits.of(workspace.panel),
        workspace.root,
        uk_date(meeting),
    )
    files.make_dirs(out)
    busy = f"another ccp pack for {uk_date(meeting)} is being built; try again when it finishes"
    with step_lock(out, busy):
        roll_forward_pack(workspace, register, meeting)
        views = pack_views(workspace, register, agenda)
        held_minutes = minutes_cases(workspace, register, agenda)
        staging = out / PACK_STAGE
        shutil.rmtree(staging, ignore_errors=True)
        files.make_dirs(staging)
        committed = False
        written: list[Path] = []
        try:
            referral_docs = {
                item.case_id: out / f"{item.case_id}-referral.docx" for item in agenda.new_referrals
            }
            _ensure_referral_documents(workspace, agenda, referral_docs)
            readiness = readiness_of(agenda)
            produced: list[Path] = []
            word_packs: dict[int, tuple[Path, list[Part]]] = {}
            for view in views:
                assert view.agenda is not None
                agenda_docx, parts, word_pack = _word_pack(
                    workspace, agenda, view, referral_docs, staging, clock
                )
                word_packs[view.number] = (word_pack, parts)
                produced += [agenda_docx, word_pack]
            files.write_text(staging / "readiness.txt", readiness_text(agenda, readiness, views))

            pdf_skipped = None
            packs = {number: word_pack for number, (word_pack, _) in word_packs.items()}
            if pdf:
                packs = _pdf_packs(word_packs, staging)
                produced += list(packs.values())
                clock.lap("pdf")
            else:
                pdf_skipped = "No PDF pack made (--no-pdf): circulate the Word pack"

            circulated = circulate(
                workspace,
                views,
                packs,
                staging / "circulation",
                outstanding={
                    view.number: readiness_of(view.agenda).blocking
                    for view in views
                    if view.agenda is not None
                },
                minutes_cases=held_minutes,
                attach=attach,
                per_recipient=per_recipient,
            )

            seal(staging, workspace)
            # Commit, then publish: the register says the pack went out, and to whom, only once
            # it is made.
            _record_pack_sent(workspace, meeting, readiness, circulated.releases)
            committed = True
            written += _publish_pack(out, staging, [*produced, staging / "readiness.txt"])
            written += [out / "circulation" / path.name for path in circulated.written]
        except BaseException:
            if not committed:  # after the commit, the next `ccp pack` finishes publishing
                shutil.rmtree(staging, ignore_errors=True)
            raise
        shutil.rmtree(staging, ignore_errors=True)
        clock.lap("circulation")
        return PackResult(
            meeting, written, readiness, pdf_skipped, clock.seconds, circulated.warnings
        )


def _word_pack(
    workspace: Workspace,
    full: Agenda,
    view: PackView,
    referral_docs: dict[str, Path],
    staging: Path,
    clock: _StageClock,
) -> tuple[Path, list[Part], Path]:
    """One view's agenda, cover with its own contents, and Word pack."""
    agenda = view.agenda
    assert agenda is not None
    suffix = view.suffix()
    context = agenda_context(agenda, agenda_slots(full))
    context["restricted_cases"] = restricted_context(full, view)
    agenda_docx = render_docx(
        workspace.template(AGENDA_TEMPLATE),
        context,
        staging / f"agenda{suffix}.docx",
        labels=LABELS,
    )
    parts = pack_parts(agenda, agenda_docx, referral_docs)
    cover = render_docx(
        workspace.template(COVER_TEMPLATE),
        cover_context(agenda, readiness_of(agenda)),
        staging / f"cover{suffix}.docx",
        labels=LABELS,
    )
    from docx import Document

    cover_document = Document(str(cover))
    add_contents(cover_document, parts, ["" for _ in parts])
    cover_document.save(str(cover))
    clock.lap("render")
    word_pack = compose(cover, parts, staging / f"{view.stem(agenda.meeting)}.docx")
    cover.unlink(missing_ok=True)
    clock.lap("merge")
    return agenda_docx, parts, word_pack


def roll_forward_pack(workspace: Workspace, register: Any, meeting: date) -> list[Path]:
    """Finish or discard a pack a kill left staged: published when the register's
    Disclosures rows vouch for its copies (the commit happened), else removed."""
    out = workspace.meeting_output(meeting)
    staging = out / PACK_STAGE
    if not staging.is_dir():
        return []
    vouched = {row["sha256"] for row in disclosures_of(register)}
    staged = [path for path in staging.rglob("*") if path.is_file()]
    copies = [
        path for path in staged if path.name.startswith("pack-") and path.suffix in PACK_SUFFIXES
    ]
    published: list[Path] = []
    if copies and any(sha256_of(path) in vouched for path in copies):
        top = [path for path in staging.iterdir() if path.is_file()]
        published = _publish_pack(out, staging, top)
    shutil.rmtree(staging, ignore_errors=True)
    return published


def _record_pack_sent(
    workspace: Workspace, meeting: date, readiness: Readiness, releases: list[Release]
) -> None:
    """The meeting's row (found by its date) says the pack is made; an Audit row says what;
    a Disclosures row per copy sent says to whom."""
    with transaction(workspace, "pack") as change:
        register = change.register
        record_releases(register, workspace, releases)
        rows = register.find("Meetings", meeting=meeting)
        row = rows[0] if rows else register.append("Meetings", {"meeting": meeting})
        if row.get("status") in (None, "", "scheduled"):
            row["status"] = "pack sent"
        outstanding = len(readiness.blocking)
        register.audit(
            command="pack",
            action="built the circulation pack",
            target=meeting.isoformat(),
            detail=f"{outstanding} item(s) outstanding" if outstanding else "complete",
        )
        change.commit()


def _require_pdf_options(*, pdf: bool, per_recipient: bool) -> None:
    """Nothing asked for is quietly dropped: no PDF is a choice, never a missing program."""
    if per_recipient and not pdf:
        raise OptionsConflict(
            "--per-recipient marks a PDF copy for each member, so it cannot be used with --no-pdf"
        )
    if pdf:
        try:
            require_soffice()
        except ConversionFailed as err:
            raise ConversionFailed(f"{err}; or pass --no-pdf for the Word pack alone") from None


def _publish_pack(out: Path, staging: Path, produced: list[Path]) -> list[Path]:
    """Replace the previous pack's files with the new ones, nothing of the old left among them.

    Every file is already complete in the staging folder, so this is a run of renames on one
    file system: the circulation folder as a whole, then each file; a PDF pack of an earlier
    run that this one did not make is removed, not left beside the new Word pack.
    """
    if (staging / "circulation").is_dir():
        files.publish_dir(staging / "circulation", out / "circulation")
    names = {path.name for path in produced}
    stale = [
        *out.glob("pack-*.pdf"),
        *out.glob("pack-*-limited-*.docx"),
        *out.glob("agenda-limited-*.docx"),
    ]
    for path in stale:
        if path.name not in names:
            path.unlink(missing_ok=True)
    return [files.publish(path, out / path.name) for path in produced]


class _StageClock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


def _ensure_referral_documents(
    workspace: Workspace, agenda: Agenda, referral_docs: dict[str, Path]
) -> None:
    """Re-render a formal referral that was deleted from output/ since it was accepted."""
    for item in agenda.new_referrals:
        target = referral_docs[item.case_id]
        if not target.is_file():
            render_docx(
                workspace.template(REFERRAL_TEMPLATE),
                case_context(item.record, agenda.panel),
                target,
                labels=LABELS,
            )


def _pdf_packs(word_packs: dict[int, tuple[Path, list[Part]]], staging: Path) -> dict[int, Path]:
    """One LibreOffice run for every view's Word pack, then PDF papers laid on their pages."""
    numbers = list(word_packs)
    converted = convert([word_packs[n][0] for n in numbers], staging / "pdf", destinations=True)
    packs = {}
    for number, pdf in zip(numbers, converted, strict=True):
        word_pack, parts = word_packs[number]
        packs[number] = finish_pdf_pack(pdf, parts, staging / f"{word_pack.stem}.pdf")
    shutil.rmtree(staging / "pdf", ignore_errors=True)
    return packs
