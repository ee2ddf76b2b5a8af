"""Dates the British way for documents, and calendar arithmetic the rules need."""

from __future__ import annotations

import calendar
from datetime import date, datetime


def uk_date(value: date | datetime | None) -> str:
    """2027-01-14 -> '14 January 2027' (no leading zero); None -> ''."""
    if value is None:
        return ""
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


def uk_date_as_typed(value: object) -> str:
    """A register cell meant to hold a date, for a message: British if it is one, else as
    typed (a person may have typed 'TBC'), never an exception."""
    if isinstance(value, date):
        return uk_date(value)
    return str(value) if value not in (None, "") else "an unrecorded date"


def months_before(day: date, months: int) -> date:
    """The same day of the month, `months` earlier (clamped to the month's last day)."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
