"""An attacker's try at the demo's annual report: no hidden figure can be worked out (issue 22).

Every figure is read back from the generated Word tables and the figures workbook, as a
reader would have them. The reader then writes down everything they know: each table's
total is the sum of its rows, agreed actions are completed + open + overdue + cancelled
(the note says so), each agency's cancelled actions split by reason in the next table,
the tables about the children referred all count the same children, and so on. A figure
"fewer than 5" is 1 to 4; one "not shown" is at least 5 (a small one would say "fewer
than 5", and zero is shown). By integer programming over all of it, the least and the
greatest value each hidden figure can take must differ.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from workflow.reports.intervals import Relation, Unknown, feasible_intervals

FEW = "fewer than 5"
HIDDEN = "not shown"

Cell = tuple[str, str, str]  # sheet, row label, column heading


def _number(text: str) -> float | None:
    """A figure as printed: "1,234", "£43,400" or "60%" (a share, stored as 0.6)."""
    cleaned = text.replace("£", "").replace(",", "").strip()
    share = cleaned.endswith("%")
    try:
        number = float(cleaned.removesuffix("%"))
    except ValueError:
        return None
    return number / 100 if share else number


class Reader:
    """What the published report tells someone who reads every table of it."""

    def __init__(self, docx: Path, xlsx: Path) -> None:
        self.sheets: dict[str, list[list[Any]]] = {}
        book = load_workbook(xlsx)
        for sheet in book.worksheets:
            self.sheets[sheet.title] = [[c.value for c in row] for row in sheet.iter_rows()]
        self.word = [
            [[cell.text for cell in row.cells] for row in table.rows]
            for table in Document(str(docx)).tables
        ]
        self.published: dict[Cell, float] = {}
        self.unknown: dict[Cell, Unknown] = {}
        self.money: set[Cell] = set()
        self.relations: list[Relation[Cell]] = []

    # --- reading -------------------------------------------------------------------------

    def tables(self) -> dict[str, list[list[Any]]]:
        return {
            name: rows for name, rows in self.sheets.items() if name not in ("Summary", "Notes")
        }

    def word_table(self, rows: list[list[Any]]) -> list[list[str]]:
        header = [str(value) for value in rows[0]]
        labels = [str(row[0]) for row in rows[1:]]
        for table in self.word:
            if table[0] == header and [row[0] for row in table[1:]] == labels:
                return table
        raise AssertionError(f"no Word table headed {header}")

    def read(self) -> None:
        for name, rows in self.tables().items():
            word = self.word_table(rows)
            header = rows[0]
            for row, word_row in zip(rows[1:], word[1:], strict=True):
                for column, value, text in zip(header[1:], row[1:], word_row[1:], strict=True):
                    self.take((name, str(row[0]), str(column)), value, text)
        summary = self.sheets["Summary"][1:]
        word_summary = next(table for table in self.word if len(table[0]) == 2)
        for (label, value), (word_label, text) in zip(summary, word_summary, strict=True):
            assert label == word_label
            self.take(("Summary", label, "Value"), value, text)

    def take(self, cell: Cell, value: Any, text: str) -> None:
        """One figure, as the workbook stores it and the document prints it: both must
        hide the same figures, and the workbook's number is what a reader would use."""
        if value in (FEW, HIDDEN) or text in (FEW, HIDDEN):
            assert value == text, f"{cell}: the workbook has {value!r}, the report {text!r}"
            if text.startswith("£") or value == HIDDEN and self._money_column(cell):
                self.money.add(cell)
            if value == FEW:
                self.unknown[cell] = Unknown(1, 4, True)
            elif cell in self.money:
                self.unknown[cell] = Unknown(0, integer=False)
            else:
                self.unknown[cell] = Unknown(5, integer=True)
            return
        if isinstance(value, int | float) and not isinstance(value, bool):
            printed = _number(text)
            assert printed is not None, (cell, text)
            assert abs(printed - value) < (0.01 if text.endswith("%") else 1), (cell, value, text)
            self.published[cell] = float(value)

    def _money_column(self, cell: Cell) -> bool:
        rows = self.sheets[cell[0]]
        index = rows[0].index(cell[2])
        return any(isinstance(row[index], float) and row[index] % 1 for row in rows[1:]) or (
            "amount" in cell[2].lower()
        )

    # --- what the reader knows -----------------------------------------------------------

    def known(self, cell: Cell) -> bool:
        return cell in self.published or cell in self.unknown

    def add(self, total: Cell, parts: list[Cell], *, exact: bool = True) -> None:
        if not self.known(total) or not all(self.known(part) for part in parts):
            return
        if all(key in self.published for key in (total, *parts)):
            gap = self.published[total] - sum(self.published[part] for part in parts)
            if (abs(gap) > 1e-6) if exact else (gap < -1e-6):
                return  # shown figures that do not add up tell the reader nothing
        self.relations.append(Relation(total, tuple(parts), exact))

    def total_row(self, name: str) -> str | None:
        labels = [str(row[0]) for row in self.sheets[name][1:]]
        last = labels[-1] if labels else ""
        return last if last.startswith(("Total", "All ")) else None

    def relate(self) -> None:
        tables = self.tables()
        for name, rows in tables.items():
            total = self.total_row(name)
            if total is None:
                continue
            labels = [str(row[0]) for row in rows[1:-1]]
            for column in rows[0][1:]:
                self.add((name, total, column), [(name, label, column) for label in labels])
        self._actions()
        self._same_children()
        self._within()
        self._summary()

    def _actions(self) -> None:
        actions = self.sheets.get("Actions")
        if not actions:
            return
        header = actions[0]
        cancelled = self.sheets.get("Cancelled", [[]])
        for row in actions[1:]:
            agency = str(row[0])

            def cell(column: str, agency: str = agency) -> Cell:
                return ("Actions", agency, column)

            parts = [c for c in header if str(c).startswith(("Completed", "Open", "Overdue"))]
            parts = [c for c in parts if c != "Completed on time"] + ["Cancelled"]
            self.add(cell("Agreed"), [cell(c) for c in parts])
            self.add(cell("Completed"), [cell("Completed on time")], exact=False)
            self.add(cell("Cancelled"), [("Cancelled", agency, str(c)) for c in cancelled[0][1:]])

    def _same_children(self) -> None:
        referred = [
            ("Referrals by month", "Referrals"),
            ("Referrals by agency", "Referrals"),
            ("Age bands", "Children"),
            ("Legal status", "Children"),
            ("Living situation", "Children"),
            ("Out of area", "Children"),
            ("Risk", "At referral"),
            ("Risk", "Latest"),
        ]
        for group in (referred, [("Closures", "Cases"), ("Closure reasons", "Cases")]):
            cells = [
                (name, self.total_row(name), column)
                for name, column in group
                if name in self.sheets and self.total_row(name)
            ]
            for other in cells[1:]:
                self.add(cells[0], [other])

    def _within(self) -> None:
        for row in self.sheets.get("Resources", [])[1:]:
            agency = str(row[0])
            self.add(
                ("Resources", agency, "Agreed"), [("Resources", agency, "Confirmed")], exact=False
            )
            self.add(
                ("Resources", agency, "Amount agreed"),
                [("Resources", agency, "Amount confirmed")],
                exact=False,
            )
        discussed = ("Escalations", "Discussed by the panel", "Number")
        self.add(
            discussed, [("Escalations", "Escalated to the Partnership", "Number")], exact=False
        )
        for row in self.sheets.get("Themes", [])[1:]:
            self.add(discussed, [("Themes", str(row[0]), "Children")], exact=False)
        referred = ("Referrals by month", self.total_row("Referrals by month") or "", "Referrals")
        for row in self.sheets.get("Criteria", [])[1:]:
            self.add(referred, [("Criteria", str(row[0]), "Children")], exact=False)
        progress = "Progress", "Reports"
        self.add(
            (progress[0], "Due at meetings in the period", progress[1]),
            [(progress[0], "Received", progress[1]), (progress[0], "Not received", progress[1])],
        )
        self.add(
            (progress[0], "Received", progress[1]),
            [(progress[0], label, progress[1]) for label in ("Received on time", "Received late")],
        )

    def _summary(self) -> None:
        """The year in figures repeats table figures: each is the same number."""
        same = {
            "Children referred": (
                "Referrals by month",
                self.total_row("Referrals by month"),
                "Referrals",
            ),
            "Children discussed": ("Escalations", "Discussed by the panel", "Number"),
            "Actions agreed": ("Actions", self.total_row("Actions"), "Agreed"),
            "Children escalated to the Partnership": (
                "Escalations",
                "Escalated to the Partnership",
                "Number",
            ),
            "Cases closed": ("Closures", self.total_row("Closures"), "Cases"),
        }
        for label, cell in same.items():
            self.add(("Summary", label, "Value"), [cell])


