"""`ccp case export`: a subject access bundle of everything the panel holds about one child.

Built from that child's structured data only (case.json, the register's rows keyed by the
case ID, the case's own entries in the recorded minutes, its own extracts): another child's
data is never read into it, so nothing needs blacking out. Third parties' data is flagged
in a redaction log beside the bundle, for a person to decide.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from workflow.cases.store import CaseRecord, load_case
from workflow.core import files
from workflow.core.dates import as_date, today, uk_date
from workflow.core.errors import RecordsRefused
from workflow.register import Register
from workflow.register.audit_years import select_audit
from workflow.rights.holdings import (
    NO_DISCLOSURES,
    Section,
    audit_section,
    case_row_section,
    disclosures_section,
    minutes_sections,
    progress_sections,
    referral_section,
    rows_section,
)
from workflow.rights.redaction import RedactionItem, log_csv, redaction_items
from workflow.rights.sanitise import sanitise_docx, sanitise_pdf
from workflow.workspace.paths import Workspace
from workflow.workspace.privacy import file_mode


@dataclass
class Bundle:
    """What `ccp case export` wrote."""

    case_id: str
    folder: Path
    pdf: Path
    sources: list[Path]
    log: Path
    flagged: int
    received: date
    due: date
    disclosures: int | None
    written: list[Path] = field(default_factory=list)


def one_month_after(received: date) -> date:
    """The ICO's one calendar month: the same date next month, or that month's last day;
    a Saturday or Sunday moves to the Monday."""
    year, month = (
        (received.year + 1, 1) if received.month == 12 else (received.year, received.month + 1)
    )
    due = date(year, month, min(received.day, calendar.monthrange(year, month)[1]))
    while due.weekday() >= 5:
        due += timedelta(days=1)
    return due


def _disclosures_module() -> Any:
    """The Disclosures sheet's module, where this ccp has one (None before it)."""
    import importlib

    try:
        return importlib.import_module("workflow.cases.disclosures")
    except ImportError:
        return None


def _disclosures(workspace: Workspace, case_id: str) -> list[dict[str, Any]] | None:
    """The Disclosures rows of the case, or None where this ccp records none."""
    module = _disclosures_module()
    found = getattr(module, "disclosures_for_case", None)
    if found is None:
        return None
    return [dict(row) for row in found(workspace, case_id)]


def _paper_text(path: Path) -> str:
    from workflow.core.errors import FileUnreadable
    from workflow.documents.text import document_text

    try:
        return document_text(path)
    except FileUnreadable:
        return ""


def _source_files(workspace: Workspace, record: CaseRecord) -> list[tuple[Path, str]]:
    """The case's own files: (file, its name in the bundle's source folder)."""
    case_dir = workspace.case_dir(record.case_id)
    found: list[tuple[Path, str]] = []
    for file in sorted(case_dir.glob("referral-received.*")):
        found.append((file, f"referral/{file.name}"))
    for paper in record.attachments.values():
        if paper and (case_dir / paper).is_file():
            found.append((case_dir / paper, f"attachments/{Path(paper).name}"))
    for file in sorted((case_dir / "progress").glob("progress-*")):
        if file.suffix.lower() in (".docx", ".pdf", ".yaml", ".yml"):
            found.append((file, f"progress/{file.name}"))
    for file in sorted(workspace.output_dir.glob(f"*/{record.case_id}-referral.docx")):
        found.append((file, f"referral/{file.parent.name}-{file.name}"))
    for file in sorted(
        workspace.output_dir.glob(f"*/extracts/{record.case_id}-minutes-extract-v*")
    ):
        if file.suffix.lower() in (".docx", ".pdf"):
            found.append((file, f"minutes-extracts/{file.parent.parent.name}-{file.name}"))
    return found


