"""Each member's view of a meeting's papers: the cases they may see, and nothing else.

A restricted case (the Cases sheet's "Restricted to") is left out entirely of the pack a
member outside its agencies receives: not blacked out but absent, so their agenda, contents
page and page numbers are their own. Members who may see the same cases share one view, so
a meeting has as many packs as there are distinct sets of visible cases (usually one).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from workflow.cases.access import Reader, hidden_cases, panel_readers, restrictions
from workflow.core.errors import CcpError
from workflow.meetings.agenda import Agenda
from workflow.meetings.records import current_record
from workflow.workspace.paths import Workspace


@dataclass
class PackView:
    """One version of the pack: the cases it leaves out and who receives it."""

    number: int  # 0: the full pack; 1, 2, ...: limited packs
    hidden: frozenset[str]
    readers: list[Reader] = field(default_factory=list)
    agenda: Agenda | None = None

    @property
    def limited(self) -> bool:
        return bool(self.hidden)

    def suffix(self) -> str:
        return f"-limited-{self.number}" if self.number else ""

    def stem(self, meeting: date) -> str:
        return f"pack-{meeting.isoformat()}{self.suffix()}"


@dataclass(frozen=True)
class SignedVersion:
    """A signed Word minutes file of a meeting, and the restricted cases it leaves out."""

    version: int
    path: Path
    leaves_out: frozenset[str]


def split_ids(cell: Any) -> frozenset[str]:
    text = str(cell or "").replace("\n", ";").replace(",", ";")
    return frozenset(part.strip() for part in text.split(";") if part.strip())


def join_ids(case_ids: Any) -> str:
    return "; ".join(sorted(case_ids))


def signed_versions(workspace: Workspace, register: Any, meeting: date) -> list[SignedVersion]:
    """The signed Word minutes of a meeting (full and limited), newest version first."""
    found = []
    for row in register.find("Signatures", meeting=meeting):
        name = str(row.get("file") or "")
        version = row.get("version")
        if not name.endswith(".docx") or "-minutes-extract-" in name:
            continue
        if not isinstance(version, int):
            continue
        path = workspace.root / name
        if path.is_file():
            found.append(SignedVersion(version, path, split_ids(row.get("leaves_out"))))
    return sorted(found, key=lambda entry: -entry.version)


def minutes_for(versions: list[SignedVersion], hidden: frozenset[str]) -> Path | None:
    """The newest signed minutes a reader hiding ``hidden`` may receive: the version that
    leaves out exactly those cases, else the one leaving out fewest beyond them; None when
    every signed version holds a case hidden from them."""
    if not versions:
        return None
    newest = versions[0].version
    fitting = [
        entry for entry in versions if entry.version == newest and hidden <= entry.leaves_out
    ]
    if not fitting:
        return None
    return min(fitting, key=lambda entry: (len(entry.leaves_out), str(entry.path))).path


def agenda_cases(agenda: Agenda, minutes_cases: list[str]) -> list[str]:
    """Every case a pack could hold: new referrals, reviews, the last minutes' cases."""
    ids = [item.case_id for item in agenda.new_referrals]
    ids += [review.case_id for review in agenda.progress_reviews]
    return list(dict.fromkeys([*ids, *minutes_cases]))


def pack_views(workspace: Workspace, register: Any, agenda: Agenda) -> list[PackView]:
    """The distinct views of this meeting's pack, the full one first, each with its readers
    and its own agenda (restricted cases left out, the right signed minutes)."""
    known = restrictions(register)
    readers = panel_readers(agenda.panel)
    if not known:
        return [PackView(0, frozenset(), readers, agenda)]
    previous_cases = _minutes_cases(workspace, register, agenda)
    versions = (
        signed_versions(workspace, register, agenda.previous)
        if agenda.previous and previous_cases is not None
        else []
    )
    case_ids = agenda_cases(agenda, previous_cases or [])
    views: dict[frozenset[str], PackView] = {frozenset(): PackView(0, frozenset())}
    for reader in readers:
        hidden = frozenset(hidden_cases(reader, case_ids, known))
        view = views.get(hidden)
        if view is None:
            view = views[hidden] = PackView(len(views), hidden)
        view.readers.append(reader)
    for view in views.values():
        minutes = (
            agenda.last_minutes
            if not view.hidden
            else minutes_for(versions, view.hidden & set(previous_cases or []))
        )
        view.agenda = limited_agenda(agenda, view.hidden, minutes)
    # The full pack is made even when every member's copy leaves something out: it is the
    # chair's, deputy's and office's, and the readiness check reads it.
    return list(views.values())


def _minutes_cases(workspace: Workspace, register: Any, agenda: Agenda) -> list[str] | None:
    """The cases of the previous meeting's minutes; None when they cannot be read (then a
    limited pack leaves the minutes out rather than risk a restricted case)."""
    if not agenda.previous or agenda.last_minutes is None:
        return []
    try:
        record = current_record(workspace, register, agenda.previous)
    except CcpError:
        return None
    return [case.case_id for case in record.cases] if record else []


def limited_agenda(agenda: Agenda, hidden: frozenset[str], minutes: Path | None) -> Agenda:
    """The agenda a reader hiding ``hidden`` receives."""
    if not hidden:
        return agenda
    return dataclasses.replace(
        agenda,
        new_referrals=[item for item in agenda.new_referrals if item.case_id not in hidden],
        progress_reviews=[r for r in agenda.progress_reviews if r.case_id not in hidden],
        last_minutes=minutes if agenda.last_minutes is not None else None,
        case_minutes={k: v for k, v in agenda.case_minutes.items() if k not in hidden},
    )


def restricted_context(agenda: Agenda, view: PackView) -> list[dict[str, str]]:
    """The agenda's notes of the cases this view leaves out: named, never described."""
    notes = [
        {"case_id": item.case_id, "kind": "new"}
        for item in agenda.new_referrals
        if item.case_id in view.hidden
    ]
    notes += [
        {"case_id": review.case_id, "kind": "review"}
        for review in agenda.progress_reviews
        if review.case_id in view.hidden
    ]
    return notes


def restricted_lines(agenda: Agenda, view: PackView) -> list[str]:
    return [
        f"Restricted case {note['case_id']}: papers to named agencies only"
        for note in restricted_context(agenda, view)
    ]


def visible_cases(view: PackView, minutes_cases: list[str]) -> list[str]:
    """The case IDs this view's pack holds (for the Disclosures row)."""
    assert view.agenda is not None
    held = [item.case_id for item in view.agenda.new_referrals]
    held += [review.case_id for review in view.agenda.progress_reviews]
    if view.agenda.last_minutes is not None:
        held += [case_id for case_id in minutes_cases if case_id not in view.hidden]
    return sorted(dict.fromkeys(held))


def minutes_cases(workspace: Workspace, register: Any, agenda: Agenda) -> list[str]:
    """The cases the pack's copy of the last minutes holds (for the Disclosures rows)."""
    found = _minutes_cases(workspace, register, agenda)
    return found if found is not None else []