@pytest.fixture(scope="module")
def reader(built_demo: Path) -> Reader:
    folder = built_demo / "output" / "annual"
    [docx] = sorted(folder.glob("*.docx"))
    [xlsx] = sorted(folder.glob("*.xlsx"))
    reader = Reader(docx, xlsx)
    reader.read()
    reader.relate()
    return reader


def test_the_demo_report_hides_small_numbers_in_both_files(reader):
    few = [cell for cell, known in reader.unknown.items() if known.high == 4]
    assert len(few) >= 20  # the demo shows the rule at work in many tables
    assert any(cell[0] == "Legal status" for cell in few)
    assert any(cell[0] == "Actions" for cell in few)
    assert len(reader.relations) > 60
    # The attacks of issue 22 are all written down (a renamed column would drop them).
    totals = {relation.total[:2] for relation in reader.relations}
    assert ("Legal status", reader.total_row("Legal status")) in totals
    assert ("Actions", "Youth justice") in totals  # agreed = completed + open + ...
    cancelled = [r for r in reader.relations if r.parts and r.parts[0][0] == "Cancelled"]
    assert any(r.total[0] == "Actions" for r in cancelled)  # each agency's reasons
    same = [r for r in reader.relations if len(r.parts) == 1 and r.total[0] != r.parts[0][0]]
    assert len(same) >= 8  # the same children in many tables, the year in figures


