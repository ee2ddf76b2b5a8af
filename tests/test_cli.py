"""The command line: exit codes, messages on stderr, and what each command writes."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import click
import pytest
import yaml
from openpyxl import load_workbook
from testdata import DATA, write_yaml

from workflow.cli import cli
from workflow.core.dates import uk_date
from workflow.documents.text import document_text


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += all_commands(command, (*prefix, name))
    return found


COMMANDS = all_commands(cli)


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_command_has_help_with_an_example(runner, command):
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    summary = result.output.split("\n\n")[1].strip()
    assert len(summary) > 10
    if not isinstance(cli.commands.get(command[0]), click.Group) or len(command) > 1:
        assert "Example:" in result.output or "Try it:" in result.output


@pytest.fixture
def panel_dir(runner, tmp_path) -> Path:
    root = tmp_path / "panel"
    result = runner.invoke(cli, ["init", str(root)])
    assert result.exit_code == 0, result.output
    (root / "panel.yaml").write_text((DATA / "panel.yaml").read_text(encoding="utf-8"))
    return root


def test_init_creates_a_workspace_and_says_so(runner, tmp_path):
    root = tmp_path / "new-panel"
    result = runner.invoke(cli, ["init", str(root)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {root / 'panel.yaml'}" in result.output
    assert f"Wrote {root / 'register.xlsx'}" in result.output
    book = load_workbook(root / "register.xlsx")
    assert book.sheetnames == [
        "Meetings",
        "Cases",
        "Actions",
        "Resources",
        "Progress",
        "Signatures",
        "Audit",
        "Disclosures",
        "Retention holds",
        "Tombstones",
    ]
    panel = yaml.safe_load((root / "panel.yaml").read_text())
    assert panel["protective_marking"] == "OFFICIAL-SENSITIVE"
    assert len(panel["meetings"]) == 6


def test_init_refuses_an_existing_workspace(runner, panel_dir):
    before = (panel_dir / "panel.yaml").read_bytes()
    result = runner.invoke(cli, ["init", str(panel_dir)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {panel_dir / 'panel.yaml'}: already exists; {panel_dir} is already a "
        "panel workspace\n"
    )
    assert (panel_dir / "panel.yaml").read_bytes() == before


def test_referral_template_yaml_lists_every_field_with_a_comment(runner, tmp_path):
    out = tmp_path / "blank.yaml"
    result = runner.invoke(cli, ["referral", "template", "--format", "yaml", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out}\n"
    text = out.read_text()
    lines = text.splitlines()
    for key in ("meeting:", "  date_of_birth:", "    key_worker:", "late_accepted_by:"):
        index = lines.index(key)
        assert lines[index - 1].lstrip().startswith("# "), key
    assert "One of: low, medium, high, very_high." in text
    # The blank form parses, and checking it names what is still needed.
    check = runner.invoke(cli, ["referral", "check", str(out)])
    assert check.exit_code == 1
    assert "Error: blank.yaml: child.date_of_birth: is required\n" in check.stderr
    assert "Error: blank.yaml: risks: needs at least one entry\n" in check.stderr


def test_referral_template_refuses_to_overwrite(runner, tmp_path):
    out = tmp_path / "blank.yaml"
    out.write_text("mine")
    result = runner.invoke(cli, ["referral", "template", str(out)])
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert out.read_text() == "mine"


def test_check_reports_each_problem_on_its_own_line(runner, tmp_path, referral_data):
    referral_data["child"]["date_of_birth"] = "2030-01-01"
    referral_data["risks"][0]["level"] = "severe"
    path = write_yaml(tmp_path / "referral.yaml", referral_data)
    result = runner.invoke(cli, ["referral", "check", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: referral.yaml: risks[1].level: must be one of: low, medium, high, very_high\n"
    )
    referral_data["risks"][0]["level"] = "high"
    write_yaml(path, referral_data)
    result = runner.invoke(cli, ["referral", "check", str(path)])
    assert result.stderr == (
        "Error: referral.yaml: child.date_of_birth: must be in the past\n"
        "Error: referral.yaml: child.legal_status_since: must not be before the date of birth\n"
    )


def test_check_passes_and_warns_about_missing_papers(runner, inbox):
    result = runner.invoke(cli, ["referral", "check", str(inbox / "referral.yaml")])
    assert result.exit_code == 0, result.output
    assert result.stdout == "referral.yaml: ready to accept for the 2027-03-11 meeting\n"
    assert result.stderr == (
        "Warning: attachments.last_review_report: no last review report supplied for circulation\n"
    )


def test_yaml_syntax_error_exit_1_with_position(runner, tmp_path):
    path = tmp_path / "referral.yaml"
    path.write_text("meeting: [2027-03-11\n")
    result = runner.invoke(cli, ["referral", "check", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: referral.yaml: line 2, column 1: ")


def test_add_prints_what_it_wrote(runner, panel_dir, inbox):
    result = runner.invoke(
        cli,
        [
            "-w",
            str(panel_dir),
            "referral",
            "add",
            str(inbox / "referral.yaml"),
            "--meeting",
            "2027-03-11",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Accepted as CCP-2027-001 for the 2027-03-11 meeting" in result.stdout
    assert "Wrote cases/CCP-2027-001/" in result.stdout
    assert "Wrote output/2027-03-11/CCP-2027-001-referral.docx" in result.stdout
    assert "Wrote register.xlsx" in result.stdout


def test_add_outside_a_workspace_fails_clearly(runner, tmp_path, inbox):
    result = runner.invoke(
        cli, ["-w", str(tmp_path), "referral", "add", str(inbox / "referral.yaml")]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path}: not a panel workspace (no panel.yaml); run `ccp init` there, "
        "or pass --workspace\n"
    )


def test_add_while_excel_holds_the_register_exits_3(runner, panel_dir, inbox):
    (panel_dir / "~$register.xlsx").write_bytes(b"")
    result = runner.invoke(
        cli, ["-w", str(panel_dir), "referral", "add", str(inbox / "referral.yaml")]
    )
    assert result.exit_code == 3
    assert "open in Excel" in result.stderr
    assert not (panel_dir / "cases" / "CCP-2027-001").exists()


def test_bad_date_option_is_a_usage_error(runner, inbox):
    result = runner.invoke(
        cli, ["referral", "add", str(inbox / "referral.yaml"), "--meeting", "11/03/2027"]
    )
    assert result.exit_code == 2
    assert "'11/03/2027' is not an ISO date like 2027-01-14" in result.stderr


def test_broken_panel_yaml_is_named(runner, panel_dir, inbox):
    (panel_dir / "panel.yaml").write_text("name: X\nchiar: {}\n")
    result = runner.invoke(
        cli, ["-w", str(panel_dir), "referral", "add", str(inbox / "referral.yaml")]
    )
    assert result.exit_code == 1
    assert "Error: panel.yaml: chiar: unknown field 'chiar'; did you mean 'chair'?" in result.stderr


def test_schemas_export_writes_json_schema_2020_12(runner, tmp_path):
    import json

    result = runner.invoke(cli, ["schemas", "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    schema = json.loads((tmp_path / "out" / "referral.schema.json").read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "date_of_birth" in schema["$defs"]["Child"]["properties"]


def test_demo_builds_a_workspace_and_lists_it(runner, tmp_path):
    root = tmp_path / "demo"
    result = runner.invoke(cli, ["demo", str(root)])
    assert result.exit_code == 0, result.output
    assert "CCP-" in result.output
    docs = sorted((root / "output").rglob("*-referral.docx"))
    # Three referrals for the first meeting; six for the second, in its pack (issue 22).
    assert len(docs) == 3 + 6
    first = min(doc.parent.name for doc in docs)
    for doc in docs:
        if doc.parent.name == first:  # the formal referrals `referral add` wrote
            assert f"  {doc.relative_to(root)}" in result.output
    # The demo minutes and signs every meeting of its year up to the last, within the week
    # (none late); the pack after the first carries its minutes.
    minutes = sorted((root / "output").glob("*/minutes-*-v1.docx"))
    minuted = sorted(
        path.parent.name for path in (root / "meetings").glob("*/minutes-completed.yaml")
    )
    assert len(minuted) == 5
    assert [path.parent.name for path in minutes] == minuted
    for path in minutes:
        assert "Signed as a true record by Alex Sample, Chair" in document_text(path)
    signed = minutes[0]
    assert f"VERIFIED: {signed.relative_to(root)}" in result.output
    everyones = sorted((root / "output").glob("*/pack-*.docx"))
    packs = [path for path in everyones if "-limited-" not in path.name]
    assert len(packs) == 2
    # The demo restricts one case: members outside its agencies get packs without it.
    assert [path.name for path in everyones if "-limited-" in path.name] == [
        f"{path.stem}-limited-1.docx" for path in packs
    ]
    assert "Need to know:\n  CCP-2027-002: restricted to Children's social care, CAMHS" in (
        result.output
    )
    assert f"Minutes of the {uk_date(date.fromisoformat(signed.parent.name))} meeting" in (
        document_text(packs[1])
    )
    again = runner.invoke(cli, ["demo", str(root)])
    assert again.exit_code == 1
    assert "already exists and is not empty" in again.stderr


def test_python_dash_m_runs_the_cli():
    result = subprocess.run(
        [sys.executable, "-m", "workflow", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "Complex Child Panel workflow" in result.stdout


def test_word_form_template_check_and_add(runner, panel_dir, inbox, referral_data):
    from workflow.contract import Referral
    from workflow.demo.word_filler import fill

    blank = inbox / "form.docx"
    result = runner.invoke(
        cli, ["-w", str(panel_dir), "referral", "template", "--format", "docx", str(blank)]
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {blank}\n"

    answers = Referral.model_validate(referral_data).model_dump(mode="json")
    answers["child"]["date_of_birth"] = "2030-01-01"
    answers["child"]["legal_status_since"] = None
    bad = fill(blank, answers, inbox / "filled.docx")
    result = runner.invoke(cli, ["-w", str(panel_dir), "referral", "check", str(bad)])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: filled.docx: Child's date of birth (child.date_of_birth): must be in the past\n"
    )

    answers["child"]["date_of_birth"] = "2010-08-17"
    good = fill(blank, answers, inbox / "filled.docx")
    result = runner.invoke(cli, ["-w", str(panel_dir), "referral", "add", str(good)])
    assert result.exit_code == 0, result.output
    assert "Accepted as CCP-2027-001" in result.stdout
    assert (panel_dir / "cases" / "CCP-2027-001" / "referral-received.docx").is_file()


def test_check_refuses_a_docx_that_is_not_a_form(runner, tmp_path):
    from docx import Document

    path = tmp_path / "letter.docx"
    Document().save(str(path))
    result = runner.invoke(cli, ["referral", "check", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: letter.docx: not a ccp referral form")


LEAF_COMMANDS = [
    c for c in COMMANDS if not isinstance(cli.commands.get(c[0]), click.Group) or len(c) > 1
]


@pytest.mark.parametrize("command", LEAF_COMMANDS, ids=[" ".join(c) for c in LEAF_COMMANDS])
def test_every_command_is_in_the_readme_table(command):
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"| `ccp {' '.join(command)}" in readme
