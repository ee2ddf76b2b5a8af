"""`ccp actions remind`: an e-mail draft per action owner, and a summary for the administrator."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from workflow.cases.access import hidden_from, reader_named, restrictions
from workflow.cases.actions import ActionItem, list_actions
from workflow.cases.disclosures import Release, disclosures_of, record_releases, sha256_file
from workflow.cases.store import load_case
from workflow.contract import PanelConfig
from workflow.contract.terms import OPEN_ACTION_STATUSES, REMINDER
from workflow.core.dates import today, uk_date
from workflow.core.errors import ActionRejected, CaseNotFound
from workflow.core.files import make_dirs, publish_dir, write_text
from workflow.documents.mail import slug, write_draft
from workflow.register import Register
from workflow.workspace.paths import Workspace
from workflow.workspace.transaction import transaction

DEFAULT_DAYS = 14
STRATEGIC = "Strategic items"


@dataclass
class Contact:
    name: str
    email: str
    role: str = ""
    agency: str = ""

    def describe(self) -> str:
        about = ", ".join(part for part in (self.role, self.agency) if part)
        shown = f"{self.name} ({about})" if about else self.name
        return f"{shown}, {self.email}" if self.email else shown


@dataclass
class OwnerActions:
    owner: str
    items: list[ActionItem]
    email: str = ""
    ask: Contact | None = None  # who can pass it on, when the owner has no address

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)


@dataclass
class Reminders:
    as_of: date
    until: date
    owners: list[OwnerActions]
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def without_email(self) -> list[OwnerActions]:
        return [owner for owner in self.owners if not owner.email]


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


class _Directory:
    """E-mail addresses by name: panel.yaml first, then the people named in a case's referral."""

    def __init__(self, workspace: Workspace, panel: PanelConfig):
        self.workspace = workspace
        self.panel = panel
        self.people = [panel.chair, panel.deputy, panel.administrator, *panel.members]
        self._cases: dict[str, list[Contact]] = {}

    def case_people(self, case_id: str) -> list[Contact]:
        if case_id not in self._cases:
            try:
                referral = load_case(self.workspace, case_id).referral
            except CaseNotFound:
                self._cases[case_id] = []
                return []
            found = [
                Contact(p.name, p.email or "", p.role, p.agency) for p in referral.professionals
            ]
            found.append(
                Contact(
                    referral.referrer.name,
                    referral.referrer.email,
                    referral.referrer.role,
                    referral.referrer.agency,
                )
            )
            worker = referral.key_social_worker
            found.append(Contact(worker.name, worker.email or "", "Key social worker"))
            self._cases[case_id] = found
        return self._cases[case_id]

    def email(self, name: str, case_ids: list[str]) -> str:
        wanted = _key(name)
        for person in self.people:
            if _key(person.name) == wanted and person.email:
                return person.email
        for case_id in case_ids:
            for person in self.case_people(case_id):
                if _key(person.name) == wanted and person.email:
                    return person.email
        return ""

    def ask(self, items: list[ActionItem]) -> Contact:
        """Who can pass a reminder on: the panel member for the action's agency, else the
        case's key worker, else the chair."""
        agencies = {_key(str(item.row.get("agency") or "")) for item in items}
        for person in self.panel.members + [self.panel.chair, self.panel.deputy]:
            if _key(person.agency) in agencies:
                return Contact(person.name, person.email or "", person.role, person.agency)
        for item in items:
            case_id = str(item.row.get("case_id") or "")
            worker = next(
                (p for p in self.case_people(case_id) if p.role == "Key social worker"), None
            )
            if worker is not None:
                return worker
        chair = self.panel.chair
        return Contact(chair.name, chair.email or "", chair.role, chair.agency)


def due_reminders(workspace: Workspace, register: Any, *, as_of: date, days: int) -> Reminders:
    """Open actions due within ``days`` of ``as_of`` or overdue, grouped by owner."""
    if days < 0:
        raise ActionRejected(f"--days: must be 0 or more, not {days}")
    until = as_of + timedelta(days=days)
    listing = list_actions(register, as_of=as_of, file=workspace.register_file.name)
    chosen = [
        item
        for item in listing.items
        if item.status in OPEN_ACTION_STATUSES and item.due is not None and item.due <= until
    ]
    by_owner: dict[str, OwnerActions] = {}
    warnings = list(listing.warnings)
    for item in chosen:
        owner = " ".join(str(item.row.get("owner") or "").split())
        if not owner:
            warnings.append(f"{item.action_id}: no owner in the register, so no reminder")
            continue
        group = by_owner.setdefault(_key(owner), OwnerActions(owner, []))
        group.items.append(item)
    _leave_out_restricted(workspace.panel, register, by_owner, warnings)
    directory = _Directory(workspace, workspace.panel)
    owners = sorted(by_owner.values(), key=lambda group: _key(group.owner))
    for group in owners:
        case_ids = list(dict.fromkeys(str(i.row.get("case_id") or "") for i in group.items))
        group.email = directory.email(group.owner, [c for c in case_ids if c])
        if not group.email:
            group.ask = directory.ask(group.items)
    return Reminders(as_of, until, owners, warnings=warnings)


