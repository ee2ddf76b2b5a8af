"""The register's sheets and columns: what Excel shows and what the code calls them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from workflow.contract.terms import (
    ACTION_STATUSES,
    CASE_STATUSES,
    DISCLOSURE_PURPOSES,
    MEETING_STATUSES,
    REASONS_NOT_DONE,
)

KINDS = ("text", "long_text", "date", "datetime", "int", "number", "yesno", "choice")


@dataclass(frozen=True)
class Column:
    """One known column of a register sheet: what Excel shows and what Python calls it."""

    header: str
    key: str
    kind: str
    width: int
    choices: tuple[str, ...] = ()
    # A column added after registers were in use: an older register without it reads as
    # empty and gains the column (header at the right) on its next write.
    later: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.header!r}: unknown kind {self.kind!r}")
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError(f"column {self.header!r}: choices go with kind 'choice' only")


def _text(header: str, key: str, width: int = 20) -> Column:
    return Column(header, key, "text", width)


def _long(header: str, key: str, width: int = 50) -> Column:
    return Column(header, key, "long_text", width)


def _date(header: str, key: str, width: int = 12) -> Column:
    return Column(header, key, "date", width)


YES, NO = "Yes", "No"

SHEETS: dict[str, tuple[Column, ...]] = {
    "Meetings": (
        _date("Date", "meeting"),
        Column("Status", "status", "choice", 12, MEETING_STATUSES),
        _text("Chair", "chair", 22),
        _long("Present", "present"),
        _long("Apologies", "apologies", 40),
        _text("Cases discussed", "cases", 30),
        Column("Minutes version", "version", "int", 17),
        _long("Notes", "notes"),
        # The recorded minutes file this version is (its SHA-256): the register, not the
        # file, says what was recorded, so a file left by an interrupted command is known.
        Column("Record SHA-256", "record_sha256", "text", 24, later=True),
    ),
    "Cases": (
        _text("Case ID", "case_id", 16),
        _text("Local ID", "local_id", 16),
        _text("Child name", "child_name", 24),
        _date("Date of birth", "date_of_birth", 15),
        _date("Referral date", "referral_date", 15),
        _date("Accepted on", "accepted_on", 14),
        _date("Meeting", "meeting"),
        _text("Referring agency", "referring_agency", 24),
        _text("Referrer", "referrer", 22),
        _text("Key worker", "key_worker", 30),
        _text("Legal status", "legal_status", 26),
        Column("Status", "status", "choice", 10, CASE_STATUSES),
        _text("Risk at referral", "risk_at_referral", 18),
        _text("Risk latest", "risk_latest", 14),
        _long("Agencies", "agencies", 40),
        _long("Criteria", "criteria", 40),
        _date("Next progress due", "next_progress_due", 19),
        Column("Escalated", "escalated", "yesno", 12),
        _date("Closed on", "closed_on"),
        _long("Notes", "notes"),
        # Need to know (issue 23): the agencies that may see the case ("; " between them);
        # empty for a case every member sees. The chair, deputy and administrator always may.
        Column("Restricted to", "restricted_to", "long_text", 30, later=True),
        Column("Restriction reason", "restriction_reason", "long_text", 30, later=True),
    ),
    "Actions": (
        _text("Action ID", "action_id", 18),
        _text("Case ID", "case_id", 16),
        _date("Meeting", "meeting"),
        _long("Action", "action"),
        _text("Agency", "agency", 24),
        _text("Owner", "owner", 22),
        _date("Due", "due"),
        Column("Status", "status", "choice", 14, ACTION_STATUSES),
        _date("Completed on", "completed_on", 15),
        Column("Carried forward", "carried_forward", "int", 17, later=True),
        Column("Reason not done", "reason_not_done", "choice", 22, REASONS_NOT_DONE, later=True),
        _long("Notes", "notes"),
    ),
    "Resources": (
        _text("Case ID", "case_id", 16),
        _date("Meeting", "meeting"),
        _text("Agency", "agency", 24),
        _long("Description", "description"),
        Column("Amount", "amount", "number", 12),
        Column("Confirmed", "confirmed", "yesno", 12),
        _long("Notes", "notes"),
    ),
    "Progress": (
        _text("Case ID", "case_id", 16),
        _date("Due meeting", "due_meeting", 14),
        _text("Format", "format", 12),
        _date("Received on", "received_on", 14),
        _text("File", "file", 40),
        _long("Notes", "notes"),
    ),
    "Signatures": (
        _date("Meeting", "meeting"),
        Column("Version", "version", "int", 10),
        _text("File", "file", 44),
        _text("SHA-256", "sha256", 24),
        _text("Signed by", "signed_by", 22),
        _text("Role", "role", 14),
        _date("Signed on", "signed_on"),
        Column("Superseded by", "superseded_by", "int", 15),
        # A limited version of the minutes (issue 23): the restricted cases it leaves out.
        Column("Leaves out", "leaves_out", "text", 24, later=True),
    ),
    "Audit": (
        Column("When", "when", "datetime", 17),
        _text("Who", "who", 16),
        _text("Command", "command", 18),
        _text("Action", "action", 24),
        _text("Target", "target", 18),
        _long("Detail", "detail", 60),
    ),
    # One row per document released to someone outside the panel office (issue 23; the
    # ICO's data sharing code: what was shared, with whom, when, why, on what basis).
    "Disclosures": (
        _date("Date", "date"),
        _text("Recipient", "recipient", 24),
        _text("Agency", "agency", 22),
        _long("Case IDs", "case_ids", 30),
        _text("File", "file", 44),
        _text("SHA-256", "sha256", 24),
        Column("Purpose", "purpose", "choice", 20, DISCLOSURE_PURPOSES),
        _long("Lawful basis", "lawful_basis", 40),
        _text("Released by", "released_by", 18),
    ),
    # Legal holds: a case on hold is never disposed of (``ccp retention hold``).
    "Retention holds": (
        _text("Case ID", "case_id", 16),
        _long("Reason", "reason"),
        _text("Placed by", "placed_by", 22),
        _date("Placed on", "placed_on"),
        _date("Lifted on", "lifted_on"),
        _text("Lifted by", "lifted_by", 22),
    ),
    # What disposal destroyed, one row per file or register entry: never destroyed itself.
    "Tombstones": (
        _text("Case ID", "case_id", 16),
        _date("Destroyed on", "destroyed_on", 14),
        _text("Authorised by", "authorised_by", 22),
        _text("What", "what", 50),
        _text("SHA-256", "sha256", 24),
        _long("Reason", "reason", 50),
        _text("Disposal", "disposal", 20),
    ),
}

# Past years' Audit rows stay on the tab they were written to, renamed at the year's turn
# (see ``audit_years``): "Audit to 2026" holds every change up to the end of 2026.
AUDIT_ARCHIVE = re.compile(r"Audit to (\d{4})", re.IGNORECASE)


def audit_archive(year: int) -> str:
    """The tab holding the Audit rows written up to the end of ``year``."""
    return f"Audit to {year}"


DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
TIME_FORMAT = "hh:mm"
# Excel refuses longer cell text, and openpyxl would silently cut it.
MAX_CELL_TEXT = 32_767
# Validation lists and the overdue highlight reach this far below the last row, so rows an
# administrator adds by hand between runs get the drop-down too (the next save extends it).
HEADROOM_ROWS = 1000
OVERDUE_FILL = "FFFFC7CE"  # Excel's own "light red fill with dark red text"
OVERDUE_FONT = "FF9C0006"
EXTRA_COLUMN_WIDTH = 20
