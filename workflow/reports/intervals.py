"""What a reader can work out about hidden figures: each one's feasible interval.

Published tables are linear relations between cells: a total is the sum of its parts
(exactly, or at least: a part of a part is no more than it). A reader who knows every
published figure and relation, and what each kind of hidden cell may hold ("fewer than
5" is 1 to 4), can bound each hidden cell by linear programming: the least and greatest
value it can take with everything published held fixed. A cell whose least and greatest
are the same is recovered exactly. HiGHS solves these small integer programs.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)

# No published count comes near this: a hidden cell that can reach it is unbounded above.
UNBOUNDED = 1e9
# A cell is recovered when its interval is narrower than this: integers are then one
# value, and an amount of money is known to the pound.
EXACT = 0.5


@dataclass(frozen=True)
class Relation(Generic[Key]):
    """``total`` is the sum of ``parts`` (``exact``), or at least that sum (not exact:
    completed on time is part of completed, so no more than it)."""

    total: Key
    parts: tuple[Key, ...]
    exact: bool = True

    @property
    def members(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Unknown:
    """What a reader knows of one hidden cell: its range, and whether it is a whole number."""

    low: float = 0.0
    high: float = math.inf
    integer: bool = True


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    @property
    def exact(self) -> bool:
        return self.high - self.low < EXACT


def feasible_intervals(
    relations: Iterable[Relation[Key]],
    published: Mapping[Key, float],
    unknown: Mapping[Key, Unknown],
    *,
    only: Iterable[Key] | None = None,
) -> dict[Key, Interval]:
    """The least and greatest value of each unknown cell (or of those in ``only``) given
    every published figure and every relation. Cells in neither mapping are not published
    and take no part (a relation naming one constrains nothing)."""
    usable = [
        relation
        for relation in relations
        if all(key in published or key in unknown for key in relation.members)
        and any(key in unknown for key in relation.members)
    ]
    wanted = list(unknown) if only is None else [key for key in only if key in unknown]
    result: dict[Key, Interval] = {}
    for component in _components(usable, unknown):
        targets = [key for key in wanted if key in component.cells]
        if targets:
            result.update(_solve(component, published, unknown, targets))
    for key in wanted:
        if key not in result:  # in no relation: only its own range bounds it
            result[key] = Interval(unknown[key].low, min(unknown[key].high, UNBOUNDED))
    return result


@dataclass
class _Component(Generic[Key]):
    cells: dict[Key, int]  # unknown cell -> column of the program
    relations: list[Relation[Key]]


def _components(
    relations: list[Relation[Key]], unknown: Mapping[Key, Unknown]
) -> list[_Component[Key]]:
    """Unknown cells joined by the relations they share: each group is solved alone."""
    parent: dict[Key, Key] = {}

    def find(key: Key) -> Key:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for relation in relations:
        hidden = [key for key in relation.members if key in unknown]
        for key in hidden[1:]:
            parent[find(key)] = find(hidden[0])
    groups: dict[Key, _Component[Key]] = {}
    for relation in relations:
        root = find(next(key for key in relation.members if key in unknown))
        group = groups.setdefault(root, _Component({}, []))
        group.relations.append(relation)
        for key in relation.members:
            if key in unknown and key not in group.cells:
                group.cells[key] = len(group.cells)
    return list(groups.values())


def _solve(
    component: _Component[Key],
    published: Mapping[Key, float],
    unknown: Mapping[Key, Unknown],
    targets: list[Key],
) -> dict[Key, Interval]:
    solver = _new_highs()
    cells = list(component.cells)
    count = len(cells)
    lows = [float(unknown[key].low) for key in cells]
    uppers = [float(min(unknown[key].high, UNBOUNDED)) for key in cells]
    solver.addVars(count, lows, uppers)
    integers = [component.cells[key] for key in cells if unknown[key].integer]
    if integers:
        solver.changeColsIntegrality(len(integers), integers, [_integer_type()] * len(integers))
    for relation in component.relations:
        # total - sum(parts) == 0 (exact) or >= 0, with published cells moved to the right.
        coefficients: dict[int, float] = {}
        constant = 0.0
        for key, sign in [(relation.total, 1.0), *[(part, -1.0) for part in relation.parts]]:
            if key in component.cells:
                column = component.cells[key]
                coefficients[column] = coefficients.get(column, 0.0) + sign
            else:
                constant += sign * float(published[key])
        columns = [column for column, value in coefficients.items() if value != 0.0]
        if not columns:
            continue
        upper = -constant if relation.exact else math.inf
        solver.addRow(
            -constant,
            upper,
            len(columns),
            columns,
            [coefficients[column] for column in columns],
        )
    result = {}
    every = list(range(count))
    for key in targets:
        cost = [0.0] * count
        cost[component.cells[key]] = 1.0
        solver.changeColsCost(count, every, cost)
        low = _optimum(solver, minimise=True)
        high = _optimum(solver, minimise=False)
        result[key] = Interval(low, high)
    return result


def _optimum(solver: Any, *, minimise: bool) -> float:
    import highspy

    sense = highspy.ObjSense.kMinimize if minimise else highspy.ObjSense.kMaximize
    solver.changeObjectiveSense(sense)
    solver.run()
    status = solver.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        # The true figures satisfy every relation and every range is finite, so anything
        # but an optimum is a relation that does not hold: a bug, never "safe".
        raise RuntimeError(f"the published figures are inconsistent: HiGHS says {status}")
    return float(solver.getInfo().objective_function_value)


def _new_highs() -> Any:
    import highspy

    # highspy's Highs() turns its callbacks on in the constructor, which prints the HiGHS
    # banner to stdout before output_flag can be set (ERGO-Code/HiGHS#2749); the core class
    # it wraps starts silent once the flag is set first.
    solver = getattr(highspy, "_Highs", highspy.Highs)()
    solver.setOptionValue("output_flag", False)
    return solver


def _integer_type() -> object:
    import highspy

    return highspy.HighsVarType.kInteger
