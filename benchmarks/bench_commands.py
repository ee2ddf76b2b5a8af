"""Benchmark: the register-writing commands as a user runs them, at two sizes of history.

Builds bench_scale's ten years of a panel twice: as it is (600 cases, 6,000 actions, 20,000
audit rows) and ten times as busy (6,000 / 60,000 / 200,000: a regional panel, or ten county
panels' worth). Then runs `ccp referral add`, `ccp actions update`, `ccp minutes draft` and
`ccp minutes record` on each, every run a new process (imports included, as a user waits),
and prints the medians side by side with their ratio: wall time, CPU time (user + system:
what the command costs on a machine others share) and peak resident memory, as a multiple
of the register file. Issue 21's budgets: under 0.6 s at ten years and under 1.5 s at ten
times that; peak memory under 10x the file (what grows with the register: the peak above
the same command's on a register of 60 cases). (bench_register.py times the
register's own part in-process, where the fixed costs are small.)

Run:  python benchmarks/bench_commands.py [--built DIR] [--runs N]   (about three minutes)
      --built DIR  build the workspaces into DIR once and reuse them next time (each run
                   works on a copy)
"""

from __future__ import annotations

import argparse
import compileall
import copy
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
import bench_scale  # noqa: E402  (the one builder of a realistic history)

RUNS = 3
SCALES = (1, 10)
# The same commands on a register of 60 cases: what a command holds whatever the register's
# size (its imports, its documents), taken from the peaks above to give what grows with it.
TINY = 0.1


@dataclass
class Run:
    wall: float
    cpu: float | None  # user + system seconds of the child (None where unknown: Windows)
    peak: int | None  # peak resident bytes of the child


def build(root: Path, scale: float) -> None:
    cases, audit = bench_scale.CASES, bench_scale.AUDIT_ROWS
    bench_scale.CASES, bench_scale.AUDIT_ROWS = int(cases * scale), int(audit * scale)
    try:
        bench_scale.build(root)
    finally:
        bench_scale.CASES, bench_scale.AUDIT_ROWS = cases, audit


def run(root: Path, args: list[str], today: str) -> Run:
    command = [sys.executable, "-m", "workflow", "-w", str(root), *args]
    return child(command, {**os.environ, "CCP_TODAY": today, "CCP_USER": "bench"})


# Runs a command and reports its own wall time, CPU time and peak resident size. A small
# process of its own: on Linux a child's peak counts its parent's size when it started, and
# this benchmark's own process holds a built register.
RUNNER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
error = process.stderr.read()
_, status, usage = os.wait4(process.pid, 0)
wall = time.perf_counter() - started
peak = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
code = os.waitstatus_to_exitcode(status)
print(json.dumps([code, wall, usage.ru_utime + usage.ru_stime, peak, error.decode()]))
"""


def child(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Run ``command``; its wall time and, where the system says (os.wait4: POSIX), its
    own CPU time and peak resident size."""
    if hasattr(os, "wait4"):
        done = subprocess.run(
            [sys.executable, "-c", RUNNER, *command],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        code, wall, cpu, peak, error = json.loads(done.stdout)
    else:
        started = time.perf_counter()
        finished = subprocess.run(command, env=env, capture_output=True, text=True)
        wall, cpu, peak = time.perf_counter() - started, None, None
        code, error = finished.returncode, finished.stderr
    if code:
        raise SystemExit(f"{' '.join(command)} failed ({code}): {error.strip()}")
    return Run(wall, cpu, peak)


def measure(root: Path, scratch: Path) -> dict[str, list[Run]]:
    today = bench_scale.TODAY.isoformat()
    after = (bench_scale.MEETING + timedelta(days=1)).isoformat()
    referral = yaml.safe_load((bench_scale.DATA / "referral.yaml").read_text(encoding="utf-8"))
    referral["attachments"] = {}
    times: dict[str, list[Run]] = {}
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
    return times


def _open_actions(root: Path, count: int) -> list[str]:
    from workflow.register import Register

    register = Register.load(root / "register.xlsx")
    rows = register.select("Actions", "status", ["Open"])
    return [str(row["action_id"]) for row in rows[:count]]


def main() -> None:
    global RUNS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--built", type=Path, help="keep the built workspaces here, reuse them")
    parser.add_argument("--runs", type=int, default=RUNS)
    arguments = parser.parse_args()
    RUNS = arguments.runs
    # As `pip install` leaves ccp: its modules compiled to bytecode once. Without this, a
    # source checkout under PYTHONDONTWRITEBYTECODE compiles every module again on each run
    # (about 0.1 s of each command's time here), which no user's installed ccp does.
    compileall.compile_dir(bench_scale.ROOT / "workflow", quiet=1)
    results: dict[int, dict[str, list[Run]]] = {}
    sizes: dict[int, int] = {}
    for scale in (TINY, *SCALES):
        scratch = Path(tempfile.mkdtemp(prefix="ccp-bench-commands-"))
        try:
            root = scratch / "panel"
            kept = arguments.built / f"scale-{scale}" if arguments.built else None
            if kept is None or not (kept / "register.xlsx").exists():
                began = time.perf_counter()
                build(kept or root, scale)
                print(
                    f"built {int(bench_scale.CASES * scale):,} cases in "
                    f"{time.perf_counter() - began:.0f} s",
                    file=sys.stderr,
                )
            if kept is not None:
                shutil.copytree(kept, root, symlinks=True)
            sizes[scale] = (root / "register.xlsx").stat().st_size
            results[scale] = measure(root, scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    small, large = SCALES
    print(
        f"{'':16}{bench_scale.CASES * small:>7,} cases: wall   cpu  peak  grown"
        f"{bench_scale.CASES * large:>8,} cases: wall   cpu  peak  grown"
    )
    for label in results[small]:
        tiny = median(results[TINY][label], "peak")
        cells = []
        for scale in SCALES:
            runs = results[scale][label]
            wall, cpu, peak = (median(runs, field) for field in ("wall", "cpu", "peak"))
            grown = None if peak is None or tiny is None else (peak - tiny) / sizes[scale]
            cells.append(
                f"{wall:>18.2f}"
                + (f"{cpu:>6.2f}" if cpu is not None else "     -")
                + (f"{peak / 2**20:>5.0f}M" if peak is not None else "     -")
                + (f"{grown:>6.1f}x" if grown is not None else "      -")
            )
        print(f"{label:16}" + "".join(cells))
    print(f"{'register':16}{sizes[small] / 1024:>17,.0f} KiB{sizes[large] / 1024:>31,.0f} KiB")
    print(
        f"seconds, median of {RUNS} runs, each a new process (cpu: user + system); peak: "
        "resident MiB; grown: the peak above the same command's on a 60-case register, as a "
        "multiple of the register file. Budgets: wall < 0.6 s / < 1.5 s; grown < 10x"
    )


def median(runs: list[Run], field: str) -> float | None:
    values = [getattr(run, field) for run in runs]
    return None if None in values else statistics.median(values)


if __name__ == "__main__":
    main()
