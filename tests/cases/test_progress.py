"""Progress reports: the pre-filled template (YAML and Word form), check, add, the pack."""

from __future__ import annotations

import copy
import importlib.util
import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from between_meetings import NEXT, edit_cells, minute_first_meeting, sheet_rows
from helpers import SECOND_CHILD
from testdata import write_yaml

from workflow.cases.progress import PROGRESS_FORM, add_progress, check_progress
from workflow.cli import cli
from workflow.core.errors import FileUnreadable, FormInvalid, RegisterCellInvalid, RegisterLocked
from workflow.core.resources import bundled_template
from workflow.demo.word_filler import Filler
from workflow.documents.text import document_text
from workflow.forms.word import read_form, write_referral_form
from workflow.forms.word.controls import qn
from workflow.forms.word.prefill import read_zip, sdt_pr, write_zip

A1, A2 = "CCP-2027-001-A1", "CCP-2027-001-A2"  # due 25 and 18 March 2027
TRICKY = 'Smith & Sons <b>{{ x }}</b> "quoted" =SUM(A1) Zoë مرحبا'

ANSWERS: dict[str, Any] = {
    "reported_by": {
        "name": "Dana Fictional",
        "role": "Social worker",
        "agency": "Children's social care",
        "email": "dana@example.org",
    },
    "date": "2027-04-18",
    "risk_level": "high",
    "risk_rationale": "No missing episodes for six weeks.\nStill linked to older peers.",
    "changes": "Kai moved to a new supported flat & started college. " + TRICKY,
    "child_views": '"I like the new flat. I want to keep seeing my brothers."',
    "plan_revised": True,
    "iro_informed_on": "2027-04-10",
    "still_needed": "A specialist exploitation worker before the summer.",
    "recommendation": "close",
    "recommendation_reason": "Risks have fallen and the plan is working.",
}
PROGRESS = {
    A1: {"status": "in_progress", "progress": "Worker identified; starts on 1 May."},
    A2: {
        "status": "completed",
        "progress": "Plan shared with the school.",
        "completed_on": "2027-03-17",
    },
}


@pytest.fixture
def minuted(workspace, inbox, referral_data, tmp_path, monkeypatch):
    cases = minute_first_meeting(workspace, inbox, referral_data, tmp_path)
    monkeypatch.setenv("CCP_TODAY", "2027-04-20")
    return workspace, cases


def invoke(runner, workspace, *args):
    return runner.invoke(cli, ["-w", str(workspace.root), *args])


def template_yaml(runner, workspace, out: Path, case_id: str = "CCP-2027-001") -> dict:
    result = invoke(runner, workspace, "progress", "template", case_id, str(out))
    assert result.exit_code == 0, result.output
    return yaml.safe_load(out.read_text(encoding="utf-8"))


def completed(data: dict, **changes: Any) -> dict:
    done = copy.deepcopy(data)
    done.update(copy.deepcopy(ANSWERS))
    for entry in done["actions"]:
        entry.update(PROGRESS.get(entry["action_id"], {}))
    done.update(changes)
    return done


@pytest.fixture
def report_yaml(runner, minuted, tmp_path) -> Path:
    workspace, _ = minuted
    data = template_yaml(runner, workspace, tmp_path / "template.yaml")
    return write_yaml(tmp_path / "progress.yaml", completed(data))


def actions_by_id(workspace) -> dict[str, dict]:
    return {row["Action ID"]: row for row in sheet_rows(workspace.register_file, "Actions")}


# --- template ----------------------------------------------------------------------------


def test_yaml_template_is_prefilled_for_the_due_meeting(runner, minuted, tmp_path):
    workspace, _ = minuted
    from workflow.cases.actions import update_action

    update_action(workspace, A2, status="Completed", completed_on=date(2027, 3, 17))
    out = tmp_path / "progress.yaml"
    data = template_yaml(runner, workspace, out)

    assert data["case_id"] == "CCP-2027-001"
    assert data["meeting"] == NEXT
    done = date(2027, 3, 17)
    assert data["actions"] == [
        {"action_id": A1, "status": "open", "progress": None, "completed_on": None},
        {"action_id": A2, "status": "completed", "progress": None, "completed_on": done},
    ]
    text = out.read_text(encoding="utf-8")
    assert f"  # {A1}: Allocate a specialist exploitation worker (Children's social care," in text
    assert "reported_by:\n  name:\n" in text
    assert "null" not in text
    assert SECOND_CHILD not in text
    assert "Kai" not in text


