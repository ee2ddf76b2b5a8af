"""`ccp report annual`: the year's figures for the chair's report to the Board.

Figures come from the register (cases, actions, resources, progress reports) and the
recorded minutes (meetings held, attendance, escalations, themes). Every count about
children goes through the small-number rule in `suppression` before anyone sees it;
`report_files` turns the protected tables into the Word report, its PDF and workbook.
"""

from __future__ import annotations

import calendar
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from workflow.cases.store import load_case
from workflow.contract import (
    LABELS,
    RISK_ORDER,
    Criterion,
    LegalStatus,
    LivingSituation,
    MinutesRecord,
)
from workflow.contract.terms import CANCELLED, COMPLETED
from workflow.core.dates import uk_date
from workflow.core.errors import CaseNotFound, FormInvalid, OptionsConflict
from workflow.meetings.records import load_recorded, recorded_versions
from workflow.register import Register
from workflow.reports.suppression import Protected, Relation, fewer_than, protect
from workflow.workspace.paths import Workspace

NOT_RECORDED = "Not recorded"
TOTAL = "Total"
HELD_STATUSES = ("minuted", "signed", "amended")
AGE_BANDS = ("Under 10", "10 to 12", "13 to 15", "16 to 17", "18 and over")
WAIT_BANDS = (
    (14, "Up to 2 weeks"),
    (28, "2 to 4 weeks"),
    (56, "4 to 8 weeks"),
    (None, "More than 8 weeks"),
)
RISK_LABELS = [LABELS[level] for level in RISK_ORDER]
NO_REASON = "no reason recorded"


