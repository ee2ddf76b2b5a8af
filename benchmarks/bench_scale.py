"""Benchmark: ten years of a panel (issue 12, item 7), and where each command's time goes.

Builds a workspace holding 600 cases, 6,000 actions, 60 meetings and 20,000 audit rows (each
past year's on its own tab) through the register API (each case with its folder and case.json,
as `referral add` leaves them), then times the commands a panel administrator runs, each
in-process under cProfile: `referral add`, `pack`, `minutes record` and, where this ccp has
them, `actions list --overdue`, `actions update` and `report annual`. For each it prints the
wall time and the functions that took most of it (cumulative, package and library code).

Run:  python benchmarks/bench_scale.py [--pdf] [--top N] [--keep DIR] [--scale N]
      --pdf   also convert the pack to PDF (LibreOffice; about a second per 30 pages)
      --scale 10: 6,000 cases, 60,000 actions, 200,000 audit rows (compare with 1)
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
TODAY = date(2027, 2, 20)
MEETING = date(2027, 3, 11)
NEXT = date(2027, 5, 13)

MEETINGS = 60
CASES = 600
ACTIONS_PER_CASE = 10
AUDIT_ROWS = 20_000
NEW_THIS_MEETING = 8  # accepted through `referral add` for the meeting the pack is for


def meeting_dates() -> list[date]:
    """60 bi-monthly meetings: ten years up to 11 March 2027, then 13 May 2027."""
    dates = [MEETING - timedelta(days=int(round(60.9 * n))) for n in range(MEETINGS - 1)]
    return sorted([*dates, NEXT])


def panel_yaml(meetings: list[date]) -> str:
    panel = yaml.safe_load((DATA / "panel.yaml").read_text(encoding="utf-8"))
    panel["meetings"] = [day.isoformat() for day in meetings]
    return yaml.safe_dump(panel, sort_keys=False)


def build(root: Path) -> dict[str, float]:
    """The ten-year workspace; returns how long each part took to build."""
    from workflow.cases.store import CaseRecord
    from workflow.contract import Referral
    from workflow.core.dates import as_of
    from workflow.core.files import make_dirs, write_text
    from workflow.register import Register
    from workflow.register.audit_years import start_audit_year
    from workflow.workspace.initialise import init_workspace
    from workflow.workspace.paths import Workspace

    took: dict[str, float] = {}
    started = time.perf_counter()
    meetings = meeting_dates()
    with as_of(date(2017, 3, 1)):
        # The register began ten years ago: its first Audit row is of then.
        init_workspace(root, panel_yaml=panel_yaml(meetings))
    workspace = Workspace(root)
    register = Register.load(workspace.register_file)
    past = [day for day in meetings if day < TODAY]
    for day in meetings:
        register.append(
            "Meetings",
            {
                "meeting": day,
                "status": "signed" if day < TODAY else "scheduled",
                "chair": "Alex Sample" if day < TODAY else None,
                "version": 1 if day < TODAY else None,
            },
        )
    referral = yaml.safe_load((DATA / "referral.yaml").read_text(encoding="utf-8"))
    referral["attachments"] = {}
    historic = CASES - NEW_THIS_MEETING
    for number in range(1, historic + 1):
        meeting = past[(number - 1) * len(past) // historic]
        year = meeting.year
        case_id = f"CCP-{year}-{number:03d}"
        closed = meeting < TODAY - timedelta(days=540)
        due = next((day for day in meetings if day > meeting + timedelta(days=100)), None)
        register.append(
            "Cases",
            {
                "case_id": case_id,
                "local_id": f"BENCH-{number:06d}",
                "child_name": f"Fictional Child {number}",
                "date_of_birth": date(2008, 1, 1) + timedelta(days=number * 3),
                "referral_date": meeting - timedelta(days=20),
                "accepted_on": meeting - timedelta(days=18),
                "meeting": meeting,
                "referring_agency": "Children's social care",
                "referrer": "A Fictional Worker",
                "key_worker": "Dana Fictional (Children's social care)",
                "legal_status": "Section 20 (accommodated by agreement)",
                "status": "closed" if closed else "open",
                "risk_at_referral": "High",
                "risk_latest": "Medium",
                "agencies": "Children's social care; Police; Health",
                "criteria": "High-risk young person",
                "next_progress_due": None if closed else due,
                "escalated": number % 17 == 0,
                "closed_on": meeting + timedelta(days=400) if closed else None,
            },
        )
        for action in range(1, ACTIONS_PER_CASE + 1):
            done = closed or action % 3
            register.append(
                "Actions",
                {
                    "action_id": f"{case_id}-A{action}",
                    "case_id": case_id,
                    "meeting": meeting,
                    "action": "Convene a strategy meeting with police and health about the "
                    "missing episodes, and share the safety plan with the school",
                    "agency": ("Police", "Health", "Education", "Children's social care")[
                        action % 4
                    ],
                    "owner": "A Fictional Officer",
                    "due": meeting + timedelta(days=14 * action),
                    "status": "Completed" if done else "Open",
                    "completed_on": meeting + timedelta(days=10 * action) if done else None,
                },
            )
        data = copy.deepcopy(referral)
        data["meeting"] = meeting
        data["child"]["local_id"] = f"BENCH-{number:06d}"
        record = CaseRecord(
            case_id=case_id,
            accepted_on=meeting - timedelta(days=18),
            referral=Referral.model_validate(_fit(data, meeting)),
            attachments={"chronology": None, "risk_assessment": None, "last_review_report": None},
        )
        folder = make_dirs(workspace.case_dir(case_id) / "attachments")
        write_text(folder.parent / "case.json", record.model_dump_json(indent=2))
    took["cases, actions, case folders"] = time.perf_counter() - started
    started = time.perf_counter()
    first = datetime(2017, 3, 1, 9, 0)
    step = (datetime.combine(TODAY, datetime.min.time()) - first) / AUDIT_ROWS
    year = first.year
    for number in range(AUDIT_ROWS):
        when = (first + step * number).replace(microsecond=0)
        if when.year != year:
            # Each past year's rows on their own tab, as ccp's first change of a year leaves
            # them (``audit_years``).
            register.save(workspace.register_file, backups_dir=workspace.backups_dir)
            register = Register.load(workspace.register_file)
            with as_of(when.date()):
                start_audit_year(register, when.date())
            year = when.year
        register.audit(
            command="actions update",
            action="changed status",
            target=f"CCP-2020-{number % historic + 1:03d}-A1",
            detail="Open -> Completed",
            who="bench",
            when=when,
        )
    register.save(workspace.register_file, backups_dir=workspace.backups_dir, keep_backups=5)
    took["audit rows, save"] = time.perf_counter() - started
    return took


def _fit(data: dict[str, Any], meeting: date) -> dict[str, Any]:
    """The test referral's dates moved to fit an earlier meeting."""
    authorised = meeting - timedelta(days=20)
    data["authorised_by"]["date"] = authorised
    data["key_social_worker"]["consulted_on"] = authorised - timedelta(days=2)
    if data.get("iro"):
        data["iro"]["consulted_on"] = authorised - timedelta(days=2)
    return data