def test_no_hidden_figure_of_the_demo_report_can_be_worked_out(reader):
    intervals = feasible_intervals(reader.relations, reader.published, reader.unknown)
    recovered = {
        cell: (interval.low, interval.high)
        for cell, interval in intervals.items()
        if interval.exact and reader.unknown[cell].high - reader.unknown[cell].low >= 1
    }
    assert recovered == {}
    # Issue 22's two attacks: the two legal statuses beside a total of 25, and the youth
    # justice row of agreed = completed + open + overdue + cancelled.
    for cell, interval in intervals.items():
        if cell[0] in ("Legal status", "Actions", "Cancelled") and reader.unknown[cell].high == 4:
            assert interval.high > interval.low, cell


def test_every_table_of_the_workbook_is_in_the_report(reader):
    # The reader read them all: a sheet the report lacked would have failed in read().
    assert set(reader.tables()) >= {"Legal status", "Actions", "Cancelled", "Resources"}


def test_readers_are_told_what_not_shown_means(reader, built_demo):
    # Under each table with such a figure, in the report and in the workbook's notes.
    notes = {row[0]: row[1] for row in reader.sheets["Notes"][1:]}
    explained = "\u201cnot shown\u201d is hidden so that a small number cannot be worked"
    with_hidden = {cell[0] for cell, known in reader.unknown.items() if known.high > 4}
    assert with_hidden  # the demo shows "not shown" at work
    for name in reader.tables():
        assert (explained in notes[name]) == (name in with_hidden), name
    assert "\u201cfewer than 5\u201d" in notes["Small numbers"]
    [docx] = sorted((built_demo / "output" / "annual").glob("*.docx"))
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "is hidden so that a small number cannot be worked out from the totals" in text
    assert "panel.yaml" not in notes["Small numbers"]


def test_the_plain_words_reach_the_template(workspace):
    from workflow.reports.annual import gather
    from workflow.reports.counting import report_period
    from workflow.reports.files import report_context

    figures = gather(workspace, report_period(2027), as_of=date(2027, 12, 31))
    context = report_context(workspace, figures, {})
    assert context["suppression_note"].startswith(
        "To protect the children, a number from 1 to 4 is shown as \u201cfewer than 5\u201d."
    )
    assert "\u201cnot shown\u201d" in context["suppression_note"]
