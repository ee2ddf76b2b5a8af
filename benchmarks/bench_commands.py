"""Benchmark: the register-writing commands as a user runs them, at two sizes of history.

Builds bench_scale's ten years of a panel twice: as it is (600 cases, 6,000 actions, 20,000
audit rows) and ten times as busy (6,000 / 60,000 / 200,000: a regional panel, or ten county
panels' worth). Then runs `ccp referral add`, `ccp actions update`, `ccp minutes draft` and
`ccp minutes record` on each, every run a new process (imports included, as a user waits),
and prints the medians side by side with their ratio. Issue 21's budgets: under 0.6 s at
ten years and under 1.5 s at ten times that. (Earlier aim, issue 9: under 1 s at the
larger size, a ratio under 2.) (bench_register.py times the register's own part in-process,
where the fixed costs are small and the ratio is much larger.)

Run:  python benchmarks/bench_commands.py     (about three minutes)
"""

from __future__ import annotations

import copy
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
import bench_scale  # noqa: E402  (the one builder of a realistic history)

RUNS = 3
SCALES = (1, 10)


def build(root: Path, scale: int) -> None:
    cases, audit = bench_scale.CASES, bench_scale.AUDIT_ROWS
    bench_scale.CASES, bench_scale.AUDIT_ROWS = cases * scale, audit * scale
    try:
        bench_scale.build(root)
    finally:
        bench_scale.CASES, bench_scale.AUDIT_ROWS = cases, audit


def run(root: Path, args: list[str], today: str) -> float:
    env = {**os.environ, "CCP_TODAY": today, "CCP_USER": "bench"}
    command = [sys.executable, "-m", "workflow", "-w", str(root), *args]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return seconds


def measure(root: Path, scratch: Path) -> dict[str, float]:
    today = bench_scale.TODAY.isoformat()
    after = (bench_scale.MEETING + timedelta(days=1)).isoformat()
    referral = yaml.safe_load((bench_scale.DATA / "referral.yaml").read_text(encoding="utf-8"))
    referral["attachments"] = {}
    times: dict[str, list[float]] = {}
    for number in range(RUNS):
        data = copy.deepcopy(referral)
        data["child"]["local_id"] = f"NEW-{number:04d}"
        path = scratch / f"referral-{number}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        times.setdefault("referral add", []).append(
            run(root, ["referral", "add", str(path)], today)
        )
    opened = _open_actions(root, RUNS)
    for action_id in opened:
        times.setdefault("actions update", []).append(
            run(root, ["actions", "update", action_id, "--status", "Completed"], today)
        )
    meeting = bench_scale.MEETING.isoformat()
    for _ in range(RUNS):
        times.setdefault("minutes draft", []).append(
            run(root, ["minutes", "draft", meeting, "--force"], after)
        )
    done = bench_scale.complete_minutes(
        root / "meetings" / meeting / "minutes.yaml", scratch / "minutes.yaml"
    )
    for _ in range(RUNS):
        # The first run records; the others record the same minutes again (before signing).
        times.setdefault("minutes record", []).append(
            run(root, ["minutes", "record", str(done)], after)
        )
    return {label: statistics.median(runs) for label, runs in times.items()}


def _open_actions(root: Path, count: int) -> list[str]:
    from workflow.register import Register

    register = Register.load(root / "register.xlsx")
    rows = register.select("Actions", "status", ["Open"])
    return [str(row["action_id"]) for row in rows[:count]]


def main() -> None:
    results: dict[int, dict[str, float]] = {}
    sizes: dict[int, int] = {}
    for scale in SCALES:
        scratch = Path(tempfile.mkdtemp(prefix="ccp-bench-commands-"))
        try:
            root = scratch / "panel"
            began = time.perf_counter()
            build(root, scale)
            sizes[scale] = (root / "register.xlsx").stat().st_size
            print(
                f"built {bench_scale.CASES * scale:,} cases in {time.perf_counter() - began:.0f} s "
                f"(register {sizes[scale] / 1024:,.0f} KiB)",
                file=sys.stderr,
            )
            results[scale] = measure(root, scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    small, large = SCALES
    print(
        f"{'':18}{bench_scale.CASES * small:>7,} cases{bench_scale.CASES * large:>8,} cases"
        f"   ratio   (median of {RUNS}, new process each; budget < 0.6 s / < 1.5 s)"
    )
    for label in results[small]:
        a, b = results[small][label], results[large][label]
        print(f"{label:18}{a:>11.2f} s{b:>12.2f} s{b / a:>8.2f}")
    print(f"{'register':18}{sizes[small] / 1024:>9,.0f} KiB{sizes[large] / 1024:>10,.0f} KiB")


if __name__ == "__main__":
    main()
