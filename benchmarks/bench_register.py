"""Benchmark: what a command pays to edit the register, at two sizes of history.

Run:  python benchmarks/bench_register.py            (both sizes, about a minute to build)
      python benchmarks/bench_register.py --profile  (cProfile of each step at the larger size)

Register-level stand-ins for the commands, each reading the sheets the command needs:
``referral add`` (Cases searched for the child's local ID, Cases and Audit for the year's
case numbers, Meetings read; append a case and a meeting; audit; save),
``minutes record`` (the rows of the minuted case found by ``Register.select``, and every
open action, each of which gains a carried-forward count; append 10 actions, 2 resources,
2 progress rows; audit; save) and ``actions update`` (one action found by its ID). Each is timed
at 600 cases / 6,000 actions and at 6,000 / 60,000 and printed side by side with the ratio;
peak memory is measured in a fresh process (Python's own, with tracemalloc, and the
process's resident growth, which includes python-calamine's) against the file size.
Budgets (issue 21): every command under 0.6 s at ten years and under 1.5 s at ten times
that (whole command, new process: bench_commands.py), peak memory under 10x the file.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from workflow.register import Register

RUNS = 5
SIZES = (600, 6_000)  # cases; ten actions each
ACTIONS_PER_CASE = 10
CASES = 500  # bench_cli's register (busy_register() with no argument)
AUDIT_PER_CASE = 4


def busy_register(cases: int | None = None) -> Register:
    """A register after years of meetings: ``cases`` cases, ten actions each, their audit."""
    cases = CASES if cases is None else cases
    register = Register.create()
    first = date(2020, 1, 9)
    meetings = [first + timedelta(days=56 * n) for n in range(max(cases // 10, 12))]
    for meeting in meetings:
        register.append(
            "Meetings",
            {"meeting": meeting, "status": "signed", "chair": "A Fictional Chair", "version": 1},
        )
    start = datetime(2020, 1, 1, 9, 0)
    for number in range(1, cases + 1):
        case_id = f"CCP-2026-{number:04d}"
        meeting = meetings[number * len(meetings) // (cases + 1)]
        register.append(
            "Cases",
            {
                "case_id": case_id,
                "local_id": f"BENCH-{number:06d}",
                "child_name": f"Fictional Child {number}",
                "date_of_birth": date(2011, 1, 1) + timedelta(days=number % 3000),
                "referral_date": meeting - timedelta(days=20),
                "accepted_on": meeting - timedelta(days=18),
                "meeting": meeting,
                "referring_agency": "Children's social care",
                "referrer": "A Fictional Worker",
                "key_worker": "A Fictional Worker (Children's social care)",
                "legal_status": "Section 20 (accommodated by agreement)",
                "status": "open" if number % 4 else "closed",
                "risk_at_referral": "High",
                "risk_latest": "Medium",
                "agencies": "Children's social care; Police; Health",
                "criteria": "High-risk young person",
                "next_progress_due": meeting + timedelta(days=112),
                "escalated": False,
            },
        )
        for action in range(1, ACTIONS_PER_CASE + 1):
            register.append(
                "Actions",
                {
                    "action_id": f"{case_id}-A{action}",
                    "case_id": case_id,
                    "meeting": meeting,
                    "action": "Convene a strategy meeting with police and health about "
                    "the missing episodes, and share the safety plan with the school",
                    "agency": "Police",
                    "owner": "A Fictional Officer",
                    "due": meeting + timedelta(days=28),
                    "status": "Completed" if action % 3 else "Open",
                    "completed_on": meeting + timedelta(days=20) if action % 3 else None,
                    "carried_forward": 0,
                },
            )
        for entry in range(AUDIT_PER_CASE):
            register.audit(
                command="actions update",
                action="changed status",
                target=f"{case_id}-A{entry + 1}",
                detail="Open -> Completed",
                who="bench",
                when=start + timedelta(hours=4 * number + entry),
            )
    return register


NEXT_MEETING = date(2031, 3, 13)


def referral_add(path: Path) -> None:
    """What `ccp referral add` needs of the register (referrals.py): the child's other
    cases found by local ID, the case numbers of the year ever used (searched for in Cases
    and Audit), the meeting's row; a case and a meeting appended, an audit row."""
    register = Register.load(path)
    register.select("Cases", "local_id", ["NEW-000001"])  # duplicate and open-case checks
    used = [
        int(token.split("-")[2])
        for sheet in ("Cases", "Audit")
        for token in register.tokens(sheet, "CCP-2026-")
        if token.split("-")[2].isdigit()
    ]
    case_id = f"CCP-2026-{max(used, default=0) + 1:04d}"
    register.append(
        "Cases",
        {
            "case_id": case_id,
            "local_id": "NEW-000001",
            "child_name": "A New Fictional Child",
            "date_of_birth": date(2015, 5, 5),
            "meeting": NEXT_MEETING,
            "status": "open",
            "escalated": False,
        },
    )
    if not register.find("Meetings", meeting=NEXT_MEETING):
        register.append("Meetings", {"meeting": NEXT_MEETING, "status": "scheduled"})
    register.audit(command="referral add", action="accepted referral", target=case_id)
    register.save(path, backups_dir=path.parent / "backups", keep_backups=3)


