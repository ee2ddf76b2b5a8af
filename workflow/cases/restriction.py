"""`ccp case restrict`: name the agencies that may see a case, or lift the restriction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from workflow.cases.access import (
    Restriction,
    always_readers,
    join_agencies,
    panel_agencies,
    plain,
    split_agencies,
)
from workflow.cases.disclosures import disclosures_of
from workflow.core.dates import as_date, uk_date
from workflow.core.errors import CaseNotFound, OptionsConflict, RestrictionRejected
from workflow.workspace.paths import Workspace
from workflow.workspace.transaction import transaction

COMMAND = "case restrict"


@dataclass
class Restricted:
    case_id: str
    agencies: tuple[str, ...]  # empty once lifted
    reason: str = ""
    written: list[Path] = field(default_factory=list)
    # Documents holding the case already released to people the restriction now leaves
    # out: the restriction cannot call them back, so the administrator is told whom to ask.
    already_sent: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.agencies:
            return f"{self.case_id}: restriction lifted; every member's papers hold the case again"
        return (
            f"{self.case_id}: restricted to {', '.join(self.agencies)} (and the chair, deputy "
            "and administrator); other members' papers leave it out"
        )


def restrict_case(
    workspace: Workspace,
    case_id: str,
    agencies: list[str],
    *,
    reason: str | None = None,
    lift: bool = False,
) -> Restricted:
    """Record in the Cases sheet who may see the case (or, with ``lift``, everyone again)."""
    workspace.require()
    if lift and (agencies or reason):
        raise OptionsConflict("--lift: give no --agency or --reason with it")
    if not lift and not agencies:
        raise OptionsConflict(
            "--agency: name at least one agency that may see the case (or --lift)"
        )
    chosen = _known_agencies(workspace, agencies)
    reason = " ".join((reason or "").split())
    with transaction(workspace, COMMAND) as change:
        register = change.register
        rows = register.select("Cases", "case_id", [case_id.strip()])
        if not rows:
            raise CaseNotFound(f"{case_id}: no such case in the register; nothing was changed")
        row = rows[0]
        before = split_agencies(row.get("restricted_to"))
        if lift:
            if not before:
                raise RestrictionRejected(f"{case_id}: the case is not restricted; nothing to lift")
            row["restricted_to"] = None
            row["restriction_reason"] = None
            register.audit(
                command=COMMAND,
                action="lifted the restriction",
                target=case_id,
                detail=f"was restricted to {join_agencies(before)}",
            )
        else:
            row["restricted_to"] = join_agencies(chosen)
            row["restriction_reason"] = reason or None
            was = f"; was {join_agencies(before)}" if before else ""
            register.audit(
                command=COMMAND,
                action="restricted the case",
                target=case_id,
                detail=f"to {join_agencies(chosen)}" + (f": {reason}" if reason else "") + was,
            )
        sent = [] if lift else _sent_outside(workspace, register, case_id, chosen)
        change.commit()
    return Restricted(
        case_id, () if lift else chosen, reason, [workspace.register_file], already_sent=sent
    )


def _sent_outside(
    workspace: Workspace, register: object, case_id: str, agencies: tuple[str, ...]
) -> list[str]:
    """Whom the Disclosures sheet shows was sent ``case_id`` and the restriction now
    leaves out: one line per person, with how many documents and when."""
    restriction = Restriction(case_id, agencies)
    always = always_readers(workspace.panel)
    sent: dict[tuple[str, str], list[date]] = {}
    for row in disclosures_of(register):
        if case_id not in row["case_ids"] or plain(row["recipient"]) in always:
            continue
        if restriction.allows(row["agency"]):
            continue
        day = as_date(row["date"]) or _iso(row["date"])
        sent.setdefault((row["recipient"], row["agency"]), []).extend([day] if day else [])
    lines = []
    for (recipient, agency), days in sent.items():
        count = len(days) or 1
        documents = "1 document" if count == 1 else f"{count} documents"
        when = ""
        if days:
            first, last = min(days), max(days)
            when = (
                f" on {uk_date(first)}"
                if first == last
                else (f" from {uk_date(first)} to {uk_date(last)}")
            )
        lines.append(
            f"{case_id} was already sent to {recipient} ({agency or 'no agency'}): {documents}"
            f"{when}; ask them to delete {'it' if count == 1 else 'them'} "
            f'(ccp disclosures --case {case_id} --recipient "{recipient}" lists them)'
        )
    return lines


def _known_agencies(workspace: Workspace, agencies: list[str]) -> tuple[str, ...]:
    """Each --agency as panel.yaml spells it; an agency it does not name is refused."""
    known = {plain(name): name for name in panel_agencies(workspace.panel)}
    chosen: list[str] = []
    for agency in agencies:
        spelt = known.get(plain(agency))
        if spelt is None:
            raise RestrictionRejected(
                f"--agency: {agency!r} is not an agency in panel.yaml (known: "
                f"{', '.join(known.values())}); nothing was changed"
            )
        if spelt not in chosen:
            chosen.append(spelt)
    return tuple(chosen)


def _iso(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
