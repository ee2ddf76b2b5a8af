"""The small-number rule: counts that could identify a child are never published exactly.

One place decides what a published count shows. A count from 1 to ``threshold - 1`` is
shown as "fewer than N" (primary suppression); zero is shown as 0. Where the published
figures, totals and the relations between tables would let a reader work a hidden one
out, other figures are hidden too (complementary suppression, `protection`) and shown as
"not shown". Tables, the workbook and the charts all take what they show from here.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from workflow.reports.intervals import Relation
from workflow.reports.protection import NOT_SHOWN, complement

__all__ = [
    "DEFAULT_THRESHOLD",
    "NOT_SHOWN",
    "Protected",
    "Relation",
    "explanation",
    "fewer_than",
    "is_small",
    "partition_relations",
    "protect",
]

DEFAULT_THRESHOLD = 5

Key = TypeVar("Key", bound=Hashable)


def fewer_than(threshold: int) -> str:
    return f"fewer than {threshold}"


def explanation(threshold: int) -> str:
    """The rule in plain words, for the report's readers."""
    small = fewer_than(threshold)
    return (
        f"To protect the children, a number from 1 to {threshold - 1} is shown as "
        f"\u201c{small}\u201d. Some other figures are \u201cnot shown\u201d: with a "
        "table\u2019s totals, or with the figures in a related table, they would let a "
        f"reader work out a number shown as \u201c{small}\u201d, so they are hidden too. "
        "Zero is shown as 0."
    )


def is_small(count: int, threshold: int) -> bool:
    """True for a count the rule hides: 1 to ``threshold - 1`` (zero is shown)."""
    return 0 < count < threshold


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
    keep: Iterable[Key] = (),
) -> Protected[Key]:
    """Apply the rule to ``values`` (cells of one table or many, keyed any way).

    ``counts`` names the cells that count children or their cases (default: all); only
    those are hidden for being small. ``forced`` cells are hidden whatever they hold (an
    amount of money whose count is hidden, say). ``relations`` say which cells add up to
    which; no hidden small or forced cell may be recoverable from the shown figures and
    the relations (`protection.complement`). ``keep`` names totals to hide only when
    nothing else will do. A zero is never hidden: it cannot protect anything.
    """
    if threshold < 2:
        raise ValueError("the threshold must be at least 2")
    result: Protected[Key] = Protected(dict(values), threshold)
    countable = set(values) if counts is None else set(counts)
    for key, value in values.items():
        if key in countable and is_small(int(value), threshold) and value == int(value):
            result.small.add(key)
    result.hidden.update(key for key in forced if key in values and key not in result.small)
    complementary, relabelled = complement(
        result.values,
        relations,
        primary=set(result.small),
        forced=set(result.hidden),
        counts=countable,
        threshold=threshold,
        keep=keep,
    )
    result.small -= relabelled
    result.hidden |= complementary | relabelled
    return result


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
