"""Benchmark: read and rewrite a busy register (500 cases, 5,000 actions, 2,000 audit rows).

Run:  python benchmarks/bench_register.py
Aim: load + append + save under ~0.6 s, so that `ccp referral add` stays under 1 s.
"""

from __future__ import annotations

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
CASES = 500
ACTIONS_PER_CASE = 10
AUDIT_ROWS = 2_000


def busy_register() -> Register:
    register = Register.create()
    first = date(2025, 1, 9)
    meetings = [first + timedelta(days=56 * n) for n in range(12)]
    for meeting in meetings:
        register.append(
            "Meetings",
            {"meeting": meeting, "status": "signed", "chair": "A Fictional Chair", "version": 1},
        )
    for number in range(1, CASES + 1):
        case_id = f"CCP-2026-{number:03d}"
        meeting = meetings[number % len(meetings)]
        register.append(
            "Cases",
            {
                "case_id": case_id,
                "local_id": f"BENCH-{number:06d}",
                "child_name": f"Fictional Child {number}",
                "date_of_birth": date(2011, 1, 1) + timedelta(days=number),
                "referral_date": meeting - timedelta(days=20),
                "accepted_on": meeting - timedelta(days=18),
                "meeting": meeting,
                "referring_agency": "Children's social care",
                "referrer": "A Fictional Worker",
                "key_worker": "A Fictional Worker (Children's social care)",
                "legal_status": "Section 20 (accommodated by agreement)",
                "status": "open",
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
                },
            )
    start = datetime(2025, 1, 1, 9, 0)
    for number in range(AUDIT_ROWS):
        register.audit(
            command="actions update",
            action="changed status",
            target=f"CCP-2026-{number % CASES + 1:03d}-A1",
            detail="Open -> Completed",
            who="bench",
            when=start + timedelta(hours=number),
        )
    return register


# What one command pays: a new process, imports included, then load + append + save.
COLD = """
import sys, time
started = time.perf_counter()
from pathlib import Path
from workflow.register import Register
path = Path(sys.argv[1])
register = Register.load(path)
register.append("Cases", {"case_id": "CCP-2027-001", "status": "open"})
register.audit(command="referral add", action="accepted referral", target="x")
register.save(path, backups_dir=path.parent / "backups", keep_backups=3)
print(time.perf_counter() - started)
"""


def cold_seconds(path: Path) -> float:
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", COLD, str(path)], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(RUNS)
    ]
    return statistics.median(runs)


def median_seconds(step: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        step()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.xlsx"
        backups = Path(folder) / "backups"
        busy_register().save(path, backups_dir=backups)

        def append_and_save(register: Register) -> None:
            register.append("Cases", {"case_id": "CCP-2027-001", "status": "open"})
            register.audit(command="referral add", action="accepted referral", target="x")
            register.save(path, backups_dir=backups, keep_backups=3)

        def whole_command() -> None:
            append_and_save(Register.load(path))

        load = median_seconds(lambda: Register.load(path))
        loaded = [Register.load(path) for _ in range(RUNS)]
        save = median_seconds(lambda: append_and_save(loaded.pop()))
        whole = median_seconds(whole_command)
        cold = cold_seconds(path)
        size = path.stat().st_size

    print(f"register: {CASES} cases, {CASES * ACTIONS_PER_CASE} actions, {AUDIT_ROWS} audit rows")
    print(f"Register.load          {load * 1000:7.0f} ms")
    print(f"append + save          {save * 1000:7.0f} ms")
    print(f"load + append + save   {whole * 1000:7.0f} ms   (aim: under ~600 ms)")
    print(f"  the same, new process  {cold * 1000:5.0f} ms   (imports of calamine, openpyxl)")
    print(f"file size              {size / 1024:7.0f} KiB")


if __name__ == "__main__":
    main()
