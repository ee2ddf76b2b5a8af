"""The small-number rule: what a published count shows, alone and through totals."""

from __future__ import annotations

import itertools

import pytest

from workflow.reports.suppression import (
    NOT_SHOWN,
    Relation,
    fewer_than,
    partition_relations,
    protect,
)


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, 0), (1, "fewer than 5"), (4, "fewer than 5"), (5, 5), (17, 17)],
    ids=["zero-shows-0", "one-hidden", "four-hidden", "five-shown", "large-shown"],
)
def test_a_single_count(count, shown):
    assert protect({"a": count}).shown("a") == shown


def test_the_threshold_is_a_setting():
    assert protect({"a": 6}, threshold=10).shown("a") == "fewer than 10"
    assert protect({"a": 1}, threshold=2).shown("a") == "fewer than 2"
    assert protect({"a": 2}, threshold=2).shown("a") == 2
    assert fewer_than(5) == "fewer than 5"
    with pytest.raises(ValueError, match="at least 2"):
        protect({"a": 1}, threshold=1)


def column(values: dict[str, int]) -> tuple[dict[str, int], list[Relation[str]]]:
    """Categories and their total, as a one-column table."""
    cells = {**values, "total": sum(values.values())}
    return cells, [Relation("total", tuple(values))]


def recoverable(cells, relations, result) -> list[str]:
    """Hidden cells a reader could work out exactly from what is shown."""
    found = []
    for relation in relations:
        members = [relation.total, *relation.parts]
        hidden = [key for key in members if result.is_hidden(key)]
        if len(hidden) == 1:
            found.append(hidden[0])
    return found


def test_one_small_count_beside_a_total_hides_a_second_cell():
    cells, relations = column({"a": 3, "b": 9, "c": 6})
    result = protect(cells, relations)
    assert result.shown("a") == "fewer than 5"
    # 18 - 9 - 6 would give 3 away: the smallest other count goes too.
    assert result.shown("c") == NOT_SHOWN
    assert result.shown("b") == 9
    assert result.shown("total") == 18
    assert recoverable(cells, relations, result) == []


def test_two_small_counts_protect_each_other():
    cells, relations = column({"a": 3, "b": 2, "c": 10})
    result = protect(cells, relations)
    assert [result.shown(k) for k in ("a", "b", "c", "total")] == [
        "fewer than 5",
        "fewer than 5",
        10,
        15,
    ]
    assert result.hidden == set()


def test_zeros_are_shown_and_never_used_to_protect():
    cells, relations = column({"a": 3, "b": 0, "c": 0})
    result = protect(cells, relations)
    assert (result.shown("b"), result.shown("c")) == (0, 0)
    # 3 = total - 0 - 0, and the total is itself small: both hidden.
    assert result.shown("total") == "fewer than 5"
    cells, relations = column({"a": 0, "b": 0})
    assert protect(cells, relations).shown("total") == 0


def test_a_small_total_is_hidden_with_its_parts():
    cells, relations = column({"a": 4, "b": 0})
    result = protect(cells, relations)
    assert result.shown("a") == "fewer than 5"
    assert result.shown("total") == "fewer than 5"


def test_hiding_spreads_through_a_two_way_table():
    # Rows are agencies, columns outcomes; each row and each column has a total.
    grid = {("csc", "done"): 8, ("csc", "late"): 6, ("police", "done"): 7, ("police", "late"): 2}
    rows, cols = ("csc", "police"), ("done", "late")
    cells = dict(grid)
    relations = []
    for row in rows:
        cells[(row, "total")] = sum(grid[(row, col)] for col in cols)
        relations.append(Relation((row, "total"), tuple((row, col) for col in cols)))
    for col in (*cols, "total"):
        cells[("all", col)] = sum(cells[(row, col)] for row in rows)
        relations.append(Relation(("all", col), tuple((row, col) for row in rows)))
    result = protect(cells, relations)
    assert result.shown(("police", "late")) == "fewer than 5"
    assert recoverable(cells, relations, result) == []
    # Every relation that holds a hidden cell holds at least two.
    for relation in relations:
        members = [relation.total, *relation.parts]
        assert sum(result.is_hidden(key) for key in members) != 1


def test_only_counts_of_children_are_hidden_for_being_small():
    result = protect({"meetings": 3, "children": 3}, counts=["children"])
    assert result.shown("meetings") == 3
    assert result.shown("children") == "fewer than 5"


def test_forced_cells_are_hidden_and_protected_in_turn():
    cells, relations = column({"a": 500.0, "b": 2000.0, "c": 7000.0})
    result = protect(cells, relations, counts=[], forced=["a"])
    assert result.shown("a") == NOT_SHOWN
    assert result.shown("b") == NOT_SHOWN
    assert result.shown("c") == 7000.0


def test_partition_relations_for_a_table_with_a_total_row():
    relations = partition_relations(["x", "y", "Total"], ["n"], total_row="Total")
    assert relations == [Relation(("Total", "n"), (("x", "n"), ("y", "n")))]
    assert partition_relations(["x"], ["n"]) == []


@pytest.mark.parametrize("values", list(itertools.product([0, 1, 3, 4, 5, 8], repeat=3)))
def test_no_hidden_count_is_ever_recoverable(values):
    cells, relations = column(dict(zip("abc", values, strict=True)))
    result = protect(cells, relations)
    assert recoverable(cells, relations, result) == []
    for key, value in cells.items():
        shown = result.shown(key)
        if 0 < value < 5:
            assert shown == "fewer than 5"
        elif value == 0:
            assert shown == 0