def minutes_record(path: Path) -> None:
    """What `ccp minutes record` reads and writes (recording.apply_minutes): the case IDs,
    the minuted case's actions (by ID prefix), resources, progress rows and case row, the
    open actions it carries forward (every one of them gains a count), ten new actions, a
    meeting row; an audit row."""
    register = Register.load(path)
    register.rows("Meetings")
    case_id = f"CCP-2026-{int(path.stem.split('-')[1]):04d}"  # the last case of register-N
    register.select("Cases", "case_id", [case_id])  # the record's cases exist
    register.select("Actions", "action_id", [f"{case_id}-A", "SI-2031-03-13-A"], prefix=True)
    register.select("Resources", "case_id", [case_id])
    register.select("Progress", "case_id", [case_id])
    case = register.select("Cases", "case_id", [case_id])[0]
    case["risk_latest"] = "Very high"
    case["next_progress_due"] = NEXT_MEETING + timedelta(days=56)
    open_actions = register.select("Actions", "status", ["Open", "In progress"])
    named = sorted({action["case_id"] for action in open_actions})
    closed = {
        row["case_id"]
        for row in register.select("Cases", "case_id", named)
        if row["status"] == "closed"
    }
    for action in open_actions:
        if action["case_id"] not in closed:
            action["carried_forward"] = (action.get("carried_forward") or 0) + 1
    for number in range(1, 11):
        register.append(
            "Actions",
            {
                "action_id": f"{case_id}-N{number}",
                "case_id": case_id,
                "meeting": NEXT_MEETING,
                "action": "Share the disruption plan with the school & the GP",
                "agency": "Police",
                "owner": "PC Sam Madeup",
                "due": NEXT_MEETING + timedelta(days=14),
                "status": "Open",
                "carried_forward": 0,
            },
        )
    for _ in range(2):
        register.append(
            "Resources",
            {"case_id": case_id, "meeting": NEXT_MEETING, "amount": 4800.0},
        )
        register.append("Progress", {"case_id": case_id, "due_meeting": NEXT_MEETING})
    meeting = register.find("Meetings", meeting=NEXT_MEETING)
    if meeting:
        meeting[0]["status"] = "minuted"
    register.audit(command="minutes record", action="recorded minutes", target="2031-03-13")
    register.save(path, backups_dir=path.parent / "backups", keep_backups=3)


def actions_update(path: Path) -> None:
    """What `ccp actions update` does: one action found by its ID, its status changed."""
    register = Register.load(path)
    [action] = register.select("Actions", "action_id", ["CCP-2026-0042-A3"], loose=True)
    action["status"] = "Completed"
    register.audit(command="actions update", action="changed status", target="CCP-2026-0042-A3")
    register.save(path, backups_dir=path.parent / "backups", keep_backups=3)


