"""Benchmark: each read page of `ccp serve` on ten years of a panel (issue 19, item 7).

Builds the ten-year workspace of bench_scale.py (600 cases, 6,000 actions, 60 meetings,
20,000 audit rows), then times each page's server time through Flask's test client (no
network, no browser): the median of five requests after one to warm up. Aim: under 300 ms
for every read page. One line per page.

Run:  python benchmarks/bench_web.py [--keep DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import MEETING, TODAY, build  # noqa: E402

AIM_MS = 300
PORT = 5999
BASE = f"http://127.0.0.1:{PORT}"


def pages(case_id: str) -> list[str]:
    return [
        "/",
        "/referrals",
        "/cases",
        "/cases?status=open&risk=Medium",
        f"/cases/{case_id}",
        "/meetings",
        f"/meetings/{MEETING.isoformat()}",
        "/actions",
        "/actions?overdue=yes",
        f"/actions?case={case_id}",
        "/progress",
        "/reports",
        "/verify",
        "/retention",
        "/access-log",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="Build the workspace here and keep it.")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ["CCP_TODAY"] = TODAY.isoformat()

    from workflow.register import Register
    from workflow.web.app import create_app

    scratch = Path(tempfile.mkdtemp(prefix="ccp-bench-web-"))
    root = args.keep or scratch / "panel"
    try:
        if not (root / "register.xlsx").exists():
            started = time.perf_counter()
            build(root)
            print(f"built the ten-year workspace in {time.perf_counter() - started:.1f} s")
        cases = Register.load(root / "register.xlsx", ["Cases"]).rows("Cases")
        open_case = next(str(r["case_id"]) for r in reversed(cases) if r.get("status") == "open")
        app = create_app(root, port=PORT)
        client = app.test_client()
        client.get(f"/?token={app.config['CCP_SECRETS'].token}", base_url=BASE)
        slow = 0
        for url in pages(open_case):
            times = []
            for run in range(args.runs + 1):
                started = time.perf_counter()
                response = client.get(url, base_url=BASE)
                took = (time.perf_counter() - started) * 1000
                response.close()
                if response.status_code != 200:
                    raise SystemExit(f"{url}: HTTP {response.status_code}")
                if run:
                    times.append(took)
            median = statistics.median(times)
            slow += median > AIM_MS
            flag = "" if median <= AIM_MS else f"  over {AIM_MS} ms"
            print(f"{url:<40} {median:7.0f} ms  (min {min(times):.0f}, max {max(times):.0f}){flag}")
        print(f"{slow} page(s) over {AIM_MS} ms")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
