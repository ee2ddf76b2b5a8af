"""`ccp pack DATE`: the agenda, the circulation pack (Word and PDF), readiness, circulation."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from workflow.cases.attachments import PaperLimits, refuse_stored_papers
from workflow.cases.store import case_context, panel_context
from workflow.contract import LABELS, PanelConfig
from workflow.contract.rules import ReferralContext, referral_problems
from workflow.core import files
from workflow.core.dates import today, uk_date
from workflow.core.errors import ConversionFailed, OptionsConflict
from workflow.core.resources import AGENDA_TEMPLATE, COVER_TEMPLATE, REFERRAL_TEMPLATE
from workflow.documents.compose import Part, add_contents, compose
from workflow.documents.mail import slug, write_draft
from workflow.documents.pdf import convert, require_soffice
from workflow.documents.pdf_pack import copy_for, finish_pdf_pack
from workflow.documents.render import render_docx
from workflow.meetings.agenda import (
    PAPER_TITLES,
    Agenda,
    NewReferral,
    agenda_for,
    review_context,
    time_slots,
)
from workflow.register import Register
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


def agenda_context(agenda: Agenda) -> dict[str, Any]:
    panel = agenda.panel
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


def readiness_text(agenda: Agenda, readiness: Readiness) -> str:
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


def build_pack(
    workspace: Workspace,
    meeting: date,
    *,
    attach: bool = False,
    per_recipient: bool = False,
    pdf: bool = True,
) -> PackResult:
    """Render the agenda, assemble the Word and PDF packs, check readiness, draft emails.

    Without LibreOffice this is an error unless ``pdf=False`` (``--no-pdf``) asks for the
    Word pack alone. Everything is built in a staging folder and replaces the previous
    pack's files only once the whole pack is made.
    """
    workspace.require()
    _require_pdf_options(pdf=pdf, per_recipient=per_recipient)
    tighten_and_record(workspace, command="pack")
    clock = _StageClock()
    register = Register.load(workspace.register_file)
    agenda = agenda_for(workspace, meeting, register)
    refuse_stored_papers(
        [(item.case_id, item.papers) for item in agenda.new_referrals],
        PaperLimits.of(workspace.panel),
        workspace.root,
        uk_date(meeting),
    )
    out = workspace.meeting_output(meeting)
    files.make_dirs(out)
    staging = files.make_dirs(files.temp_path(out / "pack"))
    written: list[Path] = []
    try:
        agenda_docx = render_docx(
            workspace.template(AGENDA_TEMPLATE),
            agenda_context(agenda),
            staging / "agenda.docx",
            labels=LABELS,
        )
        referral_docs = {
            item.case_id: out / f"{item.case_id}-referral.docx" for item in agenda.new_referrals
        }
        _ensure_referral_documents(workspace, agenda, referral_docs)
        parts = pack_parts(agenda, agenda_docx, referral_docs)
        readiness = readiness_of(agenda)

        cover = render_docx(
            workspace.template(COVER_TEMPLATE),
            cover_context(agenda, readiness),
            staging / "cover.docx",
            labels=LABELS,
        )
        from docx import Document

        cover_document = Document(str(cover))
        add_contents(cover_document, parts, ["" for _ in parts])
        cover_document.save(str(cover))
        clock.lap("render")
        word_pack = compose(cover, parts, staging / f"pack-{meeting.isoformat()}.docx")
        clock.lap("merge")

        files.write_text(staging / "readiness.txt", readiness_text(agenda, readiness))

        pdf_skipped = None
        pdf_pack = None
        if pdf:
            pdf_pack = _pdf_pack(word_pack, parts, agenda, staging)
            clock.lap("pdf")
        else:
            pdf_skipped = "No PDF pack made (--no-pdf): circulate the Word pack"

        pack_file = pdf_pack or word_pack
        circulation, warnings = _circulation(
            agenda,
            pack_file,
            staging / "circulation",
            published=out,
            readiness=readiness,
            attach=attach,
            per_recipient=per_recipient,
        )

        seal(staging, workspace)
        # Commit, then publish: the register says the pack went out only once it is made.
        _record_pack_sent(workspace, meeting, readiness)
        produced = [agenda_docx, word_pack, *([pdf_pack] if pdf_pack else [])]
        written += _publish_pack(out, staging, [*produced, staging / "readiness.txt"])
        written += [out / "circulation" / path.name for path in circulation]
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    clock.lap("circulation")
    return PackResult(meeting, written, readiness, pdf_skipped, clock.seconds, warnings)


def _record_pack_sent(workspace: Workspace, meeting: date, readiness: Readiness) -> None:
    """The meeting's row (found by its date) says the pack is made; an Audit row says what."""
    with transaction(workspace, "pack") as change:
        register = change.register
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
    files.publish_dir(staging / "circulation", out / "circulation")
    names = {path.name for path in produced}
    for stale in out.glob("pack-*.pdf"):
        if stale.name not in names:
            stale.unlink(missing_ok=True)
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