# Every table of the report, in order: its name (the template's tables.NAME) and title.
TABLE_KEYS: dict[str, str] = {
    "meetings": "Meetings held",
    "attendance": "Attendance by agency",
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
class Period:
    """The report's year: a calendar year unless --from/--to say otherwise."""

    year: int
    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= _day(day) <= self.end

    def months(self) -> list[date]:
        months, cursor = [], self.start.replace(day=1)
        while cursor <= self.end:
            months.append(cursor)
            cursor = (cursor + timedelta(days=32)).replace(day=1)
        return months

    @property
    def words(self) -> str:
        return f"{uk_date(self.start)} to {uk_date(self.end)}"


def report_period(year: int, start: date | None = None, end: date | None = None) -> Period:
    if not 1900 < year < 10000:
        raise OptionsConflict(f"--year: {year} is not a year like 2027")
    period = Period(year, start or date(year, 1, 1), end or date(year, 12, 31))
    if period.start > period.end:
        raise OptionsConflict(
            f"--from {period.start.isoformat()} is after --to {period.end.isoformat()}"
        )
    return period


# --- tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    # count: children or their cases (the small-number rule applies); number: shown as
    # counted (meetings, people); money: pounds; text: words.
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


def _load_sources(workspace: Workspace) -> _Sources:
    register = Register.load(workspace.register_file)
    panel = workspace.panel
    cases = register.rows("Cases")
    minutes: dict[date, MinutesRecord] = {}
    dates = set(panel.meeting_dates())
    dates |= {_day(row.get("meeting")) for row in register.rows("Meetings")} - {None}
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
        _by_month(referred, period),
        _by_agency(referred),
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
        _progress(sources.progress, period, as_of, panel.referral_deadline_days),
        *_closures(sources.cases, sources.minutes, period, threshold),
    ]
    wait, median = _time_to_discussion(sources.cases, sources.minutes, period, threshold)
    tables.append(wait)
    by_key = {table.key: table for table in tables}
    _same_groups(by_key)
    protected = _protect(by_key.values(), threshold)
    summary = [
        SummaryItem("Meetings held", value=len(held)),
        SummaryItem("Children referred", "referrals_by_month"),
        SummaryItem("Children discussed", "escalations", "Children discussed"),
        SummaryItem("Actions agreed", "actions", column="agreed"),
        SummaryItem("Children escalated to the Partnership", "escalations", "Escalated"),
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


def _protect(tables: Iterable[Table], threshold: int) -> Protected[tuple[str, str, str]]:
    values: dict[tuple[str, str, str], float] = {}
    counts: list[tuple[str, str, str]] = []
    relations: list[Relation[tuple[str, str, str]]] = []
    forced: list[tuple[str, str, str]] = []
    for table in tables:
        for row in table.rows:
            for column in table.columns:
                if column.kind not in ("count", "number", "money"):
                    continue
                key = table.cell(row.label, column.key)
                values[key] = row.values.get(column.key) or 0
                if column.kind == "count":
                    counts.append(key)
        relations += table.relations
        forced += table.forced
    # An amount of money is hidden with the count of agreements it belongs to.
    first = protect(values, relations, threshold=threshold, counts=counts)
    for table in tables:
        for row in table.rows:
            for column in table.columns:
                if column.kind == "money" and column.key.startswith("amount_"):
                    count = table.cell(row.label, column.key.removeprefix("amount_"))
                    if first.is_hidden(count):
                        forced.append(table.cell(row.label, column.key))
    if not forced:
        return first
    return protect(values, relations, threshold=threshold, counts=counts, forced=forced)


def _same_groups(tables: dict[str, Table]) -> None:
    """Totals that count the same children in two tables hide together or not at all."""
    groups = [
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
    for group in groups:
        cells = [tables[key].cell(TOTAL, column) for key, column in group]
        anchor = tables[group[0][0]]
        for other in cells[1:]:
            anchor.relations.append(Relation(cells[0], (other,)))
            anchor.relations.append(Relation(other, (cells[0],)))


# --- the tables ----------------------------------------------------------------------------


def _meetings_table(held: dict[date, MinutesRecord]) -> Table:
    rows = [
        Row(
            uk_date(day),
            {
                "present": len(record.present),
                "agencies": len({person.agency for person in record.present}),
                "children": len(record.cases),
            },
        )
        for day, record in sorted(held.items())
    ]
    table = Table(
        "meetings",
        TABLE_KEYS["meetings"],
        "Meeting",
        [
            Column("present", "Members and guests present", "number"),
            Column("agencies", "Agencies represented", "number"),
            Column("children", "Cases discussed", "count"),
        ],
        rows,
        "A meeting is held when its minutes are recorded (ccp minutes record); figures are "
        "from the latest recorded version. Cases discussed counts each case once per meeting, "
        "so a child reviewed at three meetings counts three times.",
    )
    return table.with_total(f"All {len(rows)} meetings", only=("present", "children"))


def _attendance_table(held: dict[date, MinutesRecord], panel_agencies: list[str]) -> Table:
    attended: Counter[str] = Counter()
    apologies: Counter[str] = Counter()
    seen: list[str] = []
    for record in held.values():
        present = {person.agency for person in record.present}
        absent = {person.agency for person in record.apologies} - present
        attended.update(present)
        apologies.update(absent)
        seen += sorted(present | absent)
    agencies = list(dict.fromkeys([*panel_agencies, *sorted(set(seen))]))
    meetings = len(held)
    rows = [
        Row(
            agency,
            {
                "attended": attended[agency],
                "apologies": apologies[agency],
                "absent": meetings - attended[agency] - apologies[agency],
                "rate": f"{attended[agency] / meetings:.0%}" if meetings else "",
            },
        )
        for agency in agencies
    ]
    return Table(
        "attendance",
        TABLE_KEYS["attendance"],
        "Agency",
        [
            Column("attended", "Meetings attended", "number"),
            Column("apologies", "Apologies only", "number"),
            Column("absent", "Not represented", "number"),
            Column("rate", "Attendance", "text"),
        ],
        rows,
        "An agency attended a meeting when anyone from it is minuted as present; 'apologies "
        "only' when it sent apologies and nobody from it attended. Agencies are those of the "
        "chair, deputy and members in panel.yaml, then any other agency minuted. These count "
        "meetings, not children, so the small-number rule does not apply.",
    )


def _by_month(referred: list[dict[str, Any]], period: Period) -> Table:
    counts = Counter(_month(_received(row)) for row in referred)
    rows = [
        Row(f"{calendar.month_name[month.month]} {month.year}", {"children": counts[month]})
        for month in period.months()
    ]
    table = Table(
        "referrals_by_month",
        TABLE_KEYS["referrals_by_month"],
        "Month",
        [Column("children", "Referrals")],
        rows,
        "A referral is received on the day the administrator accepted it (Accepted on in "
        "the register's Cases sheet), or its referral date where that is blank.",
        chart="referrals_by_month",
    )
    return table.with_total()


def _by_agency(referred: list[dict[str, Any]]) -> Table:
    counts = Counter(_text(row.get("referring_agency")) or NOT_RECORDED for row in referred)
    rows = [Row(agency, {"children": n}) for agency, n in _by_count(counts)]
    table = Table(
        "referrals_by_agency",
        TABLE_KEYS["referrals_by_agency"],
        "Referring agency",
        [Column("children", "Referrals")],
        rows,
        "The referring agency as the register records it (Cases sheet), one per referral.",
    )
    return table.with_total()


def _criteria(referred: list[dict[str, Any]]) -> Table:
    counts: Counter[str] = Counter()
    for row in referred:
        counts.update(set(_split(row.get("criteria"))) or {NOT_RECORDED})
    known = [LABELS[code.value] for code in _criterion_codes()]
    order = [*known, *sorted(set(counts) - set(known) - {NOT_RECORDED}), NOT_RECORDED]
    rows = [Row(label, {"children": counts[label]}) for label in order if label in counts]
    return Table(
        "criteria",
        TABLE_KEYS["criteria"],
        "Criterion",
        [Column("children", "Children")],
        rows,
        "A child may meet several criteria, so these do not add up to the number referred. "
        "From the referral's criteria as the register records them.",
    )


def _criterion_codes() -> list[Any]:
    return list(Criterion)


def _age_bands(referred: list[dict[str, Any]]) -> Table:
    counts: Counter[str] = Counter()
    for row in referred:
        counts[_age_band(_day(row.get("date_of_birth")), _referral_day(row))] += 1
    rows = [Row(band, {"children": counts[band]}) for band in AGE_BANDS]
    if counts[NOT_RECORDED]:
        rows.append(Row(NOT_RECORDED, {"children": counts[NOT_RECORDED]}))
    table = Table(
        "age_bands",
        TABLE_KEYS["age_bands"],
        "Age",
        [Column("children", "Children")],
        rows,
        "Age in whole years on the referral date, from the date of birth in the register.",
        chart="age_bands",
    )
    return table.with_total()


def _legal_status(referred: list[dict[str, Any]]) -> Table:
    labels = [LABELS[status.value] for status in LegalStatus]
    counts = Counter(_text(row.get("legal_status")) or NOT_RECORDED for row in referred)
    order = [*labels, *sorted(set(counts) - set(labels) - {NOT_RECORDED}), NOT_RECORDED]
    rows = [Row(label, {"children": counts[label]}) for label in order if counts[label]]
    table = Table(
        "legal_status",
        TABLE_KEYS["legal_status"],
        "Legal status",
        [Column("children", "Children")],
        rows,
        "The legal status given on the referral (Cases sheet). Statuses no child had are left out.",
    )
    return table.with_total()


def _living_situation(referred: list[dict[str, Any]], children: dict[str, Any]) -> Table:
    labels = [LABELS[code.value] for code in LivingSituation]
    counts: Counter[str] = Counter()
    for row in referred:
        child = children.get(str(row["case_id"]))
        counts[LABELS[child.living_situation] if child else NOT_RECORDED] += 1
    order = [*labels, NOT_RECORDED]
    rows = [Row(label, {"children": counts[label]}) for label in order if counts[label]]
    table = Table(
        "living_situation",
        TABLE_KEYS["living_situation"],
        "Living situation",
        [Column("children", "Children")],
        rows,
        "From the accepted referral (cases/<case ID>/case.json); a case added to the "
        "register by hand has no referral stored and counts as not recorded.",
    )
    return table.with_total()


def _out_of_area(referred: list[dict[str, Any]], children: dict[str, Any]) -> Table:
    counts: Counter[str] = Counter()
    for row in referred:
        child = children.get(str(row["case_id"]))
        if child is None:
            counts[NOT_RECORDED] += 1
        else:
            counts["Placed out of area" if child.out_of_area else "Living in the area"] += 1
    order = ["Living in the area", "Placed out of area", NOT_RECORDED]
    rows = [Row(label, {"children": counts[label]}) for label in order[:2]]
    if counts[NOT_RECORDED]:
        rows.append(Row(NOT_RECORDED, {"children": counts[NOT_RECORDED]}))
    table = Table(
        "out_of_area",
        TABLE_KEYS["out_of_area"],
        "Where placed",
        [Column("children", "Children")],
        rows,
        "Out of area as the referral gave it (child.out_of_area in the accepted referral).",
    )
    return table.with_total()


def _risk(referred: list[dict[str, Any]]) -> Table:
    at_referral = Counter(_risk_label(row.get("risk_at_referral")) for row in referred)
    latest = Counter(_risk_label(row.get("risk_latest")) for row in referred)
    labels = [*RISK_LABELS]
    if at_referral[NOT_RECORDED] or latest[NOT_RECORDED]:
        labels.append(NOT_RECORDED)
    rows = [
        Row(label, {"at_referral": at_referral[label], "latest": latest[label]}) for label in labels
    ]
    table = Table(
        "risk",
        TABLE_KEYS["risk"],
        "Level of risk",
        [Column("at_referral", "At referral"), Column("latest", "Latest")],
        rows,
        "At referral: the highest level the referrer gave. Latest: the level the panel last "
        "agreed (minutes), as the register's Cases sheet holds it on the day of the report.",
        chart="risk",
    )
    return table.with_total()


def _actions(actions: list[dict[str, Any]], period: Period, as_of: date) -> list[Table]:
    agreed = [row for row in actions if _day(row.get("meeting")) in period]
    by_agency: dict[str, Counter[str]] = {}
    for row in agreed:
        agency = _text(row.get("agency")) or NOT_RECORDED
        counts = by_agency.setdefault(agency, Counter())
        counts["agreed"] += 1
        status = (_text(row.get("status")) or "Open").lower()
        due = _day(row.get("due"))
        if status == COMPLETED.lower():
            counts["completed"] += 1
            done = _day(row.get("completed_on"))
            if done is not None and due is not None and done <= due:
                counts["on_time"] += 1
        elif status == CANCELLED.lower():
            counts["cancelled"] += 1
            reason = (_text(row.get("reason_not_done")) or NO_REASON).lower()
            counts[f"cancelled:{reason}"] += 1
        elif due is not None and due < as_of:
            counts["overdue"] += 1
        else:
            counts["open"] += 1
    agencies = [
        agency for agency, _ in _by_count(Counter({a: c["agreed"] for a, c in by_agency.items()}))
    ]
    main_columns = [
        Column("agreed", "Agreed"),
        Column("completed", "Completed"),
        Column("on_time", "Completed on time"),
        Column("open", "Open, not yet due"),
        Column("overdue", "Overdue"),
        Column("cancelled", "Cancelled"),
    ]
    main = Table(
        "actions",
        TABLE_KEYS["actions"],
        "Agency",
        main_columns,
        [
            Row(agency, {c.key: by_agency[agency][c.key] for c in main_columns})
            for agency in agencies
        ],
        "Actions agreed at meetings in the period (Actions sheet), by the agency that owns "
        f"them, with their status on {uk_date(as_of)}. Completed on time: completed on or "
        "before the due date. Overdue: still open after its due date. Agreed = completed + "
        "open + overdue + cancelled.",
        chart="actions",
    )
    main.with_total()
    for row in main.rows:
        main.relations.append(
            Relation(
                main.cell(row.label, "agreed"),
                tuple(
                    main.cell(row.label, key)
                    for key in ("completed", "open", "overdue", "cancelled")
                ),
            )
        )
    reasons = ["circumstances changed", "not undertaken", NO_REASON]
    split_columns = [Column(reason.replace(" ", "_"), reason.capitalize()) for reason in reasons]
    split = Table(
        "cancelled",
        TABLE_KEYS["cancelled"],
        "Agency",
        split_columns,
        [
            Row(
                agency,
                {
                    column.key: by_agency[agency][f"cancelled:{reason}"]
                    for column, reason in zip(split_columns, reasons, strict=True)
                },
            )
            for agency in agencies
        ],
        "Cancelled actions by the reason recorded in the register's 'Reason not done' column. "
        "Each agency's reasons add up to its cancelled actions in the table above.",
    )
    split.with_total()
    for row in split.rows:
        main.relations.append(
            Relation(
                main.cell(row.label, "cancelled"),
                tuple(split.cell(row.label, column.key) for column in split_columns),
            )
        )
    return [main, split]


def _resources(resources: list[dict[str, Any]], period: Period) -> Table:
    by_agency: dict[str, dict[str, float]] = {}
    for row in resources:
        if _day(row.get("meeting")) not in period:
            continue
        agency = _text(row.get("agency")) or NOT_RECORDED
        entry = by_agency.setdefault(
            agency, {"agreed": 0, "confirmed": 0, "amount_agreed": 0.0, "amount_confirmed": 0.0}
        )
        amount = _number(row.get("amount"))
        entry["agreed"] += 1
        entry["amount_agreed"] += amount
        if _yes(row.get("confirmed")):
            entry["confirmed"] += 1
            entry["amount_confirmed"] += amount
    rows = [
        Row(agency, by_agency[agency])
        for agency, _ in _by_count(Counter({a: int(e["agreed"]) for a, e in by_agency.items()}))
    ]
    table = Table(
        "resources",
        TABLE_KEYS["resources"],
        "Agency",
        [
            Column("agreed", "Agreed"),
            Column("confirmed", "Confirmed"),
            Column("amount_agreed", "Amount agreed", "money"),
            Column("amount_confirmed", "Amount confirmed", "money"),
        ],
        rows,
        "Resource agreements minuted at meetings in the period (Resources sheet): agreed "
        "includes those in principle; confirmed, those the agency has confirmed. Amounts are "
        "the pounds recorded, where any; an amount is not shown where its count is not.",
    )
    return table.with_total()


def _escalations(held: dict[date, MinutesRecord]) -> Table:
    discussed = {case.case_id for record in held.values() for case in record.cases}
    escalated = {
        case.case_id
        for record in held.values()
        for case in record.cases
        if case.escalate_to_partnership
    }
    return Table(
        "escalations",
        TABLE_KEYS["escalations"],
        "Children",
        [Column("children", "Children")],
        [
            Row("Children discussed", {"children": len(discussed)}),
            Row("Escalated", {"children": len(escalated)}),
        ],
        "From the recorded minutes of meetings in the period: a child is escalated when the "
        "panel decided a formal practice review was needed (escalate_to_partnership). Each "
        "child counts once however many meetings discussed them.",
    )


def _themes(held: dict[date, MinutesRecord]) -> Table:
    children: dict[str, set[str]] = {}
    meetings: dict[str, set[date]] = {}
    names: dict[str, str] = {}
    for day, record in held.items():
        for case in record.cases:
            for theme in case.themes:
                key = _theme_key(theme)
                if not key:
                    continue
                names.setdefault(key, _theme_words(theme))
                children.setdefault(key, set()).add(case.case_id)
                meetings.setdefault(key, set()).add(day)
    order = sorted(children, key=lambda key: (-len(children[key]), names[key]))
    return Table(
        "themes",
        TABLE_KEYS["themes"],
        "Theme",
        [Column("children", "Children"), Column("meetings", "Meetings", "number")],
        [
            Row(names[key], {"children": len(children[key]), "meetings": len(meetings[key])})
            for key in order
        ],
        "Themes are the short tags the minutes record for each case (themes). The same tag "
        "written with spaces, hyphens or capitals counts as one. Children: how many children's "
        "cases raised it; meetings: at how many meetings.",
        chart="themes",
    )


def _progress(
    progress: list[dict[str, Any]], period: Period, as_of: date, deadline_days: int
) -> Table:
    due = [
        row
        for row in progress
        if _day(row.get("due_meeting")) in period and _day(row.get("due_meeting")) <= as_of
    ]
    received = [row for row in due if _day(row.get("received_on"))]
    on_time = [
        row
        for row in received
        if _day(row["received_on"]) <= _day(row["due_meeting"]) - timedelta(days=deadline_days)
    ]
    table = Table(
        "progress",
        TABLE_KEYS["progress"],
        "Progress reports",
        [Column("reports", "Reports")],
        [
            Row("Due at meetings in the period", {"reports": len(due)}),
            Row("Received", {"reports": len(received)}),
            Row("Received on time", {"reports": len(on_time)}),
            Row("Received late", {"reports": len(received) - len(on_time)}),
            Row("Not received", {"reports": len(due) - len(received)}),
        ],
        "Reports the panel asked for, due at meetings in the period up to the day of the "
        f"report (Progress sheet). On time: received at least {deadline_days} days before the "
        "meeting, in time to go out with its papers (panel.yaml referral_deadline_days).",
    )
    cell = table.cell
    table.relations += [
        Relation(
            cell("Due at meetings in the period", "reports"),
            (cell("Received", "reports"), cell("Not received", "reports")),
        ),
        Relation(
            cell("Received", "reports"),
            (cell("Received on time", "reports"), cell("Received late", "reports")),
        ),
    ]
    return table


def _closures(
    cases: list[dict[str, Any]],
    minutes: dict[date, MinutesRecord],
    period: Period,
    threshold: int,
) -> list[Table]:
    closed = [
        row
        for row in cases
        if _day(row.get("closed_on")) in period
        and (_text(row.get("status")) or "").lower() == "closed"
    ]
    by_risk = Counter(_risk_label(row.get("risk_latest")) for row in closed)
    labels = [*RISK_LABELS] + ([NOT_RECORDED] if by_risk[NOT_RECORDED] else [])
    risk = Table(
        "closures",
        TABLE_KEYS["closures"],
        "Risk when closed",
        [Column("children", "Cases")],
        [Row(label, {"children": by_risk[label]}) for label in labels],
        "Cases whose register row is closed with a closing date in the period; the level of "
        "risk is the one the panel last agreed.",
    ).with_total()
    reasons: dict[str, str] = {}
    for _, record in sorted(minutes.items()):
        for case in record.cases:
            if case.close_case and case.closure_reason:
                reasons[case.case_id] = case.closure_reason
    grouped: Counter[str] = Counter()
    words: dict[str, str] = {}
    for row in closed:
        reason = reasons.get(str(row["case_id"]))
        key = " ".join(reason.lower().split()).rstrip(".") if reason else ""
        if key:
            words.setdefault(key, " ".join(reason.split()).rstrip("."))
        grouped[key] += 1
    other = f"Other reasons, each given for fewer than {threshold} cases"
    counts: Counter[str] = Counter()
    for key, count in grouped.items():
        if not key:
            counts[NOT_RECORDED] += count
        elif count >= threshold:
            counts[words[key]] += count
        else:
            # A reason given for one or two children may describe them: only reasons
            # shared by enough cases are quoted.
            counts[other] += count
    order = [label for label, _ in _by_count(counts) if label not in (other, NOT_RECORDED)]
    order += [label for label in (other, NOT_RECORDED) if counts[label]]
    why = Table(
        "closure_reasons",
        TABLE_KEYS["closure_reasons"],
        "Reason (as minuted)",
        [Column("children", "Cases")],
        [Row(label, {"children": counts[label]}) for label in order],
        "The closure reason from the minutes that closed the case, grouped where the same "
        f"words were used. A reason given for fewer than {threshold} cases is not quoted, since "
        "it could describe a child; those are counted together.",
    ).with_total()
    return [risk, why]


def _time_to_discussion(
    cases: list[dict[str, Any]],
    minutes: dict[date, MinutesRecord],
    period: Period,
    threshold: int,
) -> tuple[Table, float | None]:
    first: dict[str, date] = {}
    for day, record in sorted(minutes.items()):
        for case in record.cases:
            first.setdefault(case.case_id, day)
    counts: Counter[str] = Counter()
    waits = []
    for row in cases:
        discussed = first.get(str(row["case_id"]))
        if discussed not in period:
            continue
        referred = _referral_day(row)
        if referred is None:
            counts[NOT_RECORDED] += 1
            continue
        days = (discussed - referred).days
        waits.append(days)
        counts[next(label for limit, label in WAIT_BANDS if limit is None or days <= limit)] += 1
    rows = [Row(label, {"children": counts[label]}) for _, label in WAIT_BANDS]
    if counts[NOT_RECORDED]:
        rows.append(Row(NOT_RECORDED, {"children": counts[NOT_RECORDED]}))
    table = Table(
        "time_to_discussion",
        TABLE_KEYS["time_to_discussion"],
        "Time",
        [Column("children", "Children")],
        rows,
        "Children first discussed at a meeting in the period: days from the referral date "
        "(the manager's authorisation) to the first meeting whose minutes record the case. "
        f"The median is given only when at least {threshold} children are counted.",
        chart="time_to_discussion",
    ).with_total()
    median = statistics.median(waits) if len(waits) >= threshold else None
    return table, median


# --- small helpers ---------------------------------------------------------------------------


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _iso(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _split(value: Any) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", _text(value)) if part.strip()]


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    return 0.0


def _yes(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return _text(value).lower() in ("yes", "y", "true", "1")


def _received(row: dict[str, Any]) -> date | None:
    return _day(row.get("accepted_on")) or _day(row.get("referral_date"))


def _referral_day(row: dict[str, Any]) -> date | None:
    return _day(row.get("referral_date")) or _day(row.get("accepted_on"))


def _month(day: date | None) -> date | None:
    return day.replace(day=1) if day else None


def _age_band(born: date | None, on: date | None) -> str:
    if born is None or on is None or born > on:
        return NOT_RECORDED
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age < 10:
        return AGE_BANDS[0]
    if age <= 12:
        return AGE_BANDS[1]
    if age <= 15:
        return AGE_BANDS[2]
    if age <= 17:
        return AGE_BANDS[3]
    return AGE_BANDS[4]


def _risk_label(value: Any) -> str:
    text = _text(value).lower().replace("_", " ")
    return next((label for label in RISK_LABELS if label.lower() == text), NOT_RECORDED)


def _theme_key(theme: str) -> str:
    return re.sub(r"[\s_\-]+", " ", theme).strip().lower()


def _theme_words(theme: str) -> str:
    words = re.sub(r"[\s_]+", " ", theme).strip()
    return words[:1].upper() + words[1:]


def _by_count(counts: Counter[str]) -> Iterator[tuple[str, int]]:
    """Largest first, then by name; "Not recorded" last."""
    order = sorted(counts.items(), key=lambda item: (item[0] == NOT_RECORDED, -item[1], item[0]))
    yield from order


__all__ = [
    "AnnualFigures",
    "Period",
    "fewer_than",
    "gather",
    "report_period",
]
