"""Benchmark: `ccp actions list --overdue` and `ccp actions update` at 6,000 cases.

Run:  python benchmarks/bench_actions.py
Aim: each command under 1 s with 6,000 cases and 60,000 actions (a new process each
time, imports included, as a user runs it). Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
RUNS = 5
CASES = 6_000


def busy_workspace(root: Path) -> None:
    """A workspace whose register is bench_register's busy register, 6,000 cases large."""
    sys.path.insert(0, str(Path(__file__).parent))
    import bench_register

    from workflow.workspace.initialise import init_workspace

    bench_register.CASES = CASES  # the one builder both benchmarks use, made larger
    init_workspace(root, panel_yaml=(DATA / "panel.yaml").read_text(encoding="utf-8"))
    bench_register.busy_register().save(
        root / "register.xlsx", backups_dir=root / "backups", keep_backups=5
    )


def wall(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, check=True, env=env, capture_output=True, text=True)
    return time.perf_counter() - started, done.stdout


def main() -> None:
    env = {**os.environ, "CCP_TODAY": "2027-02-20", "CCP_USER": "bench"}
    with tempfile.TemporaryDirectory() as scratch:
        workspace = Path(scratch) / "panel"
        started = time.perf_counter()
        busy_workspace(workspace)
        size = (workspace / "register.xlsx").stat().st_size / 1024
        print(
            f"built a register of {CASES:,} cases, {CASES * 10:,} actions in "
            f"{time.perf_counter() - started:.1f} s ({size:,.0f} KiB)"
        )
        ccp = [sys.executable, "-m", "workflow", "-w", str(workspace)]

        listed = [wall([*ccp, "actions", "list", "--overdue"], env) for _ in range(RUNS)]
        foot = listed[0][1].splitlines()[-1]
        as_json = [
            wall([*ccp, "actions", "list", "--overdue", "--format", "json"], env)[0]
            for _ in range(RUNS)
        ]
        # Each run completes another open action (every third action of a case is open).
        updates = [
            wall(
                [*ccp, "actions", "update", f"CCP-2026-{number:04d}-A3", "--status", "Completed"],
                env,
            )[0]
            for number in range(1, RUNS + 1)
        ]

    def figure(times: list[float]) -> str:
        return (
            f"median {statistics.median(times):.2f} s "
            f"(min {min(times):.2f}, max {max(times):.2f}; aim < 1 s)"
        )

    print(f"ccp actions list --overdue          {figure([t for t, _ in listed])}")
    print(f"  ({foot})")
    print(f"ccp actions list --overdue (json)   {figure(as_json)}")
    print(f"ccp actions update ID --status ...  {figure(updates)}")


if __name__ == "__main__":
    main()
