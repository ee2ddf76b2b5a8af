"""The words and identifiers every part of ccp shares: statuses, case and action IDs.

Each is defined here once; the register's drop-down lists, the rules, the agenda, the
annual report and the commands all import them.
"""

from __future__ import annotations

import re
from typing import Any

MEETING_STATUSES = ("scheduled", "pack sent", "minuted", "signed", "amended")
RECORDED_MEETING_STATUSES = ("minuted", "signed", "amended")
CASE_STATUSES = ("open", "closed")
COMPLETED, CANCELLED = "Completed", "Cancelled"
ACTION_STATUSES = ("Open", "In progress", COMPLETED, CANCELLED)
OPEN_ACTION_STATUSES = ("Open", "In progress")
CLOSED_ACTION_STATUSES = (COMPLETED, CANCELLED)
# Why an action was closed without being done (ToR 12: panels review these differently).
REASONS_NOT_DONE = ("circumstances changed", "not undertaken")
# Why a document left the panel office (the register's Disclosures sheet, issue 23).
CIRCULATION, EXTRACT, REMINDER = "circulation pack", "minutes extract", "reminder"
SUBJECT_ACCESS, ANNUAL_REPORT = "subject access", "annual report"
DISCLOSURE_PURPOSES = (CIRCULATION, EXTRACT, REMINDER, SUBJECT_ACCESS, ANNUAL_REPORT)

# CCP-2027-004; its actions CCP-2027-004-A2; a meeting's strategic items SI-2027-03-11-A1.
CASE_ID = re.compile(r"CCP-(\d{4})-(\d{3,})")
CASE_ID_PATTERN = r"^CCP-\d{4}-\d{3,}$"
ACTION_ID = re.compile(r"^(CCP-\d{4}-\d{3,}|SI-\d{4}-\d{2}-\d{2})-A(\d+)$")


def is_open_status(value: Any) -> bool:
    """An action still to do: Open or In progress, in any capitals; a blank status is Open
    (a row typed by hand without one)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    return str(value).strip().casefold() in {status.casefold() for status in OPEN_ACTION_STATUSES}