def export_case(
    workspace: Workspace, case_id: str, out: Path, *, received: date | None = None
) -> Bundle:
    """Write the subject access bundle for ``case_id`` into the new folder ``out``."""
    workspace.require()
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise RecordsRefused(f"{out}: already exists and is not empty; name a new folder")
    if workspace.root.resolve() in (out.resolve(), *out.resolve().parents):
        raise RecordsRefused(f"{out}: is inside the workspace; name a folder outside it")
    register = Register.load(workspace.register_file)
    if register.has_sheet("Tombstones"):
        gone = [row for row in register.select("Tombstones", "case_id", [case_id])]
        if gone:
            day = min(as_date(row.get("destroyed_on")) or today() for row in gone)
            raise RecordsRefused(
                f"{case_id}: was disposed of on {uk_date(day)}; the panel holds only its "
                "tombstone (the Tombstones sheet)"
            )
    record = load_case(workspace, case_id)
    received = received or today()
    if received > today():
        raise RecordsRefused(f"--received {received.isoformat()}: is after today")
    due = one_month_after(received)
    panel = workspace.panel
    case_row = next(iter(register.select("Cases", "case_id", [case_id])), None)
    actions = register.select("Actions", "case_id", [case_id])
    resources = register.select("Resources", "case_id", [case_id])
    progress_rows = register.select("Progress", "case_id", [case_id])
    minutes, minute_texts, minute_people = minutes_sections(workspace, register, case_id)
    progress, progress_texts, progress_people = progress_sections(workspace, case_id)
    disclosures = _disclosures(workspace, case_id)
    targets = [case_id, *(str(row.get("action_id")) for row in actions if row.get("action_id"))]
    changes = select_audit(register, "target", targets)

    referral = record.referral
    professionals = {p.name for p in referral.professionals}
    professionals |= {referral.referrer.name, referral.key_social_worker.name}
    professionals |= {referral.authorised_by.name}
    professionals |= {referral.iro.name} if referral.iro else set()
    professionals |= {s.name for s in referral.special_invitations or []}
    professionals |= {a.author for a in referral.assessments}
    professionals |= {row.get("owner") or "" for row in actions}
    professionals |= minute_people | progress_people
    professionals |= {panel.chair.name, panel.deputy.name, panel.administrator.name}
    professionals |= {member.name for member in panel.members}
    # Organisations are not third parties: the panel's own name, the agencies involved.
    professionals |= {panel.name, panel.authority or ""}
    professionals |= {p.agency for p in [*referral.professionals, *panel.members]}
    texts = [
        ("referral: history", referral.history),
        ("referral: child's views", referral.child_views),
        ("referral: benefits", referral.benefits),
        ("referral: criteria detail", referral.criteria_detail or ""),
        *[(f"referral: risk ({r.category})", r.description) for r in referral.risks],
        *[(f"referral: obstacle ({o.type})", o.detail) for o in referral.obstacles],
        *[(f"referral: process tried ({p.process})", p.outcome) for p in referral.processes_tried],
        *[(f"referral: assessment {a.title}", a.summary) for a in referral.assessments],
        *minute_texts,
        *progress_texts,
        *[
            (f"action {row.get('action_id')}: notes", str(row.get("notes") or ""))
            for row in actions
        ],
    ]
    health = [
        (f"referral: assessment {a.title} ({uk_date(a.date)})", a.summary)
        for a in referral.assessments
        if any(
            word in f"{a.title} {a.author}".casefold()
            for word in ("camhs", "health", "dr ", "psych", "paediatric", "medical")
        )
    ]
    sources = _source_files(workspace, record)
    # The papers' own words too: a chronology names the family more than the referral does.
    for source, name in sources:
        if source.suffix.lower() == ".docx" and "minutes-extracts/" not in name:
            texts.append((f"source-files/{name}", _paper_text(source)))
    items = redaction_items(
        texts,
        family=referral.family,
        professionals=professionals,
        child_names=[referral.child.name, referral.child.preferred_name or ""],
        health=health,
    )
    sections = [
        referral_section(record),
        case_row_section(case_row),
        minutes,
        rows_section("Actions agreed", "Actions", actions),
        rows_section("Resources agreed", "Resources", resources),
        rows_section("Progress reports asked for", "Progress", progress_rows),
        progress,
        audit_section(changes),
        disclosures_section(disclosures),
    ]
    title = f"Subject access: {case_id}"
    mode = file_mode(workspace)
    with files.staging_dir(out) as stage:
        bundle_dir = files.make_dirs(stage / "bundle")
        listed: list[tuple[str, str]] = []
        for source, name in sources:
            target = bundle_dir / "source-files" / name
            data = source.read_bytes()
            if source.suffix.lower() == ".docx":
                data = sanitise_docx(data, f"{case_id}: {Path(name).stem}")
            files.write_bytes(target, data, mode=mode)
            if source.suffix.lower() == ".pdf":
                sanitise_pdf(target, f"{case_id}: {Path(name).stem}")
            listed.append((f"source-files/{name}", hashlib.sha256(target.read_bytes()).hexdigest()))
        sections.append(
            Section(
                "The files in this bundle",
                tables=[(["File", "SHA-256"], [[name, digest] for name, digest in listed])]
                if listed
                else [],
                note="" if listed else "None.",
            )
        )
        from workflow.rights.bundle_document import write_bundle_pdf

        pdf = write_bundle_pdf(
            bundle_dir / f"{case_id}-subject-access.pdf",
            title=title,
            case_id=case_id,
            panel=panel,
            received=received,
            due=due,
            sections=sections,
            mode=mode,
        )
        sanitise_pdf(pdf, title)
        files.write_text(stage / "redaction-log.csv", log_csv(items), mode=mode)
        _publish(workspace, case_id, stage, out, out / "bundle" / pdf.name, pdf)
    final_pdf = out / "bundle" / pdf.name
    return Bundle(
        case_id=case_id,
        folder=out,
        pdf=final_pdf,
        sources=[out / "bundle" / name for name, _ in listed],
        log=out / "redaction-log.csv",
        flagged=len(items),
        received=received,
        due=due,
        disclosures=None if disclosures is None else len(disclosures),
        written=[final_pdf, out / "bundle" / "source-files", out / "redaction-log.csv"],
    )


def _publish(
    workspace: Workspace, case_id: str, stage: Path, out: Path, final: Path, staged_pdf: Path
) -> None:
    """Put the bundle in place; where this ccp keeps a Disclosures sheet, its row is
    committed first (one transaction with the step that releases the bundle)."""
    module = _disclosures_module()
    record = getattr(module, "record_release", None)
    release = getattr(module, "Release", None)
    if record is None or release is None:
        files.publish_dir(stage, out)
        return
    from workflow.workspace.transaction import transaction

    digest = hashlib.sha256(staged_pdf.read_bytes()).hexdigest()
    with transaction(workspace, "case export") as change:
        record(
            change.register,
            workspace,
            release(
                recipient="The child (subject access request)",
                agency="",
                case_ids=(case_id,),
                file=final.as_posix(),
                sha256=digest,
                purpose="subject access",
            ),
        )
        change.register.audit(
            command="case export",
            action="subject access bundle",
            target=case_id,
            detail=f"{final.name} (SHA-256 {digest[:12]}...)",
        )
        change.commit()
        files.publish_dir(stage, out)


__all__ = ["NO_DISCLOSURES", "Bundle", "RedactionItem", "export_case", "one_month_after"]
