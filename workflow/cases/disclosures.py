"""The Disclosures sheet: one row per document released, and `ccp disclosures` over it.

Each step that releases a document (the pack, signing, reminders, a subject access
bundle, the annual report) calls ``record_release`` inside its own register transaction,
so a row exists exactly when the step committed. ``disclosures_for_case`` answers "who has
been sent what about this child".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from workflow.cases.access import plain
from workflow.contract.terms import DISCLOSURE_PURPOSES
from workflow.core.csv_text import csv_rows
from workflow.core.dates import as_date, today, uk_date
from workflow.register import Register, current_user
from workflow.workspace.paths import Workspace

SHEET = "Disclosures"
CASE_SEPARATOR = "; "
FIELDS = (
    "date",
    "recipient",
    "agency",
    "case_ids",
    "file",
    "sha256",
    "purpose",
    "lawful_basis",
    "released_by",
)


@dataclass(frozen=True)
class Release:
    """One document released to one person, before it is recorded."""

    recipient: str
    agency: str
    case_ids: tuple[str, ...]
    file: str  # relative to the workspace, forward slashes
    sha256: str
    purpose: str


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record_release(
    register: Any,
    workspace: Workspace,
    release: Release,
    *,
    when: date | None = None,
    released_by: str | None = None,
) -> dict[str, Any]:
    """Append the row for one released document (inside the caller's transaction)."""
    if release.purpose not in DISCLOSURE_PURPOSES:
        raise ValueError(f"unknown disclosure purpose {release.purpose!r}")
    return register.append(
        SHEET,
        {
            "date": when or today(),
            "recipient": release.recipient,
            "agency": release.agency or None,
            "case_ids": CASE_SEPARATOR.join(release.case_ids) or None,
            "file": release.file,
            "sha256": release.sha256,
            "purpose": release.purpose,
            "lawful_basis": workspace.panel.lawful_basis,
            "released_by": released_by or current_user(),
        },
    )


def record_releases(
    register: Any, workspace: Workspace, releases: Iterable[Release], **options: Any
) -> int:
    count = 0
    for release in releases:
        record_release(register, workspace, release, **options)
        count += 1
    return count


def case_ids_of(row: dict[str, Any]) -> list[str]:
    text = str(row.get("case_ids") or "").replace("\n", ";").replace(",", ";")
    return [part.strip() for part in text.split(";") if part.strip()]


def _plain_row(row: dict[str, Any]) -> dict[str, Any]:
    day = as_date(row.get("date"))
    return {
        "date": day.isoformat() if day else str(row.get("date") or ""),
        "recipient": str(row.get("recipient") or ""),
        "agency": str(row.get("agency") or ""),
        "case_ids": case_ids_of(row),
        "file": str(row.get("file") or ""),
        "sha256": str(row.get("sha256") or "").strip().lower(),
        "purpose": str(row.get("purpose") or ""),
        "lawful_basis": str(row.get("lawful_basis") or ""),
        "released_by": str(row.get("released_by") or ""),
    }


def disclosures_of(register: Any) -> list[dict[str, Any]]:
    """Every Disclosures row of an open register, plainly typed (ISO dates, ID lists)."""
    return _rows(register)


def _rows(register: Any) -> list[dict[str, Any]]:
    if not register.has_sheet(SHEET):
        return []
    return [_plain_row(row) for row in register.rows(SHEET) if any(row.values())]


def disclosures_for_case(workspace: Workspace, case_id: str) -> list[dict[str, Any]]:
    """Every document released that holds the case, oldest first (ISO dates, case IDs a
    list): for `ccp disclosures --case` and a subject access bundle."""
    workspace.require()
    return list_disclosures(workspace, case_id=case_id)


def list_disclosures(
    workspace: Workspace, *, case_id: str | None = None, recipient: str | None = None
) -> list[dict[str, Any]]:
    """The Disclosures rows, filtered by the case they hold and the person sent them."""
    workspace.require()
    register = Register.load(workspace.register_file)
    rows = _rows(register)
    if case_id:
        rows = [row for row in rows if case_id.strip() in row["case_ids"]]
    if recipient:
        rows = [row for row in rows if plain(recipient) == plain(row["recipient"])]
    return _sorted(rows)


def copies_of(register: Any, sha256: str) -> list[dict[str, Any]]:
    """The releases of exactly this file (by its SHA-256): whose copy it is."""
    return [row for row in _rows(register) if row["sha256"] == sha256.lower()]


def whose_copy(copies: list[dict[str, Any]]) -> str:
    """ "; sent to NAME (AGENCY) on DATE as ..." for `ccp verify`, or "" if never released."""
    if not copies:
        return ""
    people = []
    for row in copies:
        when = _shown(row["date"])
        agency = f" ({row['agency']})" if row["agency"] else ""
        people.append(f"{row['recipient']}{agency} on {when} as {row['purpose']}")
    return "; sent to " + ", ".join(dict.fromkeys(people))


def _shown(iso: str) -> str:
    try:
        return uk_date(date.fromisoformat(iso))
    except ValueError:
        return iso


def _sorted(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: (row["date"], row["file"], plain(row["recipient"])))


# --- showing them ----------------------------------------------------------------------------


def disclosures_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps({"disclosures": rows}, indent=2, ensure_ascii=False) + "\n"


def disclosures_csv(rows: list[dict[str, Any]]) -> str:
    return csv_rows(
        FIELDS, ({**row, "case_ids": CASE_SEPARATOR.join(row["case_ids"])} for row in rows)
    )


def disclosures_table(rows: list[dict[str, Any]], *, heading: str = "") -> str:
    """For a person: one block per release (date, to whom, what, why), and a count."""
    lines = [heading, ""] if heading else []
    for row in rows:
        when = _shown(row["date"])
        to = row["recipient"] + (f" ({row['agency']})" if row["agency"] else "")
        lines.append(f"{when}  {to}  {row['purpose']}")
        lines.append(f"    {row['file']}  sha256 {row['sha256'][:16]}")
        lines.append(f"    cases: {', '.join(row['case_ids']) or '-'}; by {row['released_by']}")
    count = len(rows)
    lines.append(f"{count} document{'' if count == 1 else 's'} released")
    return "\n".join(lines) + "\n"