def test_case_without_a_report_due_reports_to_the_next_meeting(runner, minuted, tmp_path):
    workspace, cases = minuted
    edit_cells(workspace.register_file, "Cases", {"Case ID": cases[1]}, {"Next progress due": None})
    data = template_yaml(runner, workspace, tmp_path / "p.yaml", cases[1])
    assert data["meeting"] == date(2027, 5, 13)  # the first meeting after 20 April


@pytest.mark.parametrize(
    ("case_id", "message"),
    [
        ("CCP-2027-01", "CCP-2027-01: no such case in the register; did you mean CCP-2027-001?"),
        ("CCP-2027-002", "CCP-2027-002: the case was closed on 12 March 2027"),
    ],
    ids=["unknown-case", "closed-case"],
)
def test_template_for_a_case_that_expects_none_is_refused(
    runner, minuted, tmp_path, case_id, message
):
    workspace, cases = minuted
    edit_cells(
        workspace.register_file,
        "Cases",
        {"Case ID": cases[1]},
        {"Status": "closed", "Closed on": datetime(2027, 3, 12)},
    )
    result = invoke(runner, workspace, "progress", "template", case_id, str(tmp_path / "p.yaml"))
    assert result.exit_code == 1
    assert message in result.stderr
    assert not (tmp_path / "p.yaml").exists()


def word_template(runner, workspace, out: Path) -> Path:
    result = invoke(
        runner, workspace, "progress", "template", "CCP-2027-001", "--format", "docx", str(out)
    )
    assert result.exit_code == 0, result.output
    return out


def test_word_template_is_prefilled_locked_and_lists_the_actions(runner, minuted, tmp_path):
    workspace, _ = minuted
    form = word_template(runner, workspace, tmp_path / "progress-form.docx")

    data = read_form(form, PROGRESS_FORM)
    assert data["case_id"] == "CCP-2027-001"
    assert data["meeting"] == "2027-05-13"
    assert [(a["action_id"], a["status"]) for a in data["actions"]] == [
        (A1, "open"),
        (A2, "open"),
    ]
    filler = Filler(form)
    for tag in ("case_id", "meeting", "actions[].action_id"):
        for box in filler.boxes(tag):
            assert sdt_pr(box, "w:lock").get(qn("w:val")) == "sdtContentLocked"
    text = document_text(form)
    assert "Share the disruption plan PC Sam Madeup, Police; due 18 March 2027" in " ".join(
        text.split()
    )
    assert "Complex Child Panel progress report" in text


def fill_form(
    form: Path, out: Path, answers: dict[str, Any], actions: list[dict], paragraphs: bool = False
) -> Path:
    """Answers typed as Word stores them; lines as breaks, or (paragraphs) with Enter."""
    filler = Filler(form, paragraphs=paragraphs)
    filler.fill(answers)
    filler.fill_table("actions", actions)
    return filler.save(out)


def word_answers() -> tuple[dict, list[dict]]:
    answers = copy.deepcopy(ANSWERS)
    actions = [{"action_id": action_id, **PROGRESS[action_id]} for action_id in (A1, A2)]
    return answers, actions


def test_filled_word_form_reads_back_as_the_yaml_report(runner, minuted, report_yaml, tmp_path):
    workspace, _ = minuted
    form = word_template(runner, workspace, tmp_path / "form.docx")
    filled = fill_form(form, tmp_path / "filled.docx", *word_answers())

    from_word = check_progress(workspace, filled).report
    from_yaml = check_progress(workspace, report_yaml).report
    assert from_word == from_yaml
    assert from_word.changes.endswith(TRICKY)


def soffice_docx(source: Path, out_dir: Path) -> Path:
    profile = out_dir / f"lo-profile-{os.getpid()}"
    out_dir.mkdir(exist_ok=True)
    result = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out_dir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    shutil.rmtree(profile, ignore_errors=True)
    converted = out_dir / source.name
    assert result.returncode == 0, result.stderr
    assert converted.is_file(), result.stderr
    return converted


