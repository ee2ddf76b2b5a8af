"""Today (or the day a run simulates), dates the British way, and calendar arithmetic."""

from __future__ import annotations

import calendar
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from workflow.core.errors import SettingInvalid


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


_AS_OF: ContextVar[date | None] = ContextVar("ccp_as_of", default=None)


def today() -> date:
    """Today, or CCP_TODAY (ISO) so that runs and tests can be reproduced on any day."""
    return _simulated_day() or date.today()


def now() -> datetime:
    """The time now, in whole seconds (Excel keeps no more), on the day ``today`` gives: an
    Audit row then sorts with the dates the same command writes (an Accepted on date, say),
    and the history never shows a referral accepted before it was made."""
    clock = datetime.now().replace(microsecond=0)
    day = _simulated_day()
    # The clock is read once: at midnight a second reading could be of the next day.
    return clock if day is None else datetime.combine(day, clock.time())


def _simulated_day() -> date | None:
    """The day a run simulates (the demo's clock, CCP_TODAY), or None for the real one."""
    simulated = _AS_OF.get()
    if simulated is not None:
        return simulated
    fixed = os.environ.get("CCP_TODAY")
    if not fixed:
        return None
    try:
        return date.fromisoformat(fixed.strip())
    except ValueError:
        raise SettingInvalid(
            f"CCP_TODAY={fixed!r} is not an ISO date like 2027-02-20; "
            "correct it, or unset CCP_TODAY to use today's date"
        ) from None


@contextmanager
def as_of(day: date) -> Iterator[None]:
    """Run as if on `day`: the demo walks through weeks of panel work in one go."""
    token = _AS_OF.set(day)
    try:
        yield
    finally:
        _AS_OF.reset(token)


def as_date(value: Any) -> date | None:
    """A date cell's date (a date and time counts as its day); None for blank or not a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def iso_or_typed(value: Any) -> str | None:
    """A date cell as ISO; a value that is not a date as typed; None for a blank cell."""
    day = as_date(value)
    if day is not None:
        return day.isoformat()
    return str(value) if value not in (None, "") else None
