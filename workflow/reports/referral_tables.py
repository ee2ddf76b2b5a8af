"""The annual report's tables about the children referred: when, from whom, why, who they are."""

from __future__ import annotations

import calendar
import statistics
from collections import Counter
from datetime import date
from typing import Any

from workflow.contract import (
    LABELS,
    Criterion,
    LegalStatus,
    LivingSituation,
    MinutesRecord,
)
from workflow.core.dates import as_date
from workflow.reports.counting import (
    AGE_BANDS,
    NOT_RECORDED,
    RISK_LABELS,
    WAIT_BANDS,
    Period,
    _age_band,
    _by_count,
    _month,
    _received,
    _referral_day,
    _risk_label,
    _split,
    _text,
)
from workflow.reports.tables import TABLE_KEYS, Column, Row, Table


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
        "A referral is received on the day the panel administrator accepted it, or on its "
        "referral date where the register does not say when it was accepted.",
        chart="referrals_by_month",
    )
    return table.with_total()


def _by_agency(referred: list[dict[str, Any]], agencies: list[str]) -> Table:
    counts = Counter(_text(row.get("referring_agency")) or NOT_RECORDED for row in referred)
    # The panel's agencies are listed even when they referred nobody: zero is a figure.
    rows = [Row(agency, {"children": n}) for agency, n in _by_count(counts)]
    rows += [Row(agency, {"children": 0}) for agency in agencies if agency not in counts]
    table = Table(
        "referrals_by_agency",
        TABLE_KEYS["referrals_by_agency"],
        "Referring agency",
        [Column("children", "Referrals")],
        rows,
        "The agency that made each referral, as the register records it. The panel's own "
        "agencies are listed even where they referred no child.",
    )
    return table.with_total()


def _criteria(referred: list[dict[str, Any]]) -> Table:
    counts: Counter[str] = Counter()
    for row in referred:
        counts.update(set(_split(row.get("criteria"))) or {NOT_RECORDED})
    known = [LABELS[code.value] for code in _criterion_codes()]
    order = [*known, *sorted(set(counts) - set(known) - {NOT_RECORDED}), NOT_RECORDED]
    rows = [
        Row(label, {"children": counts[label]})
        for label in order
        if label in known or label in counts
    ]
    return Table(
        "criteria",
        TABLE_KEYS["criteria"],
        "Criterion",
        [Column("children", "Children")],
        rows,
        "A child may meet several criteria, so these do not add up to the number referred. "
        "From the criteria each referral gave, as the register records them.",
    )


def _criterion_codes() -> list[Any]:
    return list(Criterion)


def _age_bands(referred: list[dict[str, Any]]) -> Table:
    counts: Counter[str] = Counter()
    for row in referred:
        counts[_age_band(as_date(row.get("date_of_birth")), _referral_day(row))] += 1
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
    rows = [
        Row(label, {"children": counts[label]})
        for label in order
        if label in labels or counts[label]
    ]
    table = Table(
        "legal_status",
        TABLE_KEYS["legal_status"],
        "Legal status",
        [Column("children", "Children")],
        rows,
        "The legal status each referral gave, as the register records it.",
    )
    return table.with_total()


def _living_situation(referred: list[dict[str, Any]], children: dict[str, Any]) -> Table:
    labels = [LABELS[code.value] for code in LivingSituation]
    counts: Counter[str] = Counter()
    for row in referred:
        child = children.get(str(row["case_id"]))
        counts[LABELS[child.living_situation] if child else NOT_RECORDED] += 1
    order = [*labels, NOT_RECORDED]
    rows = [
        Row(label, {"children": counts[label]})
        for label in order
        if label in labels or counts[label]
    ]
    table = Table(
        "living_situation",
        TABLE_KEYS["living_situation"],
        "Living situation",
        [Column("children", "Children")],
        rows,
        "Where each child was living, from the referral as it was accepted; a case added to "
        "the register by hand has no referral stored and counts as not recorded.",
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
        "Whether the child was placed outside the area, as the accepted referral gave it.",
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
        "agreed in its minutes, as the register holds it on the day of the report.",
        chart="risk",
    )
    return table.with_total()


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