@pytest.mark.libreoffice
def test_form_saved_by_libreoffice_reads_back_the_same(runner, minuted, report_yaml, tmp_path):
    """LibreOffice 7.4 moves line breaks out of boxes (see the referral form's test):
    lines typed with Enter survive, as do the pre-filled, locked boxes."""
    workspace, _ = minuted
    form = word_template(runner, workspace, tmp_path / "form.docx")
    filled = fill_form(form, tmp_path / "filled.docx", *word_answers(), paragraphs=True)
    saved = soffice_docx(filled, tmp_path / "libreoffice")

    assert check_progress(workspace, saved).report == check_progress(workspace, report_yaml).report


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("pdf", "is a PDF, not a Word form; fill in the form from `ccp progress template"),
        ("referral form", "is a ccp referral form, not a progress form"),
        ("doctype", "contains a DOCTYPE or entity declaration"),
        ("older form", "is an older progress form (version 0); this ccp reads version 1"),
    ],
    ids=["pdf", "referral-form", "doctype", "older-form"],
)
def test_hostile_or_wrong_files_are_refused(runner, minuted, tmp_path, kind, expected):
    workspace, _ = minuted
    form = word_template(runner, workspace, tmp_path / "form.docx")
    path = tmp_path / "sent.docx"
    if kind == "pdf":
        path.write_bytes(b"%PDF-1.7\n...")
    elif kind == "referral form":
        write_referral_form(path)
    else:
        members = read_zip(form)
        if kind == "doctype":
            members["word/document.xml"] = (
                b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM '
                b'"file:///etc/passwd">]><w:document/>'
            )
        else:
            for name in ("word/document.xml", "docProps/custom.xml"):
                members[name] = members[name].replace(b"progress v1", b"progress v0")
        write_zip(path, members)

    with pytest.raises(FileUnreadable) as caught:
        check_progress(workspace, path)
    assert str(caught.value).startswith("sent.docx: ")
    assert expected in str(caught.value)


# --- check -------------------------------------------------------------------------------


def rule_case(name: str) -> tuple[dict, str]:
    cases = {
        "open-action-not-answered": (
            {"drop": A1},
            f"actions: {A1} is open and not answered: add its status and progress",
        ),
        "completed-on-without-completed": (
            {A1: {"completed_on": "2027-04-01"}},
            "actions[1].completed_on: goes only with status completed (the status is in_progress)",
        ),
        "completed-before-meeting": (
            {A2: {"completed_on": "2027-03-01"}},
            "actions[2].completed_on: is before the 11 March 2027 meeting that agreed the action",
        ),
        "completed-in-future": (
            {A2: {"completed_on": "2027-04-21"}},
            "actions[2].completed_on: must not be in the future",
        ),
        "progress-missing": (
            {A1: {"progress": None}},
            "actions[1].progress: is required while the action is open",
        ),
        "cancel-by-report": (
            {A1: {"status": "cancelled"}},
            "actions[1].status: a progress report cannot cancel an action",
        ),
        "unknown-action": (
            {"extra": {"action_id": "CCP-2027-002-A1", "status": "open", "progress": "x"}},
            "actions[3].action_id: CCP-2027-002-A1 is not an action of CCP-2027-001",
        ),
        "answered-twice": (
            {"extra": {"action_id": A1, "status": "open", "progress": "x"}},
            f"actions: {A1} is answered more than once",
        ),
        "date-in-future": ({"date": "2027-04-21"}, "date: must not be in the future"),
        "not-a-meeting": ({"meeting": "2027-05-14"}, "meeting: 2027-05-14 is not a meeting"),
        "unknown-case": ({"case_id": "CCP-2027-009"}, "case_id: CCP-2027-009 is not a case"),
        "status-not-a-choice": ({A1: {"status": "done"}}, "actions[1].status: must be one of"),
        "reporter-on-two-lines": (
            {"reported_by": {**ANSWERS["reported_by"], "name": "Dana\nFictional"}},
            "reported_by.name: must be on one line",
        ),
    }
    return cases[name]


RULES = [
    "open-action-not-answered",
    "completed-on-without-completed",
    "completed-before-meeting",
    "completed-in-future",
    "progress-missing",
    "cancel-by-report",
    "unknown-action",
    "answered-twice",
    "date-in-future",
    "not-a-meeting",
    "unknown-case",
    "status-not-a-choice",
    "reporter-on-two-lines",
]


