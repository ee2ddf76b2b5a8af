"""What every test shares: the data folder, the fixed day, and writing a YAML file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

DATA = Path(__file__).parent / "data"
TODAY = "2027-02-20"


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def skip_posix_only_on_windows(items: list[Any], platform: str) -> None:
    """`posix_only` tests need what Windows lacks (fork, SIGKILL, FIFOs, file modes); they
    run everywhere else. The Windows behaviour itself is tested through `windows_like`."""
    if platform != "win32":
        return
    skip = pytest.mark.skip(reason="needs fork, signals, FIFOs or POSIX file modes")
    for item in items:
        if item.get_closest_marker("posix_only"):
            item.add_marker(skip)
