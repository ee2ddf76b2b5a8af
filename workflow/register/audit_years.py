"""A yearly Audit: one tab of changes per year, so that a command rewrites only this year's.

Every change ccp makes is one Audit row, and every saving command rewrites the Audit's part:
after ten busy years that is 77 MB of XML a command rewrites to add one row. At the year's
first writing command the Audit tab is renamed "Audit to <last year>" (no row is read, moved
or rewritten: its filters, colours and comments stay as they were) and a new, empty Audit
tab starts at the end; a renamed tab is never written again (but to erase a disposed
child's name). Formulas and workbook-wide names that say ``Audit`` go on meaning the current
year's tab, as the tab of that name.

Readers that want every change (a subject access export, a case's history, the case numbers
ever used, a meeting's recording) read every Audit tab: ``audit_sheets``.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from workflow.register.found import dated_by
from workflow.register.schema import AUDIT_ARCHIVE, audit_archive

if TYPE_CHECKING:
    from workflow.register import Register


def audit_sheets(register: Register, *, since: int | None = None) -> list[str]:
    """This year's tab, "Audit", then past years' tabs, newest first; with ``since``, only
    the tabs that can hold rows written in that year or later."""
    years = sorted(
        (
            int(match.group(1))
            for name in register.sheet_names()
            if (match := AUDIT_ARCHIVE.fullmatch(name))
        ),
        reverse=True,
    )
    return ["Audit"] + [audit_archive(year) for year in years if since is None or year >= since]


def start_audit_year(register: Register, today: date) -> str | None:
    """At the first writing command of a year, the Audit tab (past years' rows only) is
    renamed "Audit to <last year>"; returns that name, or None when the Audit holds a row of
    this year (a register ccp began to keep by the year part-way through one starts the
    next) or nothing dated. A tab named for a year holds no row of a later year."""
    archive = audit_archive(today.year - 1)
    if not register.has_sheet("Audit") or register.has_sheet(archive):
        return None
    latest = register.latest_date("Audit", "when")
    if latest is None or latest.year >= today.year:
        return None
    register.archive_sheet("Audit", archive)
    register.audit(
        command="register",
        action="started the year's audit",
        target="Audit",
        detail=(
            f"the changes up to the end of {today.year - 1} are on sheet '{archive}', "
            f"kept as they were; this sheet records those from {today.year}"
        ),
    )
    return archive


def select_audit(
    register: Register, key: str, values: Iterable[str], *, since: int | None = None
) -> list[dict[str, Any]]:
    """``Register.select`` over every Audit tab (``since``: those that can hold rows of that
    year or later): this year's rows first, then each past year's, newest first."""
    wanted = list(values)
    return [
        row
        for sheet in audit_sheets(register, since=since)
        for row in register.select(sheet, key, wanted)
    ]


def latest_audit(register: Register, count: int) -> list[dict[str, Any]]:
    """The ``count`` latest Audit rows, latest first: this year's tab, topped up from past
    years' tabs (newest first) when it holds fewer."""
    found: list[dict[str, Any]] = []
    for sheet in audit_sheets(register):
        if len(found) >= count:
            break
        found += register.latest(sheet, "when", count)
    return heapq.nlargest(count, found, key=dated_by("when"))