@pytest.mark.parametrize("name", RULES, ids=RULES)
def test_check_names_each_broken_rule(runner, minuted, report_yaml, tmp_path, name):
    workspace, _ = minuted
    change, message = rule_case(name)
    data = yaml.safe_load(report_yaml.read_text(encoding="utf-8"))
    for key, value in change.items():
        if key == "drop":
            data["actions"] = [a for a in data["actions"] if a["action_id"] != value]
        elif key == "extra":
            data["actions"].append(value)
        elif key in (A1, A2):
            entry = next(a for a in data["actions"] if a["action_id"] == key)
            entry.update(value)
        else:
            data[key] = value
    path = write_yaml(tmp_path / "broken.yaml", data)

    result = invoke(runner, workspace, "progress", "check", str(path))
    assert result.exit_code == 1
    assert f"Error: broken.yaml: {message}" in result.stderr
    with pytest.raises(FormInvalid):
        check_progress(workspace, path)


def test_check_passes_and_says_so(runner, minuted, report_yaml):
    workspace, _ = minuted
    result = invoke(runner, workspace, "progress", "check", str(report_yaml))
    assert result.exit_code == 0, result.output
    assert (
        result.output == "progress.yaml: ready to add: CCP-2027-001, for the 2027-05-13 meeting\n"
    )


def test_problems_in_a_word_form_name_the_label_seen(runner, minuted, tmp_path):
    workspace, _ = minuted
    form = word_template(runner, workspace, tmp_path / "form.docx")
    answers, actions = word_answers()
    del answers["child_views"]
    actions[0]["progress"] = None
    filled = fill_form(form, tmp_path / "filled.docx", answers, actions)
    result = invoke(runner, workspace, "progress", "check", str(filled))
    assert "Error: filled.docx: The child's views (child_views): is required" in result.stderr


# --- add ---------------------------------------------------------------------------------


def test_add_updates_actions_risk_and_progress_row_with_audit(runner, minuted, report_yaml):
    workspace, cases = minuted
    result = invoke(runner, workspace, "progress", "add", str(report_yaml))

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:4] == [
        "Added the CCP-2027-001 progress report for the 2027-05-13 meeting",
        f"  {A1}: Open -> In progress",
        f"  {A2}: Open -> Completed",
        "  CCP-2027-001: latest risk Very high -> High",
    ]
    folder = workspace.root / "cases" / "CCP-2027-001" / "progress"
    assert sorted(path.name for path in folder.iterdir()) == [
        "progress-2027-05-13-received.yaml",
        "progress-2027-05-13.docx",
        "progress-2027-05-13.json",
    ]
    rows = actions_by_id(workspace)
    assert rows[A1]["Status"] == "In progress"
    assert rows[A1]["Notes"] == (
        "2027-04-20: progress report for the 2027-05-13 panel: Worker identified; starts on 1 May."
    )
    assert (rows[A2]["Status"], rows[A2]["Completed on"]) == ("Completed", datetime(2027, 3, 17))
    assert rows["CCP-2027-002-A1"]["Status"] == "Open"  # another child's actions untouched
    case = next(r for r in sheet_rows(workspace.register_file, "Cases") if r["Case ID"] == cases[0])
    assert case["Risk latest"] == "High"
    assert case["Status"] == "open"  # a close recommendation closes nothing
    [progress] = [
        r
        for r in sheet_rows(workspace.register_file, "Progress")
        if r["Case ID"] == cases[0] and r["Due meeting"] == datetime(2027, 5, 13)
    ]
    assert progress["Received on"] == datetime(2027, 4, 20)
    assert progress["File"] == "cases/CCP-2027-001/progress/progress-2027-05-13.docx"
    audit = [
        (r["Command"], r["Action"], r["Target"])
        for r in sheet_rows(workspace.register_file, "Audit")
        if r["Command"] == "progress add"
    ]
    assert audit == [
        ("progress add", "changed status", A1),
        ("progress add", "changed status", A2),
        ("progress add", "changed latest risk", "CCP-2027-001"),
        ("progress add", "received progress report", "CCP-2027-001"),
    ]


