"""What every view shares: errors shown as the GOV.UK error summary, dates from forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from workflow.core.errors import CcpError, FormInvalid


@dataclass
class Issue:
    """One problem for the error summary: its text and the field on the page it concerns."""

    text: str
    anchor: str  # the id of the page's field to fix (the file input for a file's problems)


def issues_of(err: CcpError, anchor: str) -> list[Issue]:
    """Every problem the library found, one per line, each linked to the page's field."""
    if isinstance(err, FormInvalid):
        return [Issue(f"{err.path.name}: {problem}", anchor) for problem in err.problems]
    return [Issue(line, anchor) for line in err.lines()]


class FieldInvalid(CcpError):
    """Raised when a field of a page's form holds what it cannot (a date that is not one)."""


def form_date(value: str | None, what: str) -> date | None:
    """An ISO date from a form's field; blank is None, anything else not a date refused."""
    if not value or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise FieldInvalid(f"{what}: {value!r} is not a date like 2027-03-11") from None


def text_or_none(value: Any) -> str | None:
    text = str(value or "").strip()
    return text or None


def status_for(err: CcpError) -> int:
    """409 when the environment is in the way (the register open in Excel), else 400."""
    return 409 if err.exit_code == 3 else 400
