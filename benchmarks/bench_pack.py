"""Benchmark: a 10-case circulation pack, each stage beside its floor from the same run.

Run:  python benchmarks/bench_pack.py
Floor: the raw docxtpl renders of the same documents (no sandbox, no escaping, no atomic
write) plus one LibreOffice conversion of the finished Word pack, tagged and PDF/A-2b (the
archival options, the dearest a conversion gets). Aim: the whole pack, Word and PDF
(tagged, bookmarked, its structure kept through the pikepdf finish), within 1.5 times one
such conversion, with one LibreOffice start per pack.
"""

from __future__ import annotations

import copy
import os
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
MEETING = date(2027, 3, 11)
CASES = 10
RUNS = 3


def workspace_with_cases(root: Path):
    from workflow.cases.referrals import add_referral
    from workflow.forms.loading import dump_yaml
    from workflow.workspace.initialise import init_workspace
    from workflow.workspace.paths import Workspace

    init_workspace(root / "ws", panel_yaml=(DATA / "panel.yaml").read_text(encoding="utf-8"))
    shutil.copytree(DATA / "papers", root / "papers")
    base = yaml.safe_load((DATA / "referral.yaml").read_text(encoding="utf-8"))
    workspace = Workspace(root / "ws")
    for number in range(1, CASES + 1):
        data = copy.deepcopy(base)
        data["child"]["local_id"] = f"BENCH-{number:04d}"
        data["child"]["name"] = f"Fictional Child {number}"
        path = root / f"referral-{number}.yaml"
        path.write_text(dump_yaml(data), encoding="utf-8")
        add_referral(workspace, path)
    return workspace


def raw_renders(workspace, out: Path) -> float:
    """docxtpl at its plainest, on the same templates and contexts."""
    import jinja2
    from docxtpl import DocxTemplate

    from workflow.contract import LABELS
    from workflow.documents.render import _environment
    from workflow.meetings.agenda import agenda_for
    from workflow.meetings.pack import agenda_context, cover_context
    from workflow.register import Register

    agenda = agenda_for(workspace, MEETING, Register.load(workspace.register_file))
    plain = jinja2.Environment()  # no sandbox, no escaping: only the same filters
    plain.filters.update(_environment(LABELS).filters)
    started = time.perf_counter()
    for name, context in (
        ("agenda.docx", agenda_context(agenda)),
        ("pack-cover.docx", cover_context(agenda)),
    ):
        template = DocxTemplate(str(workspace.template(name)))
        template.render(context, jinja_env=plain)
        template.save(str(out / name))
    return time.perf_counter() - started


def main() -> None:
    os.environ.setdefault("CCP_TODAY", "2027-02-20")
    os.environ.setdefault("CCP_USER", "bench")
    from workflow.documents.pdf import convert
    from workflow.meetings.pack import build_pack

    with tempfile.TemporaryDirectory() as scratch:
        workspace = workspace_with_cases(Path(scratch))
        wholes, stages, floors_render, floors_pdf = [], [], [], []
        for run in range(RUNS):
            started = time.perf_counter()
            result = build_pack(workspace, MEETING)
            wholes.append(time.perf_counter() - started)
            stages.append(result.seconds)
            floor_dir = Path(scratch) / f"floor-{run}"
            floor_dir.mkdir()
            floors_render.append(raw_renders(workspace, floor_dir))
            word_pack = workspace.meeting_output(MEETING) / "pack-2027-03-11.docx"
            shutil.copy(word_pack, floor_dir / "pack.docx")
            started = time.perf_counter()
            convert([floor_dir / "pack.docx"], floor_dir, tagged=True, pdfa=True)
            floors_pdf.append(time.perf_counter() - started)

        warm = warm_packs(workspace)

        from pypdf import PdfReader

        pages = len(PdfReader(str(workspace.meeting_output(MEETING) / "pack-2027-03-11.pdf")).pages)
        median = statistics.median

        def stage(name: str) -> float:
            return median(s.get(name, 0.0) for s in stages)

        floor = median(floors_render) + median(floors_pdf)
        print(f"10-case pack: {pages} PDF pages; medians of {RUNS} runs")
        print(
            f"  render (agenda, cover, contents): {stage('render'):.2f} s"
            f"   floor, raw docxtpl: {median(floors_render):.2f} s"
        )
        print(f"  merge (docxcompose):              {stage('merge'):.2f} s")
        print(
            f"  PDF (one LibreOffice run + pikepdf): {stage('pdf'):.2f} s"
            f"   floor, one LibreOffice conversion (tagged, PDF/A): {median(floors_pdf):.2f} s"
        )
        print(f"  readiness and circulation:        {stage('circulation'):.2f} s")
        print(
            f"  whole pack: {median(wholes):.2f} s; floor {floor:.2f} s;"
            f" ratio {median(wholes) / floor:.2f}"
        )
        print(
            f"  whole pack / one LibreOffice conversion (tagged, PDF/A):"
            f" {median(wholes) / median(floors_pdf):.2f} (aim <= 1.5)"
        )
        if warm:
            ratio = median(warm) / median(floors_pdf)
            print(
                f"  whole pack as the web app builds it (LibreOffice kept running):"
                f" {median(warm):.2f} s; / one cold conversion: {ratio:.2f}"
            )
        else:
            print("  web app pack: no LibreOffice Python bridge (python3-uno) to keep it running")


def warm_packs(workspace) -> list[float]:
    """The same pack built as `ccp serve` builds it: its LibreOffice already running."""
    from workflow.documents.office import WarmOffice, find_office_python
    from workflow.documents.pdf import keep_running
    from workflow.meetings.pack import build_pack

    python = find_office_python()
    if python.path is None:
        return []
    times = []
    with WarmOffice(python.path) as office, keep_running(office):
        for _ in range(RUNS):
            started = time.perf_counter()
            build_pack(workspace, MEETING)
            times.append(time.perf_counter() - started)
    return times


if __name__ == "__main__":
    main()
