"""The small-number rule: what a published count shows, alone and through totals."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.reports.intervals import Unknown, feasible_intervals
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


# --- complementary suppression: what a reader can work out with arithmetic (issue 22) -----


def reader_intervals(cells, relations, result, threshold=5):
    """The least and greatest value a reader can give each hidden cell of ``result``."""
    published = {key: value for key, value in cells.items() if not result.is_hidden(key)}
    unknown = {}
    for key in cells:
        if key in result.small:
            unknown[key] = Unknown(1, threshold - 1, True)
        elif key in result.hidden:
            # Hidden beside a small one: at least the threshold; a small one said as "not
            # shown" (the last resort): at least 1.
            unknown[key] = Unknown(threshold if cells[key] >= threshold else 1, integer=True)
    return feasible_intervals(relations, published, unknown)


def exposed(cells, relations, result, threshold=5):
    found = reader_intervals(cells, relations, result, threshold)
    hidden_small = {key for key in result.hidden if 0 < cells[key] < threshold}
    return sorted(key for key in result.small | hidden_small if found[key].exact)


def undone(cells, relations, result, threshold=5):
    """Every figure "not shown" that a reader could work out all the same."""
    found = reader_intervals(cells, relations, result, threshold)
    return sorted((key for key in result.hidden if found[key].exact), key=str)


def test_the_legal_status_attack_of_issue_22():
    # Two statuses "fewer than 5" beside a total of 25 whose others add up to 23: both 1.
    cells, relations = column({"cin": 1, "cpp": 8, "s20": 6, "ico": 1, "co": 9})
    before = protect(cells, [])  # the rule cell by cell, as the report had it
    assert before.small == {"cin", "ico"}
    assert exposed(cells, relations, before) == ["cin", "ico"]
    result = protect(cells, relations)
    assert exposed(cells, relations, result) == []
    # The smallest other status goes: 6 is not shown, the total of 25 still is.
    assert result.shown("s20") == NOT_SHOWN
    assert result.shown("total") == 25
    assert (result.shown("cpp"), result.shown("co")) == (8, 9)


def test_the_youth_justice_row_of_issue_22():
    # Agreed 13 = completed 11 + open 0 + overdue + cancelled; the cancelled split by reason
    # and the column totals are published too.
    cells = {
        ("yj", "agreed"): 13,
        ("yj", "completed"): 11,
        ("yj", "open"): 0,
        ("yj", "overdue"): 1,
        ("yj", "cancelled"): 1,
        ("csc", "agreed"): 15,
        ("csc", "completed"): 10,
        ("csc", "open"): 0,
        ("csc", "overdue"): 4,
        ("csc", "cancelled"): 1,
        ("yj", "changed"): 1,
        ("yj", "not_undertaken"): 0,
        ("csc", "changed"): 0,
        ("csc", "not_undertaken"): 1,
    }
    relations = []
    for agency in ("yj", "csc"):
        parts = tuple((agency, key) for key in ("completed", "open", "overdue", "cancelled"))
        relations.append(Relation((agency, "agreed"), parts))
        relations.append(
            Relation((agency, "cancelled"), ((agency, "changed"), (agency, "not_undertaken")))
        )
    for key in ("agreed", "completed", "open", "overdue", "cancelled", "changed", "not_undertaken"):
        cells[("all", key)] = cells[("yj", key)] + cells[("csc", key)]
        relations.append(Relation(("all", key), (("yj", key), ("csc", key))))
    before = protect(cells, [])
    assert ("yj", "overdue") in exposed(cells, relations, before)
    result = protect(cells, relations)
    assert exposed(cells, relations, result) == []
    assert result.shown(("yj", "overdue")) == fewer_than(5)
    assert result.hidden  # something beside the small ones had to go


def test_a_figure_not_shown_is_known_to_be_at_least_the_threshold():
    # 12 = 5 + 1 + 6: hiding the 5 leaves 5 + 1 = 6 for a figure of at least 5 and one of
    # 1 to 4, so both would follow. Hiding the 6 leaves 7: the small one is 1 or 2.
    cells, relations = column({"a": 5, "b": 1, "c": 6})
    result = protect(cells, relations)
    assert result.shown("c") == NOT_SHOWN
    assert result.shown("a") == 5
    interval = reader_intervals(cells, relations, result)["b"]
    assert (interval.low, interval.high) == (1, 2)


def test_a_total_is_hidden_only_when_nothing_else_will_do():
    # Two months of 4 each beside a total of 8: only the total can protect them.
    cells, relations = column({"feb": 4, "apr": 4, "may": 0})
    result = protect(cells, relations, keep=["total"])
    assert result.shown("total") == NOT_SHOWN
    cells, relations = column({"feb": 3, "apr": 7, "may": 9})
    result = protect(cells, relations, keep=["total"])
    assert result.shown("total") == 19
    assert result.shown("apr") == NOT_SHOWN


def test_a_part_no_more_than_its_whole_is_used_by_the_reader():
    # On time is part of completed (not exact): completed 4 hidden, on time 3 hidden; a
    # published "at most" relation narrows them, and the rule still holds.
    cells = {"completed": 4, "on_time": 3, "late": 1, "total": 4}
    relations = [
        Relation("completed", ("on_time",), exact=False),
        Relation("total", ("on_time", "late")),
    ]
    result = protect(cells, relations)
    assert exposed(cells, relations, result) == []


def test_with_a_threshold_of_2_the_words_already_say_1():
    cells, relations = column({"a": 1, "b": 9})
    result = protect(cells, relations, threshold=2)
    # "fewer than 2" is 1 by itself: hiding more would not make it less so.
    assert result.shown("a") == "fewer than 2"
    assert result.hidden == set()


def test_intervals_by_integer_programming():
    relations = [Relation("t", ("x", "y"))]
    found = feasible_intervals(relations, {"t": 9}, {"x": Unknown(1, 4), "y": Unknown(5)})
    assert (found["x"].low, found["x"].high) == (1, 4)
    assert (found["y"].low, found["y"].high) == (5, 8)
    found = feasible_intervals(relations, {"t": 5}, {"x": Unknown(1, 4), "y": Unknown(1, 4)})
    assert not found["x"].exact
    found = feasible_intervals(relations, {"t": 2}, {"x": Unknown(1, 4), "y": Unknown(1, 4)})
    assert found["x"].exact
    # A cell in no relation is bounded by what it may hold; money is not whole pounds.
    found = feasible_intervals([], {}, {"z": Unknown(0, integer=False)})
    assert found["z"].low == 0
    assert not found["z"].exact


def test_the_solver_prints_nothing(capfd):
    feasible_intervals([Relation("t", ("x",))], {"t": 3}, {"x": Unknown(1, 4)})
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def two_way_tables():
    sizes = st.tuples(st.integers(2, 4), st.integers(2, 4))
    small_or_not = st.one_of(st.integers(0, 4), st.integers(0, 12))
    return sizes.flatmap(
        lambda size: st.lists(
            st.lists(small_or_not, min_size=size[1], max_size=size[1]),
            min_size=size[0],
            max_size=size[0],
        )
    )


def with_totals(grid):
    """A table with a total for each row and column and a grand total."""
    cells, relations = {}, []
    rows, columns = range(len(grid)), range(len(grid[0]))
    for r in rows:
        for c in columns:
            cells[(r, c)] = grid[r][c]
        cells[(r, "total")] = sum(grid[r])
        relations.append(Relation((r, "total"), tuple((r, c) for c in columns)))
    for c in [*columns, "total"]:
        cells[("total", c)] = sum(cells[(r, c)] for r in rows)
        relations.append(Relation(("total", c), tuple((r, c) for r in rows)))
    return cells, relations


@settings(max_examples=60, deadline=None)
@given(two_way_tables(), st.sampled_from([3, 5]))
def test_after_protection_no_small_figure_is_exactly_determined(grid, threshold):
    cells, relations = with_totals(grid)
    keep = [key for key in cells if "total" in key]
    result = protect(cells, relations, threshold=threshold, keep=keep)
    assert exposed(cells, relations, result, threshold) == []
    assert undone(cells, relations, result, threshold) == []
    for key, value in cells.items():
        if 0 < value < threshold:
            assert result.shown(key) in (fewer_than(threshold), NOT_SHOWN)
        elif value == 0:
            assert result.shown(key) == 0
        else:
            assert result.shown(key) in (value, NOT_SHOWN)


def test_small_figures_that_pin_each_other_say_less():
    # Found by hypothesis: a total of fewer than 3 over two rows of fewer than 3 is 1 + 1,
    # with nothing else to hide. The largest of them is "not shown" instead.
    cells, relations = with_totals([[0, 0], [1, 1]])
    result = protect(cells, relations, threshold=3)
    assert exposed(cells, relations, result, 3) == []
    assert (1, 0) in result.small
    assert any(result.shown(key) == NOT_SHOWN and cells[key] < 3 for key in cells)


def linked_tables(grid, reasons):
    """Actions by agency (agreed = the sum of four statuses, each column totalled) and the
    last status split by reason in a second table, as the annual report has them."""
    cells, relations = with_totals(grid)
    for r, split in enumerate(reasons):
        split = [min(part, grid[r][-1]) for part in split]
        split[-1] = grid[r][-1] - sum(split[:-1])
        if split[-1] < 0:
            split = [grid[r][-1], *[0] * (len(split) - 1)]
        for index, part in enumerate(split):
            cells[("why", r, index)] = part
        relations.append(
            Relation((r, len(grid[0]) - 1), tuple(("why", r, i) for i in range(len(split))))
        )
    for index in range(len(reasons[0])):
        cells[("why", "total", index)] = sum(cells[("why", r, index)] for r in range(len(grid)))
        relations.append(
            Relation(("why", "total", index), tuple(("why", r, index) for r in range(len(grid))))
        )
    return cells, relations


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda rows: st.tuples(
            st.lists(
                st.lists(st.one_of(st.integers(0, 3), st.integers(0, 15)), min_size=4, max_size=4),
                min_size=rows,
                max_size=rows,
            ),
            st.lists(
                st.lists(st.integers(0, 3), min_size=2, max_size=2), min_size=rows, max_size=rows
            ),
        )
    )
)
def test_linked_tables_give_no_small_figure_away(tables):
    grid, reasons = tables
    cells, relations = linked_tables(grid, reasons)
    keep = [key for key in cells if "total" in key]
    result = protect(cells, relations, keep=keep)
    assert exposed(cells, relations, result) == []
    assert undone(cells, relations, result) == []


def test_a_figure_hidden_for_another_cannot_be_worked_out_either():
    # Found on a demo year (agreed = completed for youth justice: hiding one hid both, the
    # one figure hidden in a column whose total is shown) and by hypothesis, smaller: a
    # figure hidden to protect a small one was given back by subtraction.
    cells, relations = with_totals([[2, 0, 0], [2, 0, 3]])
    keep = [key for key in cells if "total" in key]
    result = protect(cells, relations, threshold=3, keep=keep)
    assert undone(cells, relations, result, 3) == []
    assert exposed(cells, relations, result, 3) == []
