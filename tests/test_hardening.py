"""Nothing left behind, no silent fallback, never a traceback (issue 12).

Each test is one case of the issue's "Why": it failed on the code before and now proves no
file was left, no row lost or added, and the user saw one `Error:` line with its exit code.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import yaml
from helpers import accept_two, complete_draft
from openpyxl import load_workbook
from testdata import DATA, TODAY, write_yaml

from workflow.cli import cli
from workflow.core.errors import WorkspaceError
from workflow.core.files import TEMP_MARKER
from workflow.register import Register
from workflow.workspace.initialise import init_workspace
from workflow.workspace.paths import Workspace

MEETING = "2027-03-11"


def rows(workspace, sheet: str) -> int:
    return load_workbook(workspace.register_file)[sheet].max_row - 1


def leftovers(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if TEMP_MARKER in p.name)


def everything(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def one_error(result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("Error: ")
    return lines[0]


# --- a case folder lands only with its register row -------------------------------------------


def test_a_failed_register_save_leaves_no_case_folder_and_uses_no_number(
    workspace, inbox, monkeypatch
):
    """Before: the folder was written first; a failure or kill left it, its number skipped."""
    from workflow.cases.referrals import add_referral

    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(Register, "save", refuse)
        with pytest.raises(OSError, match="No space"):
            add_referral(workspace, inbox / "referral.yaml")
    assert list(workspace.cases_dir.iterdir()) == []
    assert not (workspace.output_dir / MEETING).exists() or not any(
        (workspace.output_dir / MEETING).iterdir()
    )
    assert rows(workspace, "Cases") == 0
    assert add_referral(workspace, inbox / "referral.yaml").case_id == "CCP-2027-001"


def test_a_template_failure_leaves_nothing(workspace, inbox):
    from workflow.cases.referrals import add_referral
    from workflow.core.errors import TemplateError

    workspace.templates_dir.mkdir(exist_ok=True)
    (workspace.templates_dir / "referral.docx").write_bytes(b"not a template")
    with pytest.raises(TemplateError):
        add_referral(workspace, inbox / "referral.yaml")
    assert list(workspace.cases_dir.iterdir()) == []
    assert rows(workspace, "Cases") == 0
    assert leftovers(workspace.root) == []


def _kill_referral_add(root: Path, referral: Path, after: float) -> None:
    env = {**os.environ, "CCP_TODAY": TODAY, "CCP_USER": "test-user"}
    process = subprocess.Popen(
        [sys.executable, "-m", "workflow", "-w", str(root), "referral", "add", str(referral)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(after)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.posix_only  # issue 20
def test_kills_of_referral_add_never_leave_a_case_folder_without_its_row(
    workspace, inbox, referral_data
):
    """Bounded: four kills at spread-out moments, then a clean run sweeps what they left."""
    referrals = []
    for number in range(4):
        data = {**referral_data, "child": {**referral_data["child"], "local_id": f"LCS-9{number}"}}
        referrals.append(write_yaml(inbox / f"kill-{number}.yaml", data))
    for referral, after in zip(referrals, (0.4, 0.9, 1.3, 1.8), strict=True):
        _kill_referral_add(workspace.root, referral, after)
        register = Register.load(workspace.register_file)
        recorded = {row["case_id"] for row in register.rows("Cases")}
        folders = {p.name for p in workspace.cases_dir.iterdir() if not p.name.startswith(".")}
        assert folders <= recorded, "a case folder without its register row"
    # Whatever the kills left is swept once it is an hour old, by the next command.
    hour_ago = time.time() - 3700
    for name in leftovers(workspace.root):
        os.utime(workspace.root / name, (hour_ago, hour_ago), follow_symlinks=False)
    from workflow.cases.referrals import add_referral

    done = add_referral(workspace, inbox / "referral.yaml")
    assert leftovers(workspace.root) == []
    register = Register.load(workspace.register_file)
    numbers = sorted(int(row["case_id"][-3:]) for row in register.rows("Cases"))
    assert numbers == list(range(1, len(numbers) + 1)), "a case number was skipped"
    assert done.case_id == f"CCP-2027-{numbers[-1]:03d}"


def test_fresh_temporaries_of_a_running_command_are_not_swept(workspace, inbox):
    from workflow.cases.referrals import add_referral

    fresh = workspace.output_dir / f".agenda.docx{TEMP_MARKER}abc123"
    fresh.parent.mkdir(exist_ok=True)
    fresh.write_bytes(b"being written")
    stale = workspace.cases_dir / f".new-case{TEMP_MARKER}def456"
    stale.mkdir()
    (stale / "case.json").write_text("{}")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    add_referral(workspace, inbox / "referral.yaml")
    assert fresh.exists()
    assert not stale.exists()


# --- init is all or nothing ------------------------------------------------------------------


def test_a_failed_init_leaves_nothing_and_can_simply_be_run_again(tmp_path, monkeypatch, runner):
    """Before: panel.yaml was written first, and init then refused to run again."""
    root = tmp_path / "panel"

    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(Register, "save", refuse)
        with pytest.raises(WorkspaceError, match="cannot create the workspace there \\(No space"):
            init_workspace(root)
    assert not root.exists()
    assert list(tmp_path.iterdir()) == []
    result = runner.invoke(cli, ["init", str(root)])
    assert result.exit_code == 0, result.output
    assert Workspace(root).exists()
    assert Register.load(root / "register.xlsx").rows("Audit")[0]["target"] == "panel"


def test_init_into_a_folder_that_holds_other_files_keeps_them(tmp_path):
    root = tmp_path / "existing"
    root.mkdir()
    (root / "notes.txt").write_text("mine")
    init_workspace(root)
    assert (root / "notes.txt").read_text() == "mine"
    assert Workspace(root).exists()
    assert leftovers(root) == []


def test_init_refuses_a_register_without_panel_yaml_by_name(tmp_path, runner):
    root = tmp_path / "half"
    root.mkdir()
    (root / "register.xlsx").write_bytes(b"someone's register")
    line = one_error(runner.invoke(cli, ["init", str(root)]), 1)
    assert "register.xlsx: already exists without a panel.yaml beside it" in line
    assert (root / "register.xlsx").read_bytes() == b"someone's register"


# --- the pack: no silent fallbacks, no mix of old and new --------------------------------------


@pytest.fixture
def two_cases(workspace, inbox, referral_data):
    return workspace, accept_two(workspace, inbox, referral_data)


def test_per_recipient_is_never_silently_dropped(two_cases, runner):
    workspace, _ = two_cases
    args = ["-w", str(workspace.root), "pack", MEETING, "--no-pdf", "--per-recipient"]
    line = one_error(runner.invoke(cli, args), 1)
    assert "--per-recipient" in line
    assert "--no-pdf" in line
    assert not (workspace.output_dir / MEETING / "pack-2027-03-11.docx").exists()


def test_a_pack_that_fails_midway_leaves_the_previous_pack_whole(two_cases, runner, monkeypatch):
    """Before: a failure midway left old and new circulation files mixed."""
    workspace, _ = two_cases
    out = workspace.output_dir / MEETING
    args = ["-w", str(workspace.root), "pack", MEETING, "--no-pdf"]
    assert runner.invoke(cli, args).exit_code == 0
    before = everything(out)

    import workflow.meetings.circulation
    import workflow.meetings.pack

    def fail_midway(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(workflow.meetings.circulation, "write_draft", fail_midway)
    with pytest.raises(OSError, match="Input/output error"):
        workflow.meetings.pack.build_pack(workspace, date(2027, 3, 11), pdf=False)
    assert everything(out) == before
    assert leftovers(workspace.root) == []


@pytest.mark.libreoffice
def test_a_word_only_pack_does_not_leave_the_previous_pdf_beside_it(two_cases, runner):
    workspace, _ = two_cases
    out = workspace.output_dir / MEETING
    assert runner.invoke(cli, ["-w", str(workspace.root), "pack", MEETING]).exit_code == 0
    assert (out / "pack-2027-03-11.pdf").is_file()
    result = runner.invoke(cli, ["-w", str(workspace.root), "pack", MEETING, "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert not (out / "pack-2027-03-11.pdf").exists()
    assert (out / "pack-2027-03-11.docx").is_file()


# --- one line, never a traceback ---------------------------------------------------------------

DEEP_YAML = "child:\n  name: " + "[" * 500 + "]" * 500 + "\n"
DEEP_JSON = '{"child": ' + "[" * 5000 + "]" * 5000 + "}"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("deep.yaml", DEEP_YAML, "nested more than 40 levels deep"),
        ("deep.json", DEEP_JSON, "nested more than 40 levels deep"),
        ("huge.yaml", "meeting: " + "9" * 5000 + "\n", "a value cannot be read"),
        ("nan.json", '{"meeting": NaN}', "NaN is not a number a form can hold"),
        ("feb30.yaml", "meeting: 2027-02-30\n", "day is out of range for month"),
    ],
    ids=["yaml-depth", "json-depth", "yaml-5000-digits", "json-nan", "yaml-bad-date"],
)
def test_hostile_forms_are_one_error_line(tmp_path, runner, name, text, message):
    """Before: RecursionError / ValueError tracebacks."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    line = one_error(runner.invoke(cli, ["referral", "check", str(path)]), 1)
    assert line.startswith(f"Error: {name}: ")
    assert message in line