def _leave_out_restricted(
    panel: PanelConfig, register: Any, by_owner: dict[str, OwnerActions], warnings: list[str]
) -> None:
    """Need to know: an owner outside a restricted case's agencies (a panel member by their
    own agency, anyone else by the action's) is not reminded of its actions; the
    administrator's summary says so."""
    known = restrictions(register)
    if not known:
        return
    for key, group in list(by_owner.items()):
        kept = []
        for item in group.items:
            case_id = str(item.row.get("case_id") or "")
            reader = reader_named(panel, group.owner, str(item.row.get("agency") or ""))
            if hidden_from(reader, known.get(case_id)):
                warnings.append(
                    f"{item.action_id}: not in {group.owner}'s reminder: {case_id} is restricted "
                    "to named agencies; remind them by hand only if they may see it"
                )
            else:
                kept.append(item)
        group.items = kept
        if not kept:
            del by_owner[key]


def _by_case(items: list[ActionItem]) -> dict[str, list[ActionItem]]:
    grouped: dict[str, list[ActionItem]] = {}
    for item in items:
        grouped.setdefault(str(item.row.get("case_id") or "") or STRATEGIC, []).append(item)
    return dict(sorted(grouped.items(), key=lambda pair: (pair[0] == STRATEGIC, pair[0])))


def _action_lines(item: ActionItem) -> list[str]:
    description = " ".join(str(item.row.get("action") or "").split())
    when = f"Due {uk_date(item.due)}"
    if item.overdue:
        days = item.days_overdue
        when += f": OVERDUE by {days} day{'' if days == 1 else 's'}"
    return [f"  - {item.action_id}: {description}", f"    {when} (status: {item.status})"]


def owner_body(panel: PanelConfig, reminders: Reminders, owner: OwnerActions) -> str:
    due_soon = len(owner.items) - owner.overdue
    lines = [
        f"Dear {owner.owner},",
        "",
        f"These actions agreed by the {panel.name} are yours and are still open "
        f"({owner.overdue} overdue, {due_soon} due by {uk_date(reminders.until)}):",
        "",
    ]
    for case_id, items in _by_case(owner.items).items():
        lines.append(case_id if case_id == STRATEGIC else f"Case {case_id}")
        for item in items:
            lines += _action_lines(item)
        lines.append("")
    lines += [
        "Please reply with the progress on each, the date it was completed, or why it "
        "cannot be done, so the register is right for the next panel.",
        "",
        f"These details are {panel.protective_marking}: keep them on secure systems only.",
        "",
        panel.administrator.name,
        panel.administrator.role,
    ]
    return "\n".join(lines) + "\n"


def summary_body(panel: PanelConfig, reminders: Reminders) -> str:
    total = sum(len(owner.items) for owner in reminders.owners)
    overdue = sum(owner.overdue for owner in reminders.owners)
    lines = [
        f"Action reminders of {uk_date(reminders.as_of)} ({panel.name})",
        "",
        f"{total} open action{'' if total == 1 else 's'} due by {uk_date(reminders.until)} "
        f"or overdue ({overdue} overdue), for {len(reminders.owners)} owner"
        f"{'' if len(reminders.owners) == 1 else 's'}.",
        "",
    ]
    drafted = [owner for owner in reminders.owners if owner.email]
    if drafted:
        lines.append("Reminders drafted:")
        for owner in drafted:
            lines.append(
                f"  - {owner.owner} <{owner.email}>: {len(owner.items)} action(s), "
                f"{owner.overdue} overdue"
            )
        lines.append("")
    if reminders.without_email:
        lines.append("No e-mail address known, so no reminder drafted: please ask")
        for owner in reminders.without_email:
            ids = ", ".join(item.action_id for item in owner.items)
            ask = owner.ask.describe() if owner.ask else "the chair"
            lines.append(f"  - {owner.owner} ({ids}): ask {ask}")
        lines.append("")
    if overdue:
        lines.append("Overdue actions, by case:")
        items = [item for owner in reminders.owners for item in owner.items if item.overdue]
        for case_id, case_items in _by_case(items).items():
            lines.append(f"  {case_id}")
            for item in case_items:
                owner = " ".join(str(item.row.get("owner") or "").split())
                lines.append(
                    f"    - {item.action_id} ({owner}): due {uk_date(item.due)}, "
                    f"{item.days_overdue} day(s) overdue"
                )
        lines.append("")
    if reminders.warnings:
        lines.append("Rows of the register the reminders could not read:")
        lines += [f"  - {warning}" for warning in reminders.warnings]
        lines.append("")
    lines.append(f"These details are {panel.protective_marking}.")
    return "\n".join(lines) + "\n"


