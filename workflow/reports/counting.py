"""What the annual report counts by: its period, its bands, and register cells read as
numbers, dates and words."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from workflow.contract import (
    LABELS,
    RISK_ORDER,
)
from workflow.core.dates import as_date, uk_date
from workflow.core.errors import OptionsConflict

NOT_RECORDED = "Not recorded"


TOTAL = "Total"


AGE_BANDS = ("Under 10", "10 to 12", "13 to 15", "16 to 17", "18 and over")


WAIT_BANDS = (
    (14, "Up to 2 weeks"),
    (28, "2 to 4 weeks"),
    (56, "4 to 8 weeks"),
    (None, "More than 8 weeks"),
)


RISK_LABELS = [LABELS[level] for level in RISK_ORDER]


NO_REASON = "no reason recorded"


@dataclass(frozen=True)
class Period:
    """The report's year: from the panel's report year start (default 1 January) unless
    --from/--to say otherwise."""

    year: int
    start: date
    end: date
    label_pattern: str | None = None

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= as_date(day) <= self.end

    def months(self) -> list[date]:
        months, cursor = [], self.start.replace(day=1)
        while cursor <= self.end:
            months.append(cursor)
            cursor = (cursor + timedelta(days=32)).replace(day=1)
        return months

    @property
    def words(self) -> str:
        return f"{uk_date(self.start)} to {uk_date(self.end)}"

    @property
    def label(self) -> str:
        """How the report names its year: "2027", "2026/27", or the panel's own label."""
        first, last = self.start.year, self.end.year
        if self.label_pattern:
            return self.label_pattern.format(start=first, end=last, end_short=f"{last % 100:02d}")
        if first == last:
            return str(first)
        if last == first + 1:
            return f"{first}/{last % 100:02d}"
        return f"{first} to {last}"

    @property
    def slug(self) -> str:
        """The label as a file name may hold it: annual-2026-27.docx."""
        return re.sub(r"[^A-Za-z0-9]+", "-", self.label).strip("-") or str(self.year)


def report_period(
    year: int,
    start: date | None = None,
    end: date | None = None,
    *,
    year_starts: str = "01-01",
    label: str | None = None,
) -> Period:
    """The year starting on `year_starts` (MM-DD) of `year`; --from/--to move either end."""
    if not 1900 < year < 10000:
        raise OptionsConflict(f"--year: {year} is not a year like 2027")
    month, day = (int(part) for part in year_starts.split("-"))
    first = date(year, month, day)
    following = date(year + 1, month, day) - timedelta(days=1)
    period = Period(year, start or first, end or following, label)
    if period.start > period.end:
        raise OptionsConflict(
            f"--from {period.start.isoformat()} is after --to {period.end.isoformat()}"
        )
    return period


def panel_period(
    panel: Any, year: int, start: date | None = None, end: date | None = None
) -> Period:
    """The report period by the panel's own report year (panel.yaml report_year_starts)."""
    return report_period(
        year,
        start,
        end,
        year_starts=panel.report_year_starts,
        label=panel.report_year_label,
    )


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
    return as_date(row.get("accepted_on")) or as_date(row.get("referral_date"))


def _referral_day(row: dict[str, Any]) -> date | None:
    return as_date(row.get("referral_date")) or as_date(row.get("accepted_on"))


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


# Initialisms a theme tag may hold in lower case (camhs_waiting_times): shown as people
# write them. A word typed with any capital is kept as typed.
ACRONYMS = frozenset(
    {
        "adhd", "asc", "asd", "camhs", "cin", "cp", "cse", "cce", "dsl", "ehcp", "gp", "iro",
        "lac", "lado", "mash", "marac", "nhs", "nrm", "ofsted", "pru", "send", "sen",
        "senco", "sgo", "yjs", "yot",
    }
)  # fmt: skip


def theme_words(theme: str) -> str:
    """A theme tag as a person writes it: "camhs_waiting_times" -> "CAMHS waiting times"."""
    words = re.sub(r"[\s_]+", " ", theme).strip().split(" ")
    shown = []
    for word in words:
        if word.lower() in ACRONYMS and word == word.lower():
            word = "Ofsted" if word == "ofsted" else word.upper()
        shown.append(word)
    text = " ".join(shown)
    return text[:1].upper() + text[1:]


def _by_count(counts: Counter[str]) -> Iterator[tuple[str, int]]:
    """Largest first, then by name; "Not recorded" last."""
    order = sorted(counts.items(), key=lambda item: (item[0] == NOT_RECORDED, -item[1], item[0]))
    yield from order
