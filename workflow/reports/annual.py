"""`ccp report annual`: the year's figures for the chair's report to the Board.

Figures come from the register (cases, actions, resources, progress reports) and the
recorded minutes (meetings held, attendance, escalations, themes). Every count about
children goes through the small-number rule in `suppression` before anyone sees it;
`report_files` turns the protected tables into the Word report, its PDF and workbook.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflow.cases.store import load_case
from workflow.contract import (
    MinutesRecord,
)
from workflow.core.dates import as_date, today
from workflow.core.errors import CaseNotFound, FormInvalid
from workflow.meetings.records import load_recorded, recorded_versions
from workflow.meetings.timeliness import MeetingPaperwork, minutes_paperwork
from workflow.register import Register
from workflow.reports.counting import Period, _iso, _received
from workflow.reports.decision_tables import (
    DISCUSSED,
    ESCALATED,
    _actions,
    _attendance_table,
    _closures,
    _escalations,
    _meetings_table,
    _minutes_on_time,
    _progress,
    _resources,
    _themes,
)
from workflow.reports.protection import explain, linked_relations
from workflow.reports.referral_tables import (
    _age_bands,
    _by_agency,
    _by_month,
    _criteria,
    _legal_status,
    _living_situation,
    _out_of_area,
    _risk,
    _time_to_discussion,
)
from workflow.reports.suppression import Protected, Relation, is_small, protect
from workflow.reports.tables import (
    Column,
    Row,
    ShownCell,
    ShownTable,
    SummaryItem,
    Table,
)
from workflow.workspace.paths import Workspace

# --- tables --------------------------------------------------------------------------------


@dataclass
class AnnualFigures:
    panel_name: str
    period: Period
    as_of: date
    threshold: int
    tables: dict[str, Table]
    protected: Protected[tuple[str, str, str]]
    summary: list[SummaryItem]
    median_wait: float | None
    notes: list[str] = field(default_factory=list)

    def shown(self, key: str) -> ShownTable:
        table = self.tables[key]
        rows = []
        for row in table.rows:
            cells = [self._cell(table, row, column) for column in table.columns]
            rows.append((row, cells))
        return ShownTable(table, rows)

    def _cell(self, table: Table, row: Row, column: Column) -> ShownCell:
        key = table.cell(row.label, column.key)
        raw = row.values.get(column.key)
        if key not in self.protected.values:
            if column.kind == "percent":
                text = "" if raw is None else f"{raw:.0%}"
                return ShownCell(text, raw if raw is not None else "", False)
            text = "" if raw is None else str(raw)
            return ShownCell(text, raw if raw is not None else "", False)
        shown = self.protected.shown(key)
        if isinstance(shown, str):
            return ShownCell(shown, shown, True)
        if column.kind == "money":
            return ShownCell(f"£{shown:,.0f}", float(shown), False)
        return ShownCell(f"{int(shown):,}", int(shown), False)

    def summary_cells(self) -> list[tuple[str, ShownCell]]:
        """The year in figures, each as its table publishes it (so never less protected)."""
        cells = []
        for item in self.summary:
            if item.table is None:
                cells.append((item.label, ShownCell(f"{item.value:,}", item.value, False)))
                continue
            table = self.tables[item.table]
            row = next(r for r in table.rows if r.label == item.row)
            column = next(c for c in table.columns if c.key == item.column)
            cells.append((item.label, self._cell(table, row, column)))
        return cells


# --- gathering -----------------------------------------------------------------------------


@dataclass
class _Sources:
    cases: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    resources: list[dict[str, Any]]
    progress: list[dict[str, Any]]
    minutes: dict[date, MinutesRecord]  # every recorded meeting, latest version
    children: dict[str, Any]  # case ID -> the child as referred (case.json), where stored
    agencies: list[str]  # the panel's agencies, in panel.yaml order
    paperwork: list[MeetingPaperwork]  # each recorded meeting's minutes against its targets


def _load_sources(workspace: Workspace) -> _Sources:
    register = Register.load(workspace.register_file)
    panel = workspace.panel
    cases = register.rows("Cases")
    minutes: dict[date, MinutesRecord] = {}
    dates = set(panel.meeting_dates())
    dates |= {as_date(row.get("meeting")) for row in register.rows("Meetings")} - {None}
    if workspace.meetings_dir.is_dir():
        for folder in workspace.meetings_dir.iterdir():
            day = _iso(folder.name)
            if day is not None:
                dates.add(day)
    for day in sorted(dates):
        versions = recorded_versions(workspace, day)
        if versions:
            minutes[day] = load_recorded(workspace, day, versions[-1]).record
    children = {}
    for row in cases:
        case_id = str(row.get("case_id") or "")
        if not case_id:
            continue
        try:
            children[case_id] = load_case(workspace, case_id).referral.child
        except (CaseNotFound, FormInvalid, ValueError):
            continue  # a case typed into the register by hand: its details are "not recorded"
    people = [panel.chair, panel.deputy, *panel.members]
    return _Sources(
        cases=[row for row in cases if row.get("case_id")],
        actions=[row for row in register.rows("Actions") if row.get("action_id")],
        resources=register.rows("Resources"),
        progress=[row for row in register.rows("Progress") if row.get("case_id")],
        minutes=minutes,
        children=children,
        agencies=list(dict.fromkeys(person.agency for person in people)),
        paperwork=minutes_paperwork(register, panel, today(), meetings=sorted(minutes)),
    )


def gather(workspace: Workspace, period: Period, *, as_of: date) -> AnnualFigures:
    """Every table of the annual report, counted and protected."""
    workspace.require()
    panel = workspace.panel
    sources = _load_sources(workspace)
    threshold = panel.small_number_threshold
    held = {day: record for day, record in sources.minutes.items() if day in period}
    referred = [row for row in sources.cases if _received(row) in period]
    tables = [
        _meetings_table(held),
        _attendance_table(held, sources.agencies),
        _minutes_on_time([p for p in sources.paperwork if p.meeting in held], as_of),
        _by_month(referred, period),
        _by_agency(referred, sources.agencies),
        _criteria(referred),
        _age_bands(referred),
        _legal_status(referred),
        _living_situation(referred, sources.children),
        _out_of_area(referred, sources.children),
        _risk(referred),
        *_actions(sources.actions, period, as_of),
        _resources(sources.resources, period),
        _escalations(held),
        _themes(held),
        _progress(sources.progress, set(held), as_of, panel.referral_deadline_days),
        *_closures(sources.cases, sources.minutes, period, threshold),
    ]
    wait, median = _time_to_discussion(sources.cases, sources.minutes, period, threshold)
    tables.append(wait)
    by_key = {table.key: table for table in tables}
    protected = _protect(by_key.values(), threshold, linked_relations(by_key))
    explain(by_key, protected)
    summary = [
        SummaryItem("Meetings held", value=len(held)),
        SummaryItem("Children referred", "referrals_by_month"),
        SummaryItem("Children discussed", "escalations", DISCUSSED),
        SummaryItem("Actions agreed", "actions", column="agreed"),
        SummaryItem("Children escalated to the Partnership", "escalations", ESCALATED),
        SummaryItem("Cases closed", "closures"),
    ]
    return AnnualFigures(
        panel_name=panel.name,
        period=period,
        as_of=as_of,
        threshold=threshold,
        tables=by_key,
        protected=protected,
        summary=summary,
        median_wait=median,
    )


def _protect(
    tables: Iterable[Table], threshold: int, linked: list[Relation[tuple[str, str, str]]]
) -> Protected[tuple[str, str, str]]:
    values: dict[tuple[str, str, str], float] = {}
    counts: list[tuple[str, str, str]] = []
    relations = list(linked)
    keep: list[tuple[str, str, str]] = []  # total rows: hidden only when nothing else will do
    for table in tables:
        for row in table.rows:
            for column in table.columns:
                if column.kind not in ("count", "number", "money"):
                    continue
                key = table.cell(row.label, column.key)
                values[key] = row.values.get(column.key) or 0
                if column.kind == "count":
                    counts.append(key)
                if row.total:
                    keep.append(key)
        relations += table.relations
    # An amount of money is hidden with the count of agreements it belongs to; hiding it
    # may hide another count, whose amount goes too.
    amounts = {
        table.cell(row.label, column.key): table.cell(row.label, column.key.removeprefix("amount_"))
        for table in tables
        for row in table.rows
        for column in table.columns
        if column.kind == "money" and column.key.startswith("amount_")
    }
    forced = {key for table in tables for key in table.forced}
    forced |= {
        amount for amount, count in amounts.items() if is_small(values.get(count, 0), threshold)
    }
    while True:
        result = protect(
            values, relations, threshold=threshold, counts=counts, forced=forced, keep=keep
        )
        more = {amount for amount, count in amounts.items() if result.is_hidden(count)}
        if more <= forced:
            return result
        forced |= more
