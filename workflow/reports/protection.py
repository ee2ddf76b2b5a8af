"""Complementary suppression: hide enough other figures that no small one can be worked out.

Audit and repair. Every published table is a set of linear relations (`intervals`): a
total and its parts, a row identity (agreed = completed + open + overdue + cancelled), a
figure that must equal or not exceed one in another table. For each hidden cell the
audit finds the least and greatest value a reader could give it from everything
published; a hidden cell with one possible value is exposed, and the repair hides one
more figure beside it (the smallest in a relation it shares, a total the report must show
only when nothing else will do) until none is exposed, nor any figure it hid. Hiding a
figure only widens what a reader can say, so every cell once safe stays safe and the
repair ends. Where only small
figures and zeros surround one, "fewer than N" alone can pin it; then one of them is shown
as "not shown" instead, which says less.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Generic, TypeVar

from workflow.reports.counting import TOTAL
from workflow.reports.intervals import Interval, Relation, Unknown, feasible_intervals

if TYPE_CHECKING:
    from workflow.reports.suppression import Protected
    from workflow.reports.tables import Table

Key = TypeVar("Key", bound=Hashable)

NOT_SHOWN = "not shown"
# Said under each table that has such a figure (the report's notes say it once for all).
NOT_SHOWN_NOTE = (
    f"A figure \u201c{NOT_SHOWN}\u201d is hidden so that a small number cannot be worked "
    "out from the totals or from a related table."
)

# How many candidates are tried for each exposed cell before taking the first anyway.
TRIALS = 6


class ReaderView(Generic[Key]):
    """What a reader sees: published values, and for each hidden cell what it may hold."""

    def __init__(
        self,
        values: Mapping[Key, float],
        *,
        primary: set[Key],
        forced: set[Key],
        counts: set[Key],
        threshold: int,
    ) -> None:
        self.values = values
        self.primary = primary
        self.forced = forced
        self.counts = counts
        self.threshold = threshold
        self.complementary: set[Key] = set()
        self.relabelled: set[Key] = set()

    def unknown(self, extra: Key | None = None) -> dict[Key, Unknown]:
        cells: dict[Key, Unknown] = {}
        for key in self.primary - self.relabelled:
            # "fewer than N": 1 to N - 1, since zero is always shown.
            cells[key] = Unknown(1, self.threshold - 1, True)
        for key in self.relabelled:
            # A small count shown as "not shown" (below): all a reader knows is "not zero".
            cells[key] = Unknown(1, integer=True)
        for key in self.forced:
            cells.setdefault(key, Unknown(0, integer=key in self.counts))
        for key in {*self.complementary, *([extra] if extra is not None else [])}:
            # A count hidden to protect another is never small (that would be "fewer
            # than N") and never zero (a zero protects nothing): a reader knows it is
            # at least N.
            low = self.threshold if key in self.counts else 0
            cells.setdefault(key, Unknown(low, integer=key in self.counts))
        return cells

    def published(self, extra: Key | None = None) -> dict[Key, float]:
        hidden = self.primary | self.forced | self.complementary
        return {
            key: value for key, value in self.values.items() if key not in hidden and key != extra
        }

    def intervals(
        self, relations: list[Relation[Key]], only: Iterable[Key], extra: Key | None = None
    ) -> dict[Key, Interval]:
        return feasible_intervals(relations, self.published(extra), self.unknown(extra), only=only)


def complement(
    values: Mapping[Key, float],
    relations: Iterable[Relation[Key]],
    *,
    primary: set[Key],
    forced: set[Key],
    counts: set[Key],
    threshold: int,
    keep: Iterable[Key] = (),
) -> tuple[set[Key], set[Key]]:
    """The figures to hide besides ``primary`` (small counts) and ``forced`` cells so that
    no reader can recover any of those exactly, and the small counts to show as "not
    shown" rather than "fewer than N". ``keep`` names totals the report should show: they
    are hidden only when nothing else protects a cell.

    The second set is a last resort: where every figure beside a small one is itself small
    or zero, "fewer than N" alone can pin them (a total of fewer than 5 over four rows of
    fewer than 5 is 4 ones), and only saying less about one of them (the largest) helps.
    """
    relations = [relation for relation in relations if _holds(relation, values)]
    order = {key: index for index, key in enumerate(values)}
    keep = set(keep)
    view: ReaderView[Key] = ReaderView(
        values, primary=primary, forced=forced, counts=counts, threshold=threshold
    )
    protected = sorted(primary | forced, key=order.__getitem__)
    # Hiding a figure only widens every interval, so a cell safe once stays safe: each
    # exposed cell is repaired in turn and only it is checked again. A figure hidden for
    # another is then a target too: "not shown" that subtraction undoes (the one hidden
    # figure of a column whose total is shown) tells the reader it and more.
    pending = _exposed(view, relations, protected)
    while pending:
        target = pending.pop(0)
        before = set(view.complementary)
        while _exposed(view, relations, [target]):
            if target in view.complementary and not _candidates(
                target, view, relations, keep, order
            ):
                break  # a figure that is not small, with nothing left to hide beside it
            _repair(target, view, relations, keep, order)
        added = sorted(view.complementary - before, key=order.__getitem__)
        pending += _exposed(view, relations, added) if added else []
    return view.complementary, view.relabelled


def _repair(
    target: Key,
    view: ReaderView[Key],
    relations: list[Relation[Key]],
    keep: set[Key],
    order: dict[Key, int],
) -> None:
    """Hide one more figure for ``target``: the first candidate that frees it, else the
    first candidate; where there is none, say less about a small one."""
    candidates = _candidates(target, view, relations, keep, order)
    if not candidates:
        quieter = _say_less(target, view, relations, order)
        if quieter in view.relabelled:
            raise RuntimeError(f"no figure can protect {target!r}")  # a bug: see complement
        view.relabelled.add(quieter)
        return
    for candidate in candidates[:TRIALS]:
        if not view.intervals(relations, [target], extra=candidate)[target].exact:
            view.complementary.add(candidate)
            return
    view.complementary.add(candidates[0])


def _say_less(
    target: Key, view: ReaderView[Key], relations: list[Relation[Key]], order: dict[Key, int]
) -> Key:
    """The small count to show as "not shown" so that ``target`` is safe: of those joined
    to it, the first whose change frees it (beside it first, the largest first), else the
    largest, else ``target`` itself."""
    reach, near = _reach(target, view, relations)
    others = sorted(
        (key for key in reach if key in view.primary - view.relabelled and key != target),
        key=lambda key: (key not in near, -view.values[key], order[key]),
    )
    for key in others[:TRIALS]:
        view.relabelled.add(key)
        try:
            if not view.intervals(relations, [target])[target].exact:
                return key
        finally:
            view.relabelled.discard(key)
    return others[0] if others else target


def _reach(
    target: Key, view: ReaderView[Key], relations: list[Relation[Key]]
) -> tuple[set[Key], set[Key]]:
    """The hidden cells joined to ``target`` through relations, and the cells of the
    relations that hold ``target`` itself."""
    hidden = view.primary | view.forced | view.complementary
    reach = {target}
    near: set[Key] = set()
    changed = True
    while changed:
        changed = False
        for relation in relations:
            members = set(relation.members)
            if members & reach:
                if target in members:
                    near |= members
                new = {key for key in members if key in hidden} - reach
                if new:
                    reach |= new
                    changed = True
    return reach, near


def _holds(relation: Relation[Key], values: Mapping[Key, float]) -> bool:
    """A relation between published cells that the true figures satisfy (one naming a
    cell the report does not publish, or that the data break, tells a reader nothing)."""
    if not all(key in values for key in relation.members):
        return False
    gap = values[relation.total] - sum(values[part] for part in relation.parts)
    return abs(gap) < 1e-6 if relation.exact else gap > -1e-6


def _exposed(view: ReaderView[Key], relations: list[Relation[Key]], cells: list[Key]) -> list[Key]:
    found = view.intervals(relations, cells)
    unknown = view.unknown()
    # With a threshold of 2, "fewer than 2" is 1 by itself: only arithmetic is a leak.
    alone = {key for key in cells if unknown[key].high - unknown[key].low < 1}
    return [key for key in cells if found[key].exact and key not in alone]


def _candidates(
    target: Key,
    view: ReaderView[Key],
    relations: list[Relation[Key]],
    keep: set[Key],
    order: dict[Key, int],
) -> list[Key]:
    """Shown, non-zero figures that could protect ``target``: first those in a relation
    with it, then any joined to it through other hidden cells; within each, ordinary
    figures before subtotals before totals the report must show, smallest first."""
    hidden = view.primary | view.forced | view.complementary
    reach, near = _reach(target, view, relations)
    far = {
        key for relation in relations if set(relation.members) & reach for key in relation.members
    }
    totals = {
        relation.total for relation in relations if relation.exact and len(relation.parts) > 1
    }
    found = [key for key in far if key not in hidden and view.values[key] != 0]
    return sorted(
        found,
        key=lambda key: (
            key in keep,
            key in totals,
            key not in near,
            view.values[key],
            order[key],
        ),
    )


# --- the annual report's relations between tables ----------------------------------------

# Totals that count the same children in two tables: equal, so one shown gives the other.
SAME_TOTALS = [
    [
        ("referrals_by_month", "children"),
        ("referrals_by_agency", "children"),
        ("age_bands", "children"),
        ("legal_status", "children"),
        ("living_situation", "children"),
        ("out_of_area", "children"),
        ("risk", "at_referral"),
        ("risk", "latest"),
    ],
    [("closures", "children"), ("closure_reasons", "children")],
]
DISCUSSED = ("escalations", "Children discussed", "children")


def linked_relations(tables: Mapping[str, Table]) -> list[Relation[tuple[str, str, str]]]:
    """What a reader knows across tables and beyond the totals: equal totals, and figures
    that cannot exceed another (completed on time within completed, confirmed within
    agreed, a theme's children within the children discussed)."""
    relations: list[Relation[tuple[str, str, str]]] = []
    for group in SAME_TOTALS:
        cells = [(key, TOTAL, column) for key, column in group if key in tables]
        relations += [Relation(cells[0], (other,)) for other in cells[1:]]
    within = {"actions": [("completed", "on_time")], "resources": [("agreed", "confirmed")]}
    within["resources"].append(("amount_agreed", "amount_confirmed"))
    for key, pairs in within.items():
        if key not in tables:
            continue
        for row in tables[key].rows:
            for whole, part in pairs:
                cell = tables[key].cell
                relations.append(Relation(cell(row.label, whole), (cell(row.label, part),), False))
    referred = ("referrals_by_month", TOTAL, "children")
    if "criteria" in tables:
        for row in tables["criteria"].rows:
            relations.append(Relation(referred, (("criteria", row.label, "children"),), False))
    discussed_by = [
        ("escalations", "Escalated", "children"),
        ("time_to_discussion", TOTAL, "children"),
    ]
    if "themes" in tables:
        discussed_by += [("themes", row.label, "children") for row in tables["themes"].rows]
    if "meetings" in tables:
        discussed_by += [
            ("meetings", row.label, "children") for row in tables["meetings"].rows if not row.total
        ]
    relations += [Relation(DISCUSSED, (cell,), False) for cell in discussed_by]
    return relations


def explain(tables: Mapping[str, Table], protected: Protected[tuple[str, str, str]]) -> None:
    """Say under each table with a figure hidden to protect another why it is hidden."""
    tables_with = {key[0] for key in protected.hidden}
    for key, table in tables.items():
        if key in tables_with and NOT_SHOWN_NOTE not in table.note:
            table.note = f"{table.note} {NOT_SHOWN_NOTE}"
