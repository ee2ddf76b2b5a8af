"""Benchmark: the annual report over a busy register (500 cases, 5,000 actions).

Run:  python benchmarks/bench_report.py
Prints each stage beside its floor: gathering and protecting the figures, the charts
(matplotlib's import included), the Word render, the workbook, and LibreOffice's PDF/A.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from bench_register import busy_register

from workflow.core.dates import as_of
from workflow.reports.annual import gather
from workflow.reports.counting import report_period
from workflow.workspace.initialise import init_workspace
from workflow.workspace.paths import Workspace

RUNS = 3
PANEL = (Path(__file__).resolve().parent.parent / "tests" / "data" / "panel.yaml").read_text()


def timed(step) -> float:
    began = time.perf_counter()
    step()
    return time.perf_counter() - began


def main() -> None:
    from workflow.core.files import make_dirs
    from workflow.reports import files as report_files

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "panel"
        init_workspace(root, panel_yaml=PANEL)
        workspace = Workspace(root)
        busy_register().save(workspace.register_file, backups_dir=workspace.backups_dir)
        period = report_period(2026)
        with as_of(date(2027, 1, 10)):
            figures = gather(workspace, period, as_of=period.end)
            stages: dict[str, list[float]] = {}
            out = make_dirs(root / "bench")
            charts: dict = {}
            docx, xlsx = out / "annual.docx", out / "annual.xlsx"

            def draw() -> None:
                charts.update(report_files._draw_charts(figures, out))

            def word() -> None:
                report_files._write_docx(workspace, figures, charts, docx, "Bench")

            def book() -> None:
                report_files._workbook(figures, workspace.panel).save(str(xlsx))

            for _ in range(RUNS):
                for name, step in (
                    ("gather + protect", lambda: gather(workspace, period, as_of=period.end)),
                    ("charts (6 PNG, 200 dpi)", draw),
                    ("Word render + charts in", word),
                    ("workbook", book),
                ):
                    stages.setdefault(name, []).append(timed(step))
            stages["whole command, PDF/A included"] = [
                timed(lambda: report_files.write_annual_report(workspace, period))
            ]
    print(f"annual report over {len(figures.tables)} tables, busy register (500 cases):")
    for name, times in stages.items():
        print(f"  {name:34} {statistics.median(times):6.2f} s")


if __name__ == "__main__":
    main()