# --- timing --------------------------------------------------------------------------------------


class Bench:
    """Runs commands in this process: wall time plain, and a second run under cProfile."""

    def __init__(self, top: int):
        self.top = top
        self.times: dict[str, list[float]] = {}
        self.profiles: dict[str, tuple[float, str]] = {}

    def run(self, label: str, args: list[str], *, today: date = TODAY, profile: bool = False):
        from workflow.cli import cli

        os.environ["CCP_TODAY"] = today.isoformat()
        profiler = cProfile.Profile() if profile else None
        output = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            if profiler:
                profiler.enable()
            try:
                cli.main(args, standalone_mode=False)
            finally:
                if profiler:
                    profiler.disable()
        seconds = time.perf_counter() - started
        if profiler:
            self.profiles[label] = (seconds, self._top(profiler))
        else:
            self.times.setdefault(label, []).append(seconds)

    def _top(self, profiler: cProfile.Profile) -> str:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative")
        # Our modules and the libraries doing the work, not click's plumbing.
        stats.print_stats(
            r"workflow/(?!cli)|openpyxl|docx|pypdf|lxml|yaml|pydantic|calamine|matplotlib",
            self.top,
        )
        lines = [line for line in out.getvalue().splitlines() if line.strip()]
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        return "\n".join(line.replace(str(ROOT) + "/", "") for line in lines[start:])