COMMANDS: dict[str, Callable[[Path], None]] = {
    "referral add": referral_add,
    "minutes record": minutes_record,
    "actions update": actions_update,
}

# Peak memory of one command in a fresh process, after its imports.
MEMORY = """
import json, sys, tracemalloc
from pathlib import Path
sys.path.insert(0, sys.argv[3])
import python_calamine, lxml.etree, workflow.register  # imports are not the command
from bench_register import COMMANDS
def status(field):
    with open("/proc/self/status") as lines:
        return next(int(l.split()[1]) * 1024 for l in lines if l.startswith(field))
if sys.argv[4] == "python":
    tracemalloc.start()
    COMMANDS[sys.argv[2]](Path(sys.argv[1]))
    print(json.dumps(tracemalloc.get_traced_memory()[1]))
else:
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # the peak resident size starts again from here
    base = status("VmRSS")
    COMMANDS[sys.argv[2]](Path(sys.argv[1]))
    print(json.dumps(status("VmHWM") - base))
"""


def median_seconds(step: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        step()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def memory(path: Path, command: str) -> dict[str, int]:
    """Peak growth in a fresh process: Python's allocations, and the whole process's
    resident size (python-calamine's own memory included), each in its own run."""
    peaks = {}
    for kind in ("python", "rss"):
        result = subprocess.run(
            [sys.executable, "-c", MEMORY, str(path), command, str(Path(__file__).parent), kind],
            check=True,
            capture_output=True,
            text=True,
        )
        peaks[kind] = json.loads(result.stdout)
    return peaks


def build(folder: Path, cases: int) -> Path:
    path = folder / f"register-{cases}.xlsx"
    began = time.perf_counter()
    busy_register(cases).save(path, backups_dir=folder / "backups", keep_backups=0)
    print(
        f"built {cases:,} cases / {cases * ACTIONS_PER_CASE:,} actions in "
        f"{time.perf_counter() - began:.0f} s ({path.stat().st_size / 1024:,.0f} KiB)",
        file=sys.stderr,
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="cProfile at the larger size")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        paths = {cases: build(folder, cases) for cases in SIZES}
        if arguments.profile:
            for name, command in COMMANDS.items():
                profile = cProfile.Profile()
                profile.runcall(command, paths[SIZES[-1]])
                print(f"--- {name}, {SIZES[-1]:,} cases")
                pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            return
        seconds = {
            (name, cases): median_seconds(lambda c=command, p=paths[cases]: c(p))
            for name, command in COMMANDS.items()
            for cases in SIZES
        }
        peaks = {(name, cases): memory(paths[cases], name) for name in COMMANDS for cases in SIZES}
        sizes = {cases: paths[cases].stat().st_size for cases in SIZES}

    small, large = SIZES
    print(
        f"{'':16}{small:>7,} cases{large:>8,} cases   ratio   (median of {RUNS}; "
        "budget: whole command < 0.6 s / < 1.5 s, see bench_commands.py)"
    )
    for name in COMMANDS:
        a, b = seconds[(name, small)], seconds[(name, large)]
        print(f"{name:16}{a * 1000:>10.0f} ms{b * 1000:>11.0f} ms{b / a:>8.2f}")
    print(f"{'file size':16}{sizes[small] / 1024:>9,.0f} KiB{sizes[large] / 1024:>10,.0f} KiB")
    print("peak memory, as a multiple of the file size (aim: < 10x)")
    for name in COMMANDS:
        cells = []
        for cases in SIZES:
            peak = peaks[(name, cases)]
            cells.append(
                f"python {peak['python'] / sizes[cases]:4.1f}x, "
                f"process {peak['rss'] / sizes[cases]:4.1f}x"
            )
        print(f"  {name:14}{cells[0]:>30}{cells[1]:>32}")


if __name__ == "__main__":
    main()
