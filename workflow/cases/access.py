"""Need to know: which cases a person may see, from the Cases sheet's "Restricted to" column.

A case with no agencies in "Restricted to" is seen by every member. A restricted case is
seen by the members of the agencies named, and always by the chair, deputy and
administrator. The register is the one place this is written: every document ccp sends
asks ``hidden_from`` before it holds a case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from workflow.contract import PanelConfig

SEPARATOR = "; "


@dataclass(frozen=True)
class Restriction:
    """One restricted case: the agencies that may see it, and why."""

    case_id: str
    agencies: tuple[str, ...]
    reason: str = ""

    def allows(self, agency: str) -> bool:
        return plain(agency) in {plain(name) for name in self.agencies}


@dataclass(frozen=True)
class Reader:
    """Someone a document goes to: their agency, and whether they see every case."""

    name: str
    agency: str
    sees_all: bool = False
    email: str = ""
    role: str = ""


def plain(text: Any) -> str:
    """An agency or name compared as a person reads it: capitals and spacing ignored."""
    return " ".join(str(text or "").split()).casefold()


def split_agencies(cell: Any) -> tuple[str, ...]:
    """The agencies of a "Restricted to" cell as typed: ";" or a new line between them."""
    text = str(cell or "").replace("\n", ";")
    return tuple(dict.fromkeys(part.strip() for part in text.split(";") if part.strip()))


def join_agencies(agencies: Iterable[str]) -> str:
    return SEPARATOR.join(agencies)


def restrictions(register: Any) -> dict[str, Restriction]:
    """Every restricted case in the register, by case ID (a row typed by hand included)."""
    found: dict[str, Restriction] = {}
    for row in register.rows("Cases"):
        case_id = str(row.get("case_id") or "").strip()
        agencies = split_agencies(row.get("restricted_to"))
        if case_id and agencies:
            found[case_id] = Restriction(
                case_id, agencies, str(row.get("restriction_reason") or "").strip()
            )
    return found


def hidden_from(member: Reader, case: Restriction | None) -> bool:
    """Whether a case must be left out of what ``member`` receives."""
    if case is None or member.sees_all:
        return False
    return not case.allows(member.agency)


def hidden_cases(
    member: Reader, case_ids: Iterable[str], known: dict[str, Restriction]
) -> set[str]:
    """The cases among ``case_ids`` that ``member`` may not see."""
    return {case_id for case_id in case_ids if hidden_from(member, known.get(case_id))}


def always_readers(panel: PanelConfig) -> set[str]:
    """The names of the chair, deputy and administrator, compared plainly."""
    return {plain(person.name) for person in (panel.chair, panel.deputy, panel.administrator)}


def panel_readers(panel: PanelConfig) -> list[Reader]:
    """Everyone on the panel, once each (by e-mail, else name), chair and deputy first."""
    always = always_readers(panel)
    seen: set[str] = set()
    readers = []
    for person in (panel.chair, panel.deputy, *panel.members):
        key = plain(person.email or person.name)
        if key in seen:
            continue
        seen.add(key)
        sees_all = plain(person.name) in always
        readers.append(
            Reader(person.name, person.agency, sees_all, person.email or "", person.role)
        )
    return readers


def reader_named(panel: PanelConfig, name: str, agency: str) -> Reader:
    """A recipient by name: a panel member keeps their own agency; anyone else is of the
    agency they act for (an action's agency, a professional's agency)."""
    if plain(name) in always_readers(panel):
        return Reader(name, agency, True)
    for person in panel.members:
        if plain(person.name) == plain(name):
            return Reader(person.name, person.agency, False, person.email or "")
    return Reader(name, agency)


def panel_agencies(panel: PanelConfig) -> list[str]:
    """The agencies panel.yaml names, once each, as first written."""
    found: dict[str, str] = {}
    for person in (panel.chair, panel.deputy, panel.administrator, *panel.members):
        found.setdefault(plain(person.agency), person.agency)
    return sorted(found.values(), key=plain)