def _pdf_pack(word_pack: Path, parts: list[Part], agenda: Agenda, staging: Path) -> Path:
    """One LibreOffice run for the whole Word pack, then PDF papers laid on their pages."""
    [converted] = convert([word_pack], staging / "pdf", destinations=True)
    target = staging / f"pack-{agenda.meeting.isoformat()}.pdf"
    finish_pdf_pack(converted, parts, target)
    return target


# --- circulation -------------------------------------------------------------------------


def distribution(panel: PanelConfig) -> list[tuple[str, str, str]]:
    """(name, role and agency, email) of everyone who receives the pack, without repeats."""
    people = [panel.chair, panel.deputy, *panel.members]
    seen: set[str] = set()
    listed = []
    for person in people:
        key = (person.email or person.name).lower()
        if key in seen:
            continue
        seen.add(key)
        listed.append((person.name, f"{person.role}, {person.agency}", person.email or ""))
    return listed


def _where_the_papers_are(
    panel: PanelConfig, file: Path, *, attach: bool, what: str = "The pack"
) -> str:
    """The e-mail's line saying where a member finds the pack: attached, or a place."""
    if attach:
        return f"{what} is attached ({file.name})."
    place = panel.papers_location or str(file.parent.resolve())
    return f"{what} is in: {place}\nFile: {file.name}"


def _circulation(
    agenda: Agenda,
    pack_file: Path,
    folder: Path,
    *,
    published: Path,
    readiness: Readiness | None = None,
    attach: bool,
    per_recipient: bool,
) -> tuple[list[Path], list[str]]:
    """The distribution list and an e-mail draft per member; what the drafts lack."""
    panel = agenda.panel
    warnings: list[str] = []
    if not attach and not panel.papers_location:
        warnings.append(
            "the circulation e-mails give the pack's folder on this computer "
            f"({published.resolve()}); set papers_location in panel.yaml to where members "
            "open the papers, or pass --attach"
        )
    folder.mkdir(parents=True, exist_ok=True)
    people = distribution(panel)
    listing = [
        f"Distribution of the {uk_date(agenda.meeting)} panel papers ({panel.protective_marking})",
        "",
        *[f"{name}\t{role}\t{email or 'NO EMAIL IN panel.yaml'}" for name, role, email in people],
    ]
    written = [folder / "distribution.txt"]
    files.write_text(written[0], "\n".join(listing) + "\n")
    subject = f"{panel.protective_marking}: {panel.name}: papers for {uk_date(agenda.meeting)}"
    items = [
        f"- New referral {item.case_id} ({item.referring_agency})" for item in agenda.new_referrals
    ]
    items += [f"- Progress review {review.case_id}" for review in agenda.progress_reviews]
    items += [f"- Strategic item: {item.title}" for item in agenda.strategic_items]
    where = _where_the_papers_are(panel, published / pack_file.name, attach=attach)
    outstanding = readiness.blocking if readiness else []
    missing = (
        f"Not yet in this pack ({len(outstanding)} outstanding):\n"
        + "\n".join(f"- {line}" for line in outstanding)
        + "\n\n"
        if outstanding
        else ""
    )
    slot = agenda.slot
    when = ", ".join(part for part in (uk_date(slot.date), slot.time, slot.venue) if part)
    for number, (name, _, address) in enumerate(people, start=1):
        copy = pack_file
        if per_recipient:
            copy = copy_for(pack_file, name, folder / f"{pack_file.stem}-{slug(name)}.pdf")
            written.append(copy)
            where = _where_the_papers_are(
                panel,
                published / "circulation" / copy.name,
                attach=attach,
                what="Your marked copy of the pack",
            )
        body = (
            f"Dear {name},\n\n"
            f"Please find the papers for the {panel.name} on {when}.\n\n"
            f"{where}\n\nOn the agenda:\n" + "\n".join(items or ["- (no cases yet)"]) + "\n\n"
            f"{missing}"
            f"These papers are {panel.protective_marking}: do not forward them or store them "
            "outside secure systems.\n\n"
            f"{panel.administrator.name}\n{panel.administrator.role}\n"
        )
        if not address:
            warnings.append(
                f"{name} has no e-mail address in panel.yaml: their draft "
                f"({number:02d}-{slug(name)}.eml) has none; add it, or send them the papers "
                "by hand"
            )
        written.append(
            write_draft(
                folder / f"{number:02d}-{slug(name)}.eml",
                sender=panel.administrator,
                to=(name, address),
                subject=subject,
                body=body,
                attachment=copy if attach else None,
            )
        )
    return written, warnings
