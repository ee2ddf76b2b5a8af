"""Registers made by an older ccp, brought to today's layout as they are read."""

from __future__ import annotations

from datetime import date
from typing import Any

_LEGACY_HASH_HEADER = "SHA-256"


def legacy_hash(row: dict[str, Any]) -> str | None:
    value = row.get(_LEGACY_HASH_HEADER)
    return str(value).strip().lower() if value else None


def migrate_signatures(register: Any) -> int:
    """Registers made before the `Signatures` sheet kept one Meetings row per signed file
    (with 'Minutes file' and 'SHA-256' columns): those rows move to `Signatures`."""
    if _LEGACY_HASH_HEADER not in register.keys("Meetings"):
        return 0
    moved = 0
    for row in list(register.rows("Meetings")):
        digest = legacy_hash(row)
        if not digest:
            continue
        if not register.find("Signatures", sha256=digest):
            signed_on = row.get("Signed on")
            register.append(
                "Signatures",
                {
                    "meeting": row.get("meeting"),
                    "version": row.get("version") if isinstance(row.get("version"), int) else 1,
                    "file": _text(row.get("Minutes file")),
                    "sha256": digest,
                    "signed_by": _text(row.get("Signed by")),
                    "signed_on": signed_on if isinstance(signed_on, date) else None,
                },
            )
        register.remove("Meetings", row)
        moved += 1
    if moved:
        register.audit(
            command="register",
            action="moved signed-file rows",
            target="Signatures",
            detail=f"{moved} signed-file row(s) moved from Meetings to Signatures",
        )
    return moved


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
