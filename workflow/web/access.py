"""The access log: who opened which case's page, and when (append-only, in the workspace)."""

from __future__ import annotations

import csv
import os
from datetime import datetime

from workflow.core.csv_text import csv_line
from workflow.register.lock import current_user
from workflow.workspace.paths import Workspace
from workflow.workspace.privacy import file_mode

ACCESS_LOG = "access-log.csv"
HEADER = ["when", "case_id", "user"]


def _line(values: list[str]) -> bytes:
    return csv_line(values).encode("utf-8")


def record_view(workspace: Workspace, case_id: str) -> None:
    """Append one line. The file is only ever opened for appending (O_APPEND: two tabs
    viewing at once each add a whole line), never rewritten, with the workspace's mode."""
    path = workspace.root / ACCESS_LOG
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags, file_mode(workspace))
    with os.fdopen(descriptor, "ab") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            handle.write(_line(HEADER))
        handle.write(_line([datetime.now().isoformat(timespec="seconds"), case_id, current_user()]))


def read_access_log(workspace: Workspace) -> list[dict[str, str]]:
    path = workspace.root / ACCESS_LOG
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