def _release(
    workspace: Workspace, panel: PanelConfig, owner: OwnerActions, draft: Path, final: Path
) -> Release:
    first = owner.items[0].row
    reader = reader_named(panel, owner.owner, str(first.get("agency") or ""))
    cases = dict.fromkeys(str(item.row.get("case_id") or "") for item in owner.items)
    return Release(
        recipient=owner.owner,
        agency=reader.agency,
        case_ids=tuple(case_id for case_id in cases if case_id),
        file=workspace.relative(final),
        sha256=sha256_file(draft),
        purpose=REMINDER,
    )


def _stage(target: Path) -> Path:
    return target.with_name(f".{target.name}.stage")


def roll_forward_reminders(workspace: Workspace, register: Any) -> list[Path]:
    """Finish or discard drafts a kill left staged: published when the register's
    Disclosures rows vouch for them (the commit happened), else removed."""
    folder = workspace.output_dir / "reminders"
    if not folder.is_dir():
        return []
    vouched = {row["sha256"] for row in disclosures_of(register)}
    published = []
    for staged in sorted(folder.glob(".*.stage")):
        drafts = [path for path in staged.glob("*.eml") if path.is_file()]
        target = folder / staged.name[1 : -len(".stage")]
        if any(sha256_file(path) in vouched for path in drafts):
            published.append(publish_dir(staged, target))
        else:
            shutil.rmtree(staged, ignore_errors=True)
    return published


def draft_reminders(
    workspace: Workspace, *, as_of: date | None = None, days: int = DEFAULT_DAYS
) -> Reminders:
    """Write output/reminders/<DATE>/: a draft per owner with an address, and a summary."""
    workspace.require()
    as_of = as_of or today()
    panel = workspace.panel
    register = Register.load(workspace.register_file, ["Cases", "Actions"])
    reminders = due_reminders(workspace, register, as_of=as_of, days=days)
    target = workspace.output_dir / "reminders" / as_of.isoformat()
    subject_base = f"{panel.protective_marking}: {panel.name}"
    roll_forward_reminders(workspace, register)
    staged = _stage(target)
    shutil.rmtree(staged, ignore_errors=True)
    make_dirs(staged)
    committed = False
    try:
        names = []
        releases: list[Release] = []
        admin = panel.administrator
        summary = summary_body(panel, reminders)
        if admin.email:
            names.append("00-summary.eml")
            write_draft(
                staged / names[-1],
                sender=admin,
                to=(admin.name, admin.email),
                subject=f"{subject_base}: action reminders of {uk_date(as_of)}",
                body=summary,
            )
        else:  # no address to draft to: the administrator reads it as a file
            names.append("00-summary.txt")
            write_text(staged / names[-1], summary)
        number = 0
        for owner in reminders.owners:
            if not owner.email:
                continue
            number += 1
            names.append(f"{number:02d}-{slug(owner.owner)}.eml")
            draft = write_draft(
                staged / names[-1],
                sender=admin,
                to=(owner.owner, owner.email),
                subject=f"{subject_base}: your panel actions due or overdue, {uk_date(as_of)}",
                body=owner_body(panel, reminders, owner),
            )
            releases.append(_release(workspace, panel, owner, draft, target / names[-1]))
        # The register records who was sent what, then the drafts are put in place.
        with transaction(workspace, "actions remind") as change:
            record_releases(change.register, workspace, releases, when=as_of)
            change.register.audit(
                command="actions remind",
                action="drafted action reminders",
                target=as_of.isoformat(),
                detail=f"{len(releases)} reminder(s)",
            )
            change.commit()
        committed = True
        publish_dir(staged, target)
    except BaseException:
        if not committed:  # after the commit, the next `actions remind` publishes them
            shutil.rmtree(staged, ignore_errors=True)
        raise
    reminders.written = [target / name for name in names]
    return reminders
