"""Benchmark: `ccp --help` start-up, and `ccp referral add` into a busy register.

Run:  python benchmarks/bench_cli.py
Aims: --help under 150 ms; referral add under 1 s with 500 cases and 5,000 actions.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
RUNS = 5


def wall(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, cwd=cwd, capture_output=True)
    return time.perf_counter() - start


def busy_workspace(root: Path) -> None:
    """A workspace whose register holds bench_register's 500 cases and 5,000 actions."""
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_register import busy_register

    from workflow.workspace.initialise import init_workspace

    init_workspace(root, panel_yaml=(DATA / "panel.yaml").read_text(encoding="utf-8"))
    busy_register().save(root / "register.xlsx", backups_dir=root / "backups", keep_backups=5)


def main() -> None:
    env = {**os.environ, "CCP_TODAY": "2027-02-20", "CCP_USER": "bench"}
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        ccp = [sys.executable, "-m", "workflow"]
        helps = [wall([*ccp, "--help"], env, base) for _ in range(RUNS * 2)]
        print(f"ccp --help: median {statistics.median(helps) * 1000:.0f} ms (aim < 150 ms)")

        template = base / "template"
        started = time.perf_counter()
        busy_workspace(template)
        print(
            f"built a register of 500 cases, 5,000 actions in {time.perf_counter() - started:.1f} s"
            f" ({(template / 'register.xlsx').stat().st_size / 1024:.0f} KiB)"
        )

        times = []
        for run in range(RUNS):
            workspace = base / f"run-{run}"
            shutil.copytree(template, workspace)
            shutil.copytree(DATA / "papers", base / "papers", dirs_exist_ok=True)
            shutil.copy(DATA / "referral.yaml", base / "referral.yaml")
            times.append(
                wall(
                    [*ccp, "-w", str(workspace), "referral", "add", str(base / "referral.yaml")],
                    env,
                    base,
                )
            )
        print(
            f"ccp referral add (500 cases, 5,000 actions): median {statistics.median(times):.2f} s"
            f" (min {min(times):.2f}, max {max(times):.2f}; aim < 1 s)"
        )


if __name__ == "__main__":
    main()
