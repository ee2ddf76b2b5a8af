"""The access log: who opened which case's page, and when (append-only, in the workspace)."""

from __future__ import annotations

import csv
import getpass
from datetime import datetime

from workflow.workspace.paths import Workspace

ACCESS_LOG = "access-log.csv"
HEADER = ["when", "case_id", "user"]


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name, e.g. a container without a passwd entry
        return "unknown"


def record_view(workspace: Workspace, case_id: str) -> None:
    """Append one line; the file is only ever opened for appending, never rewritten."""
    path = workspace.root / ACCESS_LOG
    new = not path.exists()
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(HEADER)
        writer.writerow([datetime.now().isoformat(timespec="seconds"), case_id, os_user()])


def read_access_log(workspace: Workspace) -> list[dict[str, str]]:
    path = workspace.root / ACCESS_LOG
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