def open_action(root: Path) -> str:
    from workflow.register import Register

    register = Register.load(root / "register.xlsx", sheets=["Actions"])
    return next(
        str(row["action_id"]) for row in register.rows("Actions") if row.get("status") == "Open"
    )


def complete_minutes(draft: Path, out: Path) -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    from helpers import complete_draft  # the tests' note-taker: every case completed

    return complete_draft(draft, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", action="store_true", help="also make the PDF pack")
    parser.add_argument("--top", type=int, default=12, help="profile lines per command")
    parser.add_argument("--keep", type=Path, help="build the workspace here and keep it")
    parser.add_argument(
        "--scale",
        type=int,
        default=1,
        help="N times the cases, actions and audit rows (10: a regional panel's ten years)",
    )
    options = parser.parse_args()
    global CASES, AUDIT_ROWS
    CASES, AUDIT_ROWS = CASES * options.scale, AUDIT_ROWS * options.scale
    os.environ.setdefault("CCP_USER", "bench")

    scratch = Path(tempfile.mkdtemp(prefix="ccp-bench-scale-"))
    root = options.keep or scratch / "panel"
    try:
        started = time.perf_counter()
        took = build(root)
        size = (root / "register.xlsx").stat().st_size / 1024
        print(
            f"Built ten years: {CASES - NEW_THIS_MEETING} cases, "
            f"{(CASES - NEW_THIS_MEETING) * ACTIONS_PER_CASE:,} actions, {MEETINGS} meetings, "
            f"{AUDIT_ROWS:,} audit rows in {time.perf_counter() - started:.1f} s "
            f"(register {size:,.0f} KiB)"
        )
        for part, seconds in took.items():
            print(f"  {part}: {seconds:.1f} s")

        inbox = scratch / "inbox"
        inbox.mkdir()
        shutil.copytree(DATA / "papers", inbox / "papers")
        referral = yaml.safe_load((DATA / "referral.yaml").read_text(encoding="utf-8"))
        bench = Bench(options.top)
        for number in range(NEW_THIS_MEETING):
            data = copy.deepcopy(referral)
            data["child"]["local_id"] = f"NEW-{number:04d}"
            path = inbox / f"referral-{number}.yaml"
            path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
            # The last run profiled; the others timed plainly.
            last = number == NEW_THIS_MEETING - 1
            bench.run("referral add", ["-w", str(root), "referral", "add", str(path)], profile=last)

        from workflow.cli import cli

        def twice(label: str, args: list[str], **kwargs: Any) -> None:
            bench.run(label, args, **kwargs)
            bench.run(label, args, profile=True, **kwargs)

        pdf = [] if options.pdf else ["--no-pdf"]
        twice(
            "pack" + (" (PDF)" if options.pdf else " --no-pdf"),
            ["-w", str(root), "pack", MEETING.isoformat(), *pdf],
        )
        if "actions" in cli.commands:
            twice("actions list --overdue", ["-w", str(root), "actions", "list", "--overdue"])
            for profile in (False, True):
                bench.run(
                    "actions update",
                    [
                        "-w",
                        str(root),
                        "actions",
                        "update",
                        open_action(root),
                        "--status",
                        "Completed",
                    ],
                    profile=profile,
                )
        after = MEETING + timedelta(days=1)
        bench.run(
            "minutes draft", ["-w", str(root), "minutes", "draft", MEETING.isoformat()], today=after
        )
        done = complete_minutes(
            root / "meetings" / MEETING.isoformat() / "minutes.yaml", scratch / "minutes.yaml"
        )
        # Recording again before signing replaces the meeting's rows: the same work twice.
        twice("minutes record", ["-w", str(root), "minutes", "record", str(done)], today=after)
        if "report" in cli.commands:
            twice(
                "report annual",
                ["-w", str(root), "report", "annual", "--year", "2026"],
                today=after,
            )

        print("\nWall time per command (no profiler; one process, imports already paid):")
        for label, runs in bench.times.items():
            runs = sorted(runs)
            spread = (
                f" (median of {len(runs)}, {runs[0]:.2f}-{runs[-1]:.2f})" if len(runs) > 1 else ""
            )
            print(f"  {label:28} {runs[len(runs) // 2]:6.2f} s{spread}")
        for label, (seconds, top) in bench.profiles.items():
            print(f"\n=== {label}: {seconds:.2f} s under cProfile; where the time goes ===")
            print(top)
    finally:
        if options.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
