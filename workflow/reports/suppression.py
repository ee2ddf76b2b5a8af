"""The small-number rule: counts that could identify a child are never published exactly.

One place decides what a published count shows. A count from 1 to ``threshold - 1`` is
shown as "fewer than N" (primary suppression); zero is shown as 0. A count that would let
a reader work a hidden one out by subtraction from a total, or from the other cells that
add up to it, is hidden as well (secondary suppression) and shown as "not shown".
Tables, the workbook and the charts all take what they show from here.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

DEFAULT_THRESHOLD = 5
NOT_SHOWN = "not shown"

Key = TypeVar("Key", bound=Hashable)


def fewer_than(threshold: int) -> str:
    return f"fewer than {threshold}"


def is_small(count: int, threshold: int) -> bool:
    """True for a count the rule hides: 1 to ``threshold - 1`` (zero is shown)."""
    return 0 < count < threshold


@dataclass(frozen=True)
class Relation(Generic[Key]):
    """``total`` is the sum of ``parts``: knowing all but one of them gives the last."""

    total: Key
    parts: tuple[Key, ...]


@dataclass
class Protected(Generic[Key]):
    """The outcome for a set of cells: which are hidden, and why."""

    values: dict[Key, float]
    threshold: int
    small: set[Key] = field(default_factory=set)  # primary: 1 to threshold - 1
    hidden: set[Key] = field(default_factory=set)  # secondary: would give a small one away

    def is_hidden(self, key: Key) -> bool:
        return key in self.small or key in self.hidden

    def shown(self, key: Key) -> int | float | str:
        """What a reader sees: the number, "fewer than N" or "not shown"."""
        if key in self.small:
            return fewer_than(self.threshold)
        if key in self.hidden:
            return NOT_SHOWN
        return self.values[key]


def protect(
    values: Mapping[Key, float],
    relations: Iterable[Relation[Key]] = (),
    *,
    threshold: int = DEFAULT_THRESHOLD,
    counts: Iterable[Key] | None = None,
    forced: Iterable[Key] = (),
) -> Protected[Key]:
    """Apply the rule to ``values`` (cells of one table, keyed any way).

    ``counts`` names the cells that count children or their cases (default: all); only
    those are hidden for being small. ``forced`` cells are hidden whatever they hold (an
    amount of money whose count is hidden, say). ``relations`` say which cells add up to
    which: in every relation, no hidden cell may be the only one hidden, so no subtraction
    recovers it. A zero is never hidden: it cannot protect anything.
    """
    if threshold < 2:
        raise ValueError("the threshold must be at least 2")
    result: Protected[Key] = Protected(dict(values), threshold)
    countable = set(values) if counts is None else set(counts)
    for key, value in values.items():
        if key in countable and is_small(int(value), threshold) and value == int(value):
            result.small.add(key)
    result.hidden.update(key for key in forced if key in values and key not in result.small)
    relations = [relation for relation in relations if relation.total in values]
    changed = True
    while changed:
        changed = False
        for relation in relations:
            members = [relation.total, *relation.parts]
            hidden = [key for key in members if result.is_hidden(key)]
            if len(hidden) != 1:
                continue
            candidate = _second_cell(relation, result)
            if candidate is not None:
                result.hidden.add(candidate)
                changed = True
    return result


def _second_cell(relation: Relation[Key], result: Protected[Key]) -> Key | None:
    """The cell to hide beside a lone hidden one: the smallest shown non-zero part, else
    the total. None when every other cell is zero (nothing to subtract from)."""
    parts = [
        key
        for key in relation.parts
        if not result.is_hidden(key) and result.values.get(key, 0) != 0
    ]
    if parts:
        return min(parts, key=lambda key: (result.values[key], str(key)))
    total = relation.total
    if not result.is_hidden(total) and result.values.get(total, 0) != 0:
        return total
    return None


def partition_relations(
    rows: Sequence[Hashable], columns: Sequence[Hashable], *, total_row: Hashable | None = None
) -> list[Relation[tuple[Hashable, Hashable]]]:
    """Each column's cells add up to its total row (a table of categories and a total)."""
    if total_row is None:
        return []
    parts = [row for row in rows if row != total_row]
    return [
        Relation((total_row, column), tuple((row, column) for row in parts)) for column in columns
    ]