def test_the_rendered_report_holds_the_whole_report(minuted, report_yaml):
    workspace, _ = minuted
    added = add_progress(workspace, report_yaml)
    text = document_text(added.written[0])

    for expected in (
        "Progress report",
        "Case ID\nCCP-2027-001",
        "Dana Fictional, Social worker, Children's social care",
        "1. Actions agreed by the panel",
        "2 actions: 1 completed, 1 still open, 1 overdue.",
        "Allocate a specialist exploitation worker",
        "In progress (overdue)\npreviously Open",
        "Completed\n17 March 2027\npreviously Open",
        "Worker identified; starts on 1 May.",
        "2. Risk then and now",
        "Agreed by the panel\nVery high",
        "Now\nHigh",
        "Change\nLower",
        TRICKY,
        '"I like the new flat. I want to keep seeing my brothers."',
        "Plan revised since the panel\nYes",
        "10 April 2027",
        "7. Recommendation\nClose the case",
        "only the panel closes or escalates a case",
    ):
        assert expected in text, expected
    assert SECOND_CHILD not in text


def test_report_for_a_meeting_without_a_progress_row_appends_one(minuted, report_yaml, tmp_path):
    workspace, cases = minuted
    data = yaml.safe_load(report_yaml.read_text(encoding="utf-8"))
    data["meeting"] = "2027-07-08"
    path = write_yaml(tmp_path / "july.yaml", data)
    added = add_progress(workspace, path)
    assert any("due at the 13 May 2027 panel" in warning for warning in added.warnings)
    rows = [r for r in sheet_rows(workspace.register_file, "Progress") if r["Case ID"] == cases[0]]
    assert [(r["Due meeting"], r["Received on"]) for r in rows] == [
        (datetime(2027, 5, 13), None),
        (datetime(2027, 7, 8), datetime(2027, 4, 20)),
    ]


def test_the_report_reaches_its_meetings_pack_and_the_other_is_flagged(minuted, report_yaml):
    from workflow.meetings.pack import build_pack

    workspace, cases = minuted
    add_progress(workspace, report_yaml)
    result = build_pack(workspace, NEXT)

    assert result.readiness.blocking == [f"{cases[1]}: progress report not yet received"]
    out = workspace.root / "output" / "2027-05-13"
    pack = document_text(out / "pack-2027-05-13.docx")
    contents = pack.index("Contents")
    section = pack.index(f"Progress report {cases[0]}", contents + 20)
    assert "Worker identified; starts on 1 May." in pack[section:]
    assert f"Progress report {cases[1]}\tnot supplied" in pack  # the contents say so
    cover = pack[:contents]
    assert f"{cases[1]}: progress report not yet received" in cover
    assert cases[0] not in cover
    agenda = document_text(out / "agenda.docx")
    first = agenda.index(cases[0], agenda.index("4. Progress reviews due"))
    second = agenda.index(cases[1], first + len(cases[0]))
    assert "received" in agenda[first:second].lower()
    assert "not yet received" not in agenda[first:second].lower()
    assert "not yet received" in agenda[second:].lower()
    readiness = (out / "readiness.txt").read_text(encoding="utf-8")
    assert f"{cases[1]}: progress report not yet received" in readiness


def test_register_open_in_excel_writes_nothing(minuted, report_yaml):
    workspace, _ = minuted
    (workspace.root / "~$register.xlsx").write_bytes(b"")
    before = workspace.register_file.read_bytes()
    with pytest.raises(RegisterLocked):
        add_progress(workspace, report_yaml)
    assert workspace.register_file.read_bytes() == before
    folder = workspace.root / "cases" / "CCP-2027-001" / "progress"
    assert not folder.exists() or not list(folder.iterdir())


def test_bad_hand_edit_in_a_reported_action_is_an_error_naming_the_cell(minuted, report_yaml):
    workspace, _ = minuted
    number = edit_cells(workspace.register_file, "Actions", {"Action ID": A2}, {"Status": "Done?"})
    before = workspace.register_file.read_bytes()
    with pytest.raises(RegisterCellInvalid) as caught:
        add_progress(workspace, report_yaml)
    assert (
        f"register.xlsx: sheet Actions, row {number}, column 'Status': 'Done?' is not a status"
        in caught.value.lines()[0]
    )
    assert workspace.register_file.read_bytes() == before


# --- the template file -------------------------------------------------------------------


def test_committed_template_matches_the_build_script(tmp_path, monkeypatch):
    script = Path(__file__).resolve().parents[2] / "scripts" / "build_templates.py"
    spec = importlib.util.spec_from_file_location("build_templates", script)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    module.BUILDERS["progress-report.docx"](tmp_path / "progress-report.docx")
    built = (tmp_path / "progress-report.docx").read_bytes()
    assert built == bundled_template("progress-report.docx").read_bytes()
