"""The annual report's tables: columns, rows, and cells as they are shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workflow.reports.counting import TOTAL
from workflow.reports.suppression import Relation

# Every table of the report, in order: its name (the template's tables.NAME) and title.
TABLE_KEYS: dict[str, str] = {
    "meetings": "Meetings held",
    "attendance": "Attendance by agency",
    "minutes_on_time": "Minutes on time",
    "referrals_by_month": "Referrals received by month",
    "referrals_by_agency": "Referrals by referring agency",
    "criteria": "Panel criteria met (terms of reference, section 10)",
    "age_bands": "Age of the children when referred",
    "legal_status": "Legal status when referred",
    "living_situation": "Where the children were living when referred",
    "out_of_area": "Out-of-area placements",
    "risk": "Risk at referral and now",
    "actions": "Actions agreed, by agency",
    "cancelled": "Cancelled actions and why",
    "resources": "Resources agreed and confirmed",
    "escalations": "Escalations to the Safeguarding Partnership",
    "themes": "Service gaps and themes seen",
    "progress": "Progress reports",
    "closures": "Cases closed, by the level of risk when closed",
    "closure_reasons": "Why cases were closed",
    "time_to_discussion": "Time from referral to first discussion",
}


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    # count: children or their cases (the small-number rule applies); number: shown as
    # counted (meetings, people); money: pounds; percent: a share (0.6 is 60%); text: words.
    kind: str = "count"


@dataclass
class Row:
    label: str
    values: dict[str, Any]
    total: bool = False


@dataclass
class Table:
    """One table of the report: a sheet in the workbook, a table in the document."""

    key: str
    title: str
    label: str  # heading of the first column
    columns: list[Column]
    rows: list[Row]
    note: str  # how each figure is counted (the workbook's Notes sheet says it too)
    chart: str | None = None  # the chart drawn from this table, if any
    relations: list[Relation[tuple[str, str, str]]] = field(default_factory=list)
    forced: list[tuple[str, str, str]] = field(default_factory=list)

    def cell(self, row: str, column: str) -> tuple[str, str, str]:
        return (self.key, row, column)

    def with_total(self, title: str = TOTAL, *, only: tuple[str, ...] = ()) -> Table:
        """Add a total row; each column's cells add up to it (a partition of a group)."""
        totals = {
            column.key: sum(row.values.get(column.key) or 0 for row in self.rows)
            for column in self.columns
            if column.kind in ("count", "number", "money") and (not only or column.key in only)
        }
        parts = [row.label for row in self.rows]
        self.rows.append(Row(title, totals, total=True))
        for column in totals:
            self.relations.append(
                Relation(self.cell(title, column), tuple(self.cell(part, column) for part in parts))
            )
        return self


@dataclass
class ShownCell:
    text: str  # as the document shows it
    value: Any  # as the workbook stores it: a number, or the same words
    hidden: bool


@dataclass
class ShownTable:
    table: Table
    rows: list[tuple[Row, list[ShownCell]]]


@dataclass(frozen=True)
class SummaryItem:
    """One line of "the year in figures": a cell of a table, or a figure not about children."""

    label: str
    table: str | None = None
    row: str = TOTAL
    column: str = "children"
    value: int = 0
