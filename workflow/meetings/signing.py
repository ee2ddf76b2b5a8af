"""Signing minutes as a true record, and verifying a copy against the register.

The register is the single source of truth for signing: a version is signed when the
`Signatures` sheet has its rows, and by whom and when is read from there, under the
register lock, after the lock is taken. A signing is one all-or-nothing step: every file
(minutes, PDF, extracts, e-mail drafts) is made in a staging folder, the register is
committed, then the files are published. A kill before the commit leaves no signature and
no signed-looking file; a kill after it is completed by the next command (roll forward).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from workflow.cases.access import (
    Restriction,
    hidden_cases,
    hidden_from,
    panel_readers,
    reader_named,
    restrictions,
)
from workflow.cases.disclosures import Release, copies_of, record_releases, whose_copy
from workflow.cases.store import load_case
from workflow.contract import LABELS, MinutesRecord, PanelConfig
from workflow.contract.terms import EXTRACT
from workflow.core import files
from workflow.core.dates import today, uk_date, uk_date_as_typed
from workflow.core.errors import (
    FileUnreadable,
    MinutesLocked,
    NotAuthorisedToSign,
    RegisterError,
    WorkspaceError,
)
from workflow.core.resources import EXTRACT_TEMPLATE, MINUTES_TEMPLATE
from workflow.documents.mail import write_draft
from workflow.documents.pdf import convert, require_soffice
from workflow.documents.render import render_docx
from workflow.meetings.minutes import extract_context, minutes_context
from workflow.meetings.records import (
    legacy_hash,
    load_recorded,
    meeting_row,
    record_digest,
    require_recorded,
    roll_forward,
    sha256_of,
    signature_rows,
)
from workflow.meetings.views import join_ids
from workflow.register import Register
from workflow.workspace.paths import Workspace
from workflow.workspace.privacy import dir_mode, seal
from workflow.workspace.transaction import transaction

_SIGNED_NAME = re.compile(r"minutes-(\d{4}-\d{2}-\d{2})-v(\d+)\.(docx|pdf)$")
_LEGACY_HASH_HEADER = "SHA-256"
LIMITED = "-limited-"


@dataclass
class Signed:
    meeting: date
    version: int
    signed_by: str
    written: list[Path]
    warnings: list[str] = field(default_factory=list)


@dataclass
class Verification:
    matches: bool
    message: str


# --- signing -------------------------------------------------------------------------------


def sign_minutes(workspace: Workspace, meeting: date, signer: str) -> Signed:
    """Render the final minutes (Word and PDF/A) and per-child extracts, record their
    hashes in the register, publish them; the record is then locked."""
    workspace.require()
    panel = workspace.panel
    roles = {panel.chair.name: "Chair", panel.deputy.name: "Deputy chair"}
    if signer not in roles:
        raise NotAuthorisedToSign(
            f"--chair: {signer} may not sign; only the chair ({panel.chair.name}) or deputy "
            f"({panel.deputy.name}) named in panel.yaml"
        )
    # A signature without its PDF could never be made again later: refuse up front.
    require_soffice()
    with transaction(workspace, "minutes sign") as change:
        register = change.register
        roll_forward(workspace, register, meeting)
        version = require_recorded(register, meeting)
        done = {entry["version"]: entry for entry in signature_rows(register, meeting)}
        if version in done:
            entry = done[version]
            raise MinutesLocked(
                f"version {version} of the {uk_date(meeting)} minutes is already signed by "
                f"{entry['signed_by']} on {uk_date_as_typed(entry['signed_on'])}; a correction is "
                "`ccp minutes amend`"
            )
        _refuse_if_register_is_older(workspace, meeting, version)
        record_file = workspace.recorded_minutes(meeting, version)
        if not record_file.is_file():
            raise WorkspaceError(
                f"{workspace.relative(record_file)} is missing: the register records version "
                f"{version} of the {uk_date(meeting)} minutes; record them again with "
                "`ccp minutes record`"
            )
        expected = meeting_row(register, meeting).get("record_sha256")
        if expected and record_digest(record_file.read_bytes()) != expected:
            raise WorkspaceError(
                f"{workspace.relative(record_file)} is not the version the register recorded "
                "(changed by hand, or an interrupted command); record the minutes again with "
                "`ccp minutes record`"
            )
        stored = load_recorded(workspace, meeting, version)
        signed_on = today()
        signature = {"name": signer, "role": roles[signer], "date": signed_on}
        stage = workspace.signing_stage(meeting, version)
        shutil.rmtree(stage, ignore_errors=True)
        files.make_dirs(stage, mode=dir_mode(workspace))
        known = restrictions(register)
        limited = limited_minutes(panel, [case.case_id for case in stored.record.cases], known)
        try:
            made = _render_signed(workspace, panel, stored, signature, stage, limited)
            releases, warnings = _extract_emails(
                workspace, panel, stored.record, made, stage, known
            )
            hashes = {name: sha256_of(path) for name, path in made.items()}
            _record_signature(
                register,
                workspace,
                meeting,
                version,
                signer,
                roles[signer],
                signed_on,
                made,
                stage,
                hashes,
                limited,
            )
            record_releases(register, workspace, releases, when=signed_on)
            seal(stage, workspace)
            change.commit()
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        published = roll_forward(workspace, register, meeting)
    out = workspace.meeting_output(meeting)
    first = [out / path.relative_to(stage) for path in made.values()]
    written = [path for path in first if path in published]
    written += [path for path in published if path not in written]
    return Signed(meeting, version, signer, [*written, workspace.register_file], warnings)


def _refuse_if_register_is_older(workspace: Workspace, meeting: date, version: int) -> None:
    """Signed files on disk that the register does not know: it was restored from a backup."""
    for suffix in (".docx", ".pdf"):
        path = workspace.signed_minutes(meeting, version, suffix)
        if path.exists():
            raise RegisterError(
                f"{workspace.relative(path)} exists but the register has no signature for it: "
                "register.xlsx is older than the signed minutes (restored from a backup?). "
                "Restore the newest copy from backups/ (saved when the minutes were signed); "
                "nothing was changed"
            )


def _render_signed(
    workspace: Workspace,
    panel: PanelConfig,
    stored: Any,
    signature: dict[str, Any],
    stage: Path,
    limited: list[frozenset[str]],
) -> dict[str, Path]:
    meeting = stored.record.meeting
    version = stored.version
    out = workspace.meeting_output(meeting)
    made: dict[str, Path] = {}
    minutes_docx = stage / workspace.signed_minutes(meeting, version, ".docx").relative_to(out)
    made["minutes"] = render_docx(
        workspace.template(MINUTES_TEMPLATE),
        minutes_context(
            workspace,
            panel,
            stored.record.model_dump(mode="python"),
            version=version,
            signed=signature,
            changes=stored.changes,
        ),
        minutes_docx,
        labels=LABELS,
    )
    for number, hidden in enumerate(limited, start=1):
        # The version a member outside a restricted case's agencies receives: signed and
        # verifiable like the full minutes, the restricted cases absent (not blacked out).
        made[f"limited {number}"] = render_docx(
            workspace.template(MINUTES_TEMPLATE),
            minutes_context(
                workspace,
                panel,
                stored.record.model_dump(mode="python"),
                version=version,
                signed=signature,
                changes=stored.changes,
                restricted=sorted(hidden),
            ),
            minutes_docx.with_name(f"{minutes_docx.stem}{LIMITED}{number}.docx"),
            labels=LABELS,
        )
    for case in stored.record.cases:
        target = stage / workspace.extract(meeting, case.case_id, version).relative_to(out)
        made[f"extract {case.case_id}"] = render_docx(
            workspace.template(EXTRACT_TEMPLATE),
            extract_context(
                workspace, panel, stored.record, case, version=version, signed=signature
            ),
            target,
            labels=LABELS,
        )
    title = f"Minutes of the {panel.name}, {uk_date(meeting)} (version {version})"
    wholes = [made["minutes"], *(made[f"limited {n}"] for n in range(1, len(limited) + 1))]
    pdfs = convert(wholes, minutes_docx.parent, pdfa=True, title=title)
    made["minutes PDF"] = pdfs[0]
    for number, path in enumerate(pdfs[1:], start=1):
        made[f"limited PDF {number}"] = path
    extracts = [path for name, path in made.items() if name.startswith("extract ")]
    if extracts:
        pdfs = convert(extracts, extracts[0].parent, pdfa=True)
        for path in pdfs:
            made[f"extract PDF {path.name.split('-minutes-')[0]}"] = path
    return made


def _record_signature(
    register: Any,
    workspace: Workspace,
    meeting: date,
    version: int,
    signer: str,
    role: str,
    signed_on: date,
    made: dict[str, Path],
    stage: Path,
    hashes: dict[str, str],
    limited: list[frozenset[str]],
) -> None:
    """One Signatures row per signed file (a limited version names the cases it leaves
    out); earlier versions marked superseded."""
    out = workspace.meeting_output(meeting)
    for row in register.find("Signatures", meeting=meeting):
        earlier = isinstance(row.get("version"), int) and row["version"] < version
        if earlier and not row.get("superseded_by"):
            row["superseded_by"] = version
    for name, path in made.items():
        final = out / path.relative_to(stage)
        register.append(
            "Signatures",
            {
                "meeting": meeting,
                "version": version,
                "file": workspace.relative(final),
                "sha256": hashes[name],
                "signed_by": signer,
                "role": role,
                "signed_on": signed_on,
                "leaves_out": _leaves_out(name, limited),
            },
        )
    row = meeting_row(register, meeting)
    if row is None:
        row = register.append("Meetings", {"meeting": meeting})
    row["status"] = "signed"
    register.audit(
        command="minutes sign",
        action=f"signed minutes version {version}",
        target=meeting.isoformat(),
        detail=f"by {signer} ({role}); {len(made)} file(s)",
    )


def _leaves_out(name: str, limited: list[frozenset[str]]) -> str | None:
    if not name.startswith("limited "):
        return None
    return join_ids(limited[int(name.rsplit(" ", 1)[1]) - 1])


def limited_minutes(
    panel: PanelConfig, case_ids: list[str], known: dict[str, Restriction]
) -> list[frozenset[str]]:
    """The limited versions a meeting's minutes need: one per distinct set of cases that
    some member may not see (none when every member may see every case)."""
    found: list[frozenset[str]] = []
    for reader in panel_readers(panel):
        hidden = frozenset(hidden_cases(reader, case_ids, known))
        if hidden and hidden not in found:
            found.append(hidden)
    return sorted(found, key=lambda hidden: (len(hidden), sorted(hidden)))


def _extract_emails(
    workspace: Workspace,
    panel: PanelConfig,
    record: MinutesRecord,
    made: dict[str, Path],
    stage: Path,
    known: dict[str, Restriction],
) -> tuple[list[Release], list[str]]:
    """A draft to each child's key worker with their signed extract (PDF), copied to the
    IRO and the accountable manager (ToR 13.iv, 14); built before the register commit.

    A restricted case's extract goes only to those its restriction allows (each judged by
    the agency they act for); anyone left out is named for the administrator. One
    Disclosures row per person sent an extract."""
    releases: list[Release] = []
    warnings: list[str] = []
    out = workspace.meeting_output(record.meeting)
    for case in record.cases:
        pdf = made.get(f"extract PDF {case.case_id}") or made[f"extract {case.case_id}"]
        referral = load_case(workspace, case.case_id).referral
        worker = referral.key_worker()

        def allowed(name: str, agency: str, case_id: str = case.case_id) -> bool:
            reader = reader_named(panel, name, agency)
            if hidden_from(reader, known.get(case_id)):
                warnings.append(
                    f"{case_id}: the extract is not sent to {name} ({reader.agency}): the case "
                    "is restricted to named agencies; send it by hand only if they may see it"
                )
                return False
            return True

        if not worker.email:
            warnings.append(
                f"{case.case_id}: no e-mail draft for the key worker {worker.name} "
                f"({worker.agency}): the referral gives no address; ask the referrer, "
                f"{referral.referrer.name} ({referral.referrer.email}), and send the "
                "signed extract by hand"
            )
            continue
        if not allowed(worker.name, worker.agency):
            continue
        body = (
            f"Dear {worker.name},\n\n"
            f"Attached is the extract from the signed minutes of the {panel.name} on "
            f"{uk_date(record.meeting)} for case {case.case_id}, for the child's record "
            "and the core group. Please make sure the actions are brought back to the "
            "core group and the child's plan is revised to reflect them.\n\n"
            f"It is {panel.protective_marking}: store it only on the child's record.\n\n"
            f"{panel.administrator.name}\n{panel.administrator.role}\n"
        )
        # ToR 14: the IRO is told, so the child's plan is revised; the accountable manager
        # is copied. Someone named without an address is listed for the administrator.
        to = [(worker.name, worker.email, worker.agency)]
        iro = referral.iro
        # The IRO reviews the child's plan for the council: judged as the key worker's agency.
        if iro is not None and iro.email:
            if allowed(iro.name, worker.agency):
                to.append((iro.name, iro.email, worker.agency))
        elif iro is not None:
            warnings.append(
                f"{case.case_id}: the IRO {iro.name} has no e-mail address in the referral; "
                f"send them the signed extract by hand (ask {worker.name})"
            )
        manager = case.accountable_manager
        cc = []
        if manager.email:
            if allowed(manager.name, manager.agency):
                cc = [(manager.name, manager.email, manager.agency)]
        else:
            warnings.append(
                f"{case.case_id}: the accountable manager {manager.name} ({manager.agency}) "
                "has no e-mail address in the minutes; copy the extract to them by hand"
            )
        write_draft(
            pdf.parent / f"{case.case_id}-to-key-worker.eml",
            sender=panel.administrator,
            to=[(name, address) for name, address, _ in to],
            cc=[(name, address) for name, address, _ in cc],
            subject=f"{panel.protective_marking}: {panel.name}: minutes extract for "
            f"{case.case_id}, {uk_date(record.meeting)}",
            body=body,
            attachment=pdf,
        )
        digest = sha256_of(pdf)
        final = workspace.relative(out / pdf.relative_to(stage))
        releases += [
            Release(name, agency, (case.case_id,), final, digest, EXTRACT)
            for name, _, agency in [*to, *cc]
        ]
    return releases, warnings


# --- verify --------------------------------------------------------------------------------


def verify_document(workspace: Workspace, path: Path) -> Verification:
    """Is this file exactly a signed document the register records?"""
    workspace.require()
    path = Path(path)
    if not path.is_file():
        raise FileUnreadable(f"{path}: no such file")
    digest = sha256_of(path)
    register = Register.load(workspace.register_file)
    rows = [
        {
            "meeting": row.get("meeting"),
            "version": row.get("version"),
            "file": row.get("file"),
            "sha256": str(row.get("sha256") or "").lower(),
            "signed_by": row.get("signed_by"),
            "signed_on": row.get("signed_on"),
            "superseded_by": row.get("superseded_by"),
            "leaves_out": row.get("leaves_out"),
        }
        for row in register.rows("Signatures")
    ]
    if _LEGACY_HASH_HEADER in register.keys("Meetings"):
        for row in register.rows("Meetings"):
            if legacy_hash(row):
                rows.append(
                    {
                        "meeting": row.get("meeting"),
                        "version": row.get("version"),
                        "file": row.get("Minutes file"),
                        "sha256": legacy_hash(row),
                        "signed_by": row.get("Signed by"),
                        "signed_on": row.get("Signed on"),
                        "superseded_by": None,
                    }
                )
    copies = copies_of(register, digest)
    for row in rows:
        if row["sha256"] != digest:
            continue
        meeting, version = row["meeting"], row["version"]
        when = uk_date_as_typed(meeting)
        signed_on = uk_date_as_typed(row["signed_on"])
        limited = (
            f" (the version without the restricted case(s) {row['leaves_out']})"
            if row.get("leaves_out")
            else ""
        )
        message = (
            f"{path.name}: VERIFIED: {row['file']}, minutes of the {when} meeting, "
            f"version {version}{limited}, signed by {row['signed_by']} on {signed_on}"
        )
        message += whose_copy(copies)
        newer = [
            other["version"]
            for other in rows
            if other["meeting"] == meeting
            and isinstance(other["version"], int)
            and isinstance(version, int)
            and other["version"] > version
        ]
        if row["superseded_by"] or newer:
            latest = max([*newer, row["superseded_by"] or 0])
            message += f"; superseded: a newer version ({latest}) exists"
        return Verification(True, message)
    if copies:
        # Not signed minutes, but a document the panel released: say whose copy it is.
        released = copies[0]["file"]
        return Verification(
            True, f"{path.name}: VERIFIED: {released}, as released{whose_copy(copies)}"
        )
    message = (
        f"{path.name}: NOT VERIFIED: it is not a signed document the register knows "
        f"(SHA-256 {digest[:16]}...); it may have been changed since signing"
    )
    named = _SIGNED_NAME.search(path.name)
    if named:
        meeting = date.fromisoformat(named.group(1))
        version = int(named.group(2))
        known = [r for r in rows if r["meeting"] == meeting and r["version"] == version]
        if not known:
            message += (
                f"; the register has no signature at all for version {version} of the "
                f"{uk_date(meeting)} minutes: if they were signed, register.xlsx is older "
                "than the signed files (restored from a backup?): restore the newest copy "
                "from backups/"
            )
    return Verification(False, message)
