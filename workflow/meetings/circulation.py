"""Sending the pack: one e-mail draft per member with their own view's pack, and the
Disclosures rows saying who was sent which file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workflow.cases.access import Reader, panel_readers
from workflow.cases.disclosures import Release
from workflow.contract import PanelConfig
from workflow.contract.terms import CIRCULATION
from workflow.core import files
from workflow.core.dates import uk_date
from workflow.documents.mail import slug, write_draft
from workflow.documents.pdf_pack import copy_for
from workflow.meetings.agenda import Agenda
from workflow.meetings.records import sha256_of
from workflow.meetings.views import PackView, restricted_lines, visible_cases
from workflow.workspace.paths import Workspace


@dataclass
class Circulated:
    written: list[Path] = field(default_factory=list)  # in the staging folder
    releases: list[Release] = field(default_factory=list)
    # For the administrator: what the e-mail drafts could not do (no address, no place).
    warnings: list[str] = field(default_factory=list)


def _where_the_papers_are(
    panel: PanelConfig, file: Path, *, attach: bool, what: str = "The pack"
) -> str:
    """The e-mail's line saying where a member finds the pack: attached, or a place."""
    if attach:
        return f"{what} is attached ({file.name})."
    place = panel.papers_location or str(file.parent.resolve())
    return f"{what} is in: {place}\nFile: {file.name}"


def circulate(
    workspace: Workspace,
    views: list[PackView],
    packs: dict[int, Path],
    folder: Path,
    *,
    outstanding: dict[int, list[str]],
    minutes_cases: list[str],
    attach: bool,
    per_recipient: bool,
) -> Circulated:
    """A draft per member, each pointing to (or attaching) their view's pack; the Disclosures
    rows for the copies, named as they will be once published."""
    agenda = views[0].agenda
    assert agenda is not None
    panel = agenda.panel
    out = workspace.meeting_output(agenda.meeting)
    folder.mkdir(parents=True, exist_ok=True)
    done = Circulated()
    if not attach and not panel.papers_location:
        done.warnings.append(
            "the circulation e-mails give the pack's folder on this computer "
            f"({out.resolve()}); set papers_location in panel.yaml to where members "
            "open the papers, or pass --attach"
        )
    # Every member in panel.yaml's order (chair, deputy, members), each with their view.
    order = {reader: number for number, reader in enumerate(panel_readers(panel))}
    readers = sorted(
        ((reader, view) for view in views for reader in view.readers),
        key=lambda pair: order.get(pair[0], len(order)),
    )
    listing = [
        f"Distribution of the {uk_date(agenda.meeting)} panel papers ({panel.protective_marking})",
        "",
        *[
            f"{reader.name}\t{reader.role}, {reader.agency}\t"
            f"{reader.email or 'NO EMAIL IN panel.yaml'}\t{packs[view.number].name}"
            for reader, view in readers
        ],
    ]
    done.written.append(folder / "distribution.txt")
    files.write_text(done.written[0], "\n".join(listing) + "\n")
    subject = f"{panel.protective_marking}: {panel.name}: papers for {uk_date(agenda.meeting)}"
    for number, (reader, view) in enumerate(readers, start=1):
        pack_file = packs[view.number]
        copy, final = pack_file, out / pack_file.name
        if per_recipient:
            copy = copy_for(
                pack_file, reader.name, folder / f"{pack_file.stem}-{slug(reader.name)}.pdf"
            )
            final = out / "circulation" / copy.name
            done.written.append(copy)
        where = _where_the_papers_are(
            panel,
            final,
            attach=attach,
            what="Your marked copy of the pack" if per_recipient else "The pack",
        )
        body = _body(panel, agenda, view, reader, where, outstanding.get(view.number, []))
        if not reader.email:
            done.warnings.append(
                f"{reader.name} has no e-mail address in panel.yaml: their draft "
                f"({number:02d}-{slug(reader.name)}.eml) has none; add it, or send them the "
                "papers by hand"
            )
        done.written.append(
            write_draft(
                folder / f"{number:02d}-{slug(reader.name)}.eml",
                sender=panel.administrator,
                to=(reader.name, reader.email),
                subject=subject,
                body=body,
                attachment=copy if attach else None,
            )
        )
        done.releases.append(
            Release(
                recipient=reader.name,
                agency=reader.agency,
                case_ids=tuple(visible_cases(view, minutes_cases)),
                file=workspace.relative(final),
                sha256=sha256_of(copy),
                purpose=CIRCULATION,
            )
        )
    return done


def _body(
    panel: PanelConfig,
    agenda: Agenda,
    view: PackView,
    reader: Reader,
    where: str,
    outstanding: list[str],
) -> str:
    mine = view.agenda
    assert mine is not None
    items = [
        f"- New referral {item.case_id} ({item.referring_agency})" for item in mine.new_referrals
    ]
    items += [f"- Progress review {review.case_id}" for review in mine.progress_reviews]
    items += [f"- Strategic item: {item.title}" for item in mine.strategic_items]
    items += [f"- {line}" for line in restricted_lines(agenda, view)]
    missing = (
        f"Not yet in this pack ({len(outstanding)} outstanding):\n"
        + "\n".join(f"- {line}" for line in outstanding)
        + "\n\n"
        if outstanding
        else ""
    )
    slot = agenda.slot
    when = ", ".join(part for part in (uk_date(slot.date), slot.time, slot.venue) if part)
    return (
        f"Dear {reader.name},\n\n"
        f"Please find the papers for the {panel.name} on {when}.\n\n"
        f"{where}\n\nOn the agenda:\n" + "\n".join(items or ["- (no cases yet)"]) + "\n\n"
        f"{missing}"
        f"These papers are {panel.protective_marking}: do not forward them or store them "
        "outside secure systems.\n\n"
        f"{panel.administrator.name}\n{panel.administrator.role}\n"
    )
