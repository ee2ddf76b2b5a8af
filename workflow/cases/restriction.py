"""`ccp case restrict`: name the agencies that may see a case, or lift the restriction."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workflow.cases.access import join_agencies, panel_agencies, plain, split_agencies
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
        change.commit()
    return Restricted(case_id, () if lift else chosen, reason, [workspace.register_file])


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