def test_a_deep_strategic_yaml_is_one_error_at_pack(two_cases, runner):
    workspace, _ = two_cases
    strategic = workspace.meetings_dir / MEETING / "strategic.yaml"
    strategic.parent.mkdir(parents=True, exist_ok=True)
    strategic.write_text("items: " + "[" * 400 + "]" * 400 + "\n")
    line = one_error(
        runner.invoke(cli, ["-w", str(workspace.root), "pack", MEETING, "--no-pdf"]), 1
    )
    assert line.startswith("Error: strategic.yaml: line 1")
    assert "nested more than 40 levels deep" in line


@pytest.mark.parametrize("amount", [".inf", "1.0e+400", ".nan"], ids=["inf", "1e400", "nan"])
def test_an_infinite_amount_in_the_minutes_is_named(
    two_cases, runner, monkeypatch, tmp_path, amount
):
    workspace, _ = two_cases
    monkeypatch.setenv("CCP_TODAY", "2027-03-12")
    assert (
        runner.invoke(cli, ["-w", str(workspace.root), "minutes", "draft", MEETING]).exit_code == 0
    )
    draft = workspace.meetings_dir / MEETING / "minutes.yaml"
    done = complete_draft(draft, tmp_path / "minutes.yaml")
    text = done.read_text().replace("amount: 4800", f"amount: {amount}", 1)
    done.write_text(text)
    before = rows(workspace, "Actions")
    result = runner.invoke(cli, ["-w", str(workspace.root), "minutes", "record", str(done)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "minutes.yaml: cases[1].resources[1].amount: " in result.stderr
    assert rows(workspace, "Actions") == before


def test_a_damaged_case_json_is_named_with_the_way_to_recover(two_cases, runner):
    workspace, cases = two_cases
    (workspace.case_dir(cases[0]) / "case.json").write_text('{"case_id": "CCP-2027-001", ')
    line = one_error(
        runner.invoke(cli, ["-w", str(workspace.root), "pack", MEETING, "--no-pdf"]), 1
    )
    assert line.startswith("Error: cases/CCP-2027-001/case.json: is damaged and cannot be read (")
    assert "accept the referral again from cases/CCP-2027-001/referral-received.yaml" in line


@pytest.mark.parametrize("value", ["tomorrow", "2027-13-01", "20/02/2027"])
def test_a_bad_ccp_today_is_one_error_naming_the_variable(runner, inbox, monkeypatch, value):
    monkeypatch.setenv("CCP_TODAY", value)
    line = one_error(runner.invoke(cli, ["referral", "check", str(inbox / "referral.yaml")]), 3)
    assert line == (
        f"Error: CCP_TODAY={value!r} is not an ISO date like 2027-02-20; correct it, or unset "
        "CCP_TODAY to use today's date"
    )


@pytest.mark.parametrize("form_format", ["yaml", "docx"])
def test_referral_template_into_a_missing_folder_is_one_error(runner, tmp_path, form_format):
    out = tmp_path / "no-such-folder" / f"referral.{form_format}"
    line = one_error(
        runner.invoke(cli, ["referral", "template", "--format", form_format, str(out)]), 1
    )
    assert f"the folder {out.parent} does not exist" in line
    assert not out.parent.exists()


# --- a referral for a meeting already held ------------------------------------------------------


def test_a_referral_for_a_past_meeting_needs_a_later_meeting(
    workspace, inbox, referral_data, runner
):
    referral_data["meeting"] = date(2027, 1, 14)
    referral_data["authorised_by"]["date"] = date(2026, 12, 20)
    referral_data["key_social_worker"]["consulted_on"] = date(2026, 12, 18)
    if referral_data.get("iro"):
        referral_data["iro"]["consulted_on"] = date(2026, 12, 18)
    path = write_yaml(inbox / "late.yaml", referral_data)
    args = ["-w", str(workspace.root), "referral", "add", str(path)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert (
        "Error: late.yaml: meeting: the 14 January 2027 meeting has already taken place "
        "(today is 20 February 2027); accept it for a later meeting with --meeting DATE"
    ) in result.stderr
    assert rows(workspace, "Cases") == 0

    result = runner.invoke(cli, [*args, "--meeting", "2027-01-14"])
    assert "--meeting 2027-01-14: that meeting has already taken place" in result.stderr
    assert result.exit_code == 1

    result = runner.invoke(cli, [*args, "--meeting", MEETING])
    assert result.exit_code == 0, result.output
    assert "Accepted as CCP-2027-001 for the 2027-03-11 meeting" in result.output


def test_a_referral_for_a_meeting_already_minuted_is_refused(workspace, inbox, referral_data):
    from workflow.cases.referrals import add_referral
    from workflow.core.errors import ReferralRejected
    from workflow.register import register_lock

    add_referral(workspace, inbox / "referral.yaml")
    with register_lock(workspace.register_file):
        register = Register.load(workspace.register_file)
        [meeting] = register.find("Meetings", meeting=date(2027, 3, 11))
        meeting["status"] = "signed"
        register.save(workspace.register_file, backups_dir=workspace.backups_dir)
    referral_data["child"]["local_id"] = "LCS-424242"
    other = write_yaml(inbox / "other.yaml", referral_data)
    with pytest.raises(ReferralRejected, match="already been held \\(its minutes are signed\\)"):
        add_referral(workspace, other)
    assert rows(workspace, "Cases") == 1


def test_panel_yaml_defaults_for_the_new_settings():
    from workflow.contract import PanelConfig

    panel = PanelConfig.model_validate(yaml.safe_load((DATA / "panel.yaml").read_text()))
    assert (panel.paper_max_mb, panel.pack_papers_max_mb, panel.shared_group) == (20, 100, False)


def test_a_kill_after_the_register_save_is_completed_by_the_next_referral_add(
    workspace, inbox, referral_data, monkeypatch
):
    """The register has the case but the folder was not yet in place: the next run
    publishes it (and its Word referral) rather than leaving a row with no papers."""
    import copy as copy_module

    import workflow.core.files as files_module
    from workflow.cases.referrals import add_referral

    real_publish_dir = files_module.publish_dir

    def killed(staged, target):
        if not target.name.startswith("."):
            raise KeyboardInterrupt  # the kill, after the pending folder was named
        return real_publish_dir(staged, target)

    monkeypatch.setattr(files_module, "publish_dir", killed)
    with pytest.raises(KeyboardInterrupt):
        add_referral(workspace, inbox / "referral.yaml")
    monkeypatch.setattr(files_module, "publish_dir", real_publish_dir)
    assert not (workspace.cases_dir / "CCP-2027-001").exists()
    assert (workspace.cases_dir / ".pending-CCP-2027-001").is_dir()

    other = copy_module.deepcopy(referral_data)
    other["child"]["local_id"] = "LCS-777777"
    other["attachments"] = {}
    second = add_referral(workspace, write_yaml(inbox / "other.yaml", other))
    assert second.case_id == "CCP-2027-002"
    assert (workspace.cases_dir / "CCP-2027-001" / "case.json").is_file()
    assert not list(workspace.cases_dir.glob(".pending-*"))
    assert (workspace.meeting_output(second.meeting) / "CCP-2027-001-referral.docx").is_file()
