"""A yearly Audit (issue 21): the year's first writing command renames last year's Audit tab
"Audit to <year>" without reading or rewriting it, a new Audit tab starts, and whatever reads
the history (case numbers, subject access, a case's history, the dashboard) reads every tab."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.workbook.defined_name import DefinedName
from testdata import DATA
from workbook_checks import parts, rezip, through_libreoffice

from workflow.cases.referrals import add_referral, next_case_id
from workflow.core.dates import as_of
from workflow.register import Register
from workflow.register.audit_years import (
    audit_sheets,
    latest_audit,
    select_audit,
    start_audit_year,
)
from workflow.workspace.initialise import init_workspace
from workflow.workspace.paths import Workspace
from workflow.workspace.transaction import transaction

LAST_YEAR = datetime(2026, 10, 5, 9, 30)
TODAY = date(2027, 2, 20)


def _tabs(path: Path) -> list[str]:
    workbook = zipfile.ZipFile(path).read("xl/workbook.xml").decode()
    return re.findall(r'<sheet\b[^>]*\bname="([^"]*)"', workbook)


def _part_of(path: Path, tab: str) -> str:
    """The worksheet part that holds tab ``tab``."""
    with zipfile.ZipFile(path) as package:
        workbook = package.read("xl/workbook.xml").decode()
        rels = package.read("xl/_rels/workbook.xml.rels").decode()
    rel_id = re.search(rf'<sheet\b[^>]*\bname="{re.escape(tab)}"[^>]*\br:id="([^"]+)"', workbook)
    assert rel_id, tab
    target = re.search(rf'<Relationship\b[^>]*Id="{rel_id.group(1)}"[^>]*/>', rels).group(0)
    return "xl/" + re.search(r'Target="/?(?:xl/)?([^"]+)"', target).group(1)


def _targets(path: Path, tab: str) -> list[str]:
    rows = list(load_workbook(path)[tab].iter_rows(values_only=True))
    return [row[4] for row in rows[1:]]


@pytest.fixture
def last_years_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A workspace started in October 2026, its Audit holding that autumn's changes (one
    naming case CCP-2027-003, accepted in December for a January meeting, its row since
    deleted); the tests then run on 20 February 2027."""
    monkeypatch.setenv("CCP_TODAY", "2026-10-01")
    root = tmp_path / "panel"
    init_workspace(root, panel_yaml=(DATA / "panel.yaml").read_text(encoding="utf-8"))
    workspace = Workspace(root)
    with transaction(workspace, "referral add") as change:
        for number, target in enumerate(["CCP-2026-001", "CCP-2026-002", "CCP-2027-003"]):
            change.register.audit(
                command="referral add",
                action="accepted referral",
                target=target,
                who="an-administrator",
                when=LAST_YEAR + timedelta(days=30 * number),
            )
        change.commit()
    monkeypatch.setenv("CCP_TODAY", TODAY.isoformat())
    return workspace


def test_the_years_first_change_renames_last_years_tab_and_starts_a_new_one(
    last_years_workspace: Workspace, inbox: Path
) -> None:
    path = last_years_workspace.register_file
    before = parts(path)
    old_tabs = _tabs(path)
    old_part = _part_of(path, "Audit")
    old_targets = _targets(path, "Audit")

    add_referral(last_years_workspace, inbox / "referral.yaml")

    tabs = _tabs(path)
    position = old_tabs.index("Audit")
    assert tabs[position] == "Audit to 2026"
    assert tabs[-1] == "Audit"
    assert tabs[:position] == old_tabs[:position]
    # Last year's rows were not read or rewritten: the same part, byte for byte.
    assert _part_of(path, "Audit to 2026") == old_part
    assert parts(path)[old_part] == before[old_part]
    assert _targets(path, "Audit to 2026") == old_targets
    audit = list(load_workbook(path)["Audit"].iter_rows(values_only=True))
    assert audit[0][:2] == ("When", "Who")
    assert [row[3] for row in audit[1:]] == ["started the year's audit", "accepted referral"]
    assert "'Audit to 2026'" in audit[1][5]
    assert all(row[0].date() == TODAY for row in audit[1:])
    # Its filter covers the renamed tab, by the new name.
    workbook = zipfile.ZipFile(path).read("xl/workbook.xml").decode()
    assert f'localSheetId="{position}" hidden="1">\'Audit to 2026\'!$A$1:' in workbook

    # The year's later changes go to the new tab; the renamed one is never written again.
    archived = parts(path)[old_part]
    add_referral(last_years_workspace, _second_referral(inbox))
    assert _tabs(path) == tabs
    assert parts(path)[old_part] == archived
    assert [row[3] for row in load_workbook(path)["Audit"].iter_rows(values_only=True)][1:] == [
        "started the year's audit",
        "accepted referral",
        "accepted referral",
    ]


def _second_referral(inbox: Path) -> Path:
    text = (inbox / "referral.yaml").read_text(encoding="utf-8")
    second = inbox / "second.yaml"
    local_id = re.search(r"local_id:\s*(\S+)", text).group(1)
    second.write_text(text.replace(local_id, "FICT-SECOND-9"), encoding="utf-8")
    return second


def test_a_case_number_named_only_in_last_years_tab_is_not_given_again(
    last_years_workspace: Workspace, inbox: Path
) -> None:
    accepted = add_referral(last_years_workspace, inbox / "referral.yaml")
    assert "Audit to 2026" in _tabs(last_years_workspace.register_file)
    # CCP-2027-003 was accepted in December: its number is taken though its row is gone.
    assert accepted.case_id == "CCP-2027-004"
    register = Register.load(last_years_workspace.register_file)
    assert next_case_id(last_years_workspace, register, 2027) == "CCP-2027-005"
    assert next_case_id(last_years_workspace, register, 2026) == "CCP-2026-003"


def test_a_reading_command_leaves_the_file_alone(last_years_workspace: Workspace, runner) -> None:
    from workflow.cli import cli

    before = last_years_workspace.register_file.read_bytes()
    result = runner.invoke(cli, ["-w", str(last_years_workspace.root), "actions", "list"])
    assert result.exit_code == 0, result.output
    assert last_years_workspace.register_file.read_bytes() == before


def _register_of_last_year(path: Path, count: int = 30) -> None:
    register = Register.create()
    for number in range(count):
        register.audit(
            command="actions update",
            action="changed status",
            target=f"CCP-2026-{number % 7 + 1:03d}-A1",
            who="an-administrator",
            when=LAST_YEAR + timedelta(hours=number),
        )
    register.save(path, backups_dir=path.parent / "backups", keep_backups=0)


def test_readers_see_every_tab_in_one_process_and_after_saving(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    _register_of_last_year(path)
    register = Register.load(path)
    assert start_audit_year(register, TODAY) == "Audit to 2026"
    assert start_audit_year(register, TODAY) is None
    register.audit(command="actions update", action="changed status", target="CCP-2026-001-A1")
    for reader in (register, None):
        if reader is None:
            register.save(path, backups_dir=tmp_path / "backups", keep_backups=0)
            reader = Register.load(path)
        assert audit_sheets(reader) == ["Audit", "Audit to 2026"]
        found = select_audit(reader, "target", ["CCP-2026-001-A1"])
        # This year's row first, then last year's (rows 0, 7, 14, 21, 28).
        assert [row["when"].year for row in found] == [2027, *[2026] * 5]
        # This year's two rows (the new tab's first, then the change), topped up from 2026.
        latest = latest_audit(reader, 4)
        assert [row["when"].year for row in latest] == [2027, 2027, 2026, 2026]
        assert [row["when"] for row in latest[2:]] == [
            LAST_YEAR + timedelta(hours=29),
            LAST_YEAR + timedelta(hours=28),
        ]
        assert reader.tokens("Audit to 2026", "CCP-2026-007") == {"CCP-2026-007-A1"}
        assert len(reader.column_values("Audit to 2026", "when")) == 30
    assert start_audit_year(Register.load(path), TODAY) is None


def test_no_new_tab_while_the_audit_starts_this_year_or_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    Register.create().save(path, backups_dir=tmp_path / "backups", keep_backups=0)
    assert start_audit_year(Register.load(path), TODAY) is None
    _register_of_last_year(path)
    # On a day of 2026 the rows of 2026 are this year's.
    assert start_audit_year(Register.load(path), date(2026, 12, 31)) is None
    # A register left unused over a year: the tab is named for the year before today.
    assert start_audit_year(Register.load(path), date(2028, 1, 3)) == "Audit to 2027"
    # A row of this year already there (a register ccp began to keep by the year part-way
    # through one): the tab stays whole until the next year, so no tab named for a year
    # holds a later year's row.
    register = Register.load(path)
    register.audit(command="x", action="y", target="CCP-2027-001", when=datetime(2027, 1, 5))
    register.save(path, backups_dir=tmp_path / "backups", keep_backups=0)
    assert start_audit_year(Register.load(path), TODAY) is None
    assert start_audit_year(Register.load(path), date(2028, 1, 3)) == "Audit to 2027"


def test_names_of_the_renamed_tab_follow_it_and_workbook_names_keep_saying_audit(
    tmp_path: Path,
) -> None:
    """A chart tab first (localSheetId counts it), a print title on the Audit tab (its own
    name) and a workbook-wide name an administrator's formula counts."""
    path = tmp_path / "register.xlsx"
    _register_of_last_year(path)
    book = load_workbook(path)
    book.create_chartsheet("Chart", 0)
    book["Audit"].print_title_rows = "1:1"
    book.defined_names["AuditWho"] = DefinedName("AuditWho", attr_text="Audit!$B$2:$B$31")
    book.save(path)
    # openpyxl counts worksheets only in localSheetId; Excel counts the chart tab too.
    files = parts(path)
    files["xl/workbook.xml"] = re.sub(
        rb'localSheetId="(\d+)"',
        lambda match: b'localSheetId="%d"' % (int(match.group(1)) + 1),
        files["xl/workbook.xml"],
    )
    path.write_bytes(rezip(files))
    register = Register.load(path)
    start_audit_year(register, TODAY)
    register.save(path, backups_dir=tmp_path / "backups", keep_backups=0)

    tabs = _tabs(path)
    position = tabs.index("Audit to 2026")
    workbook = zipfile.ZipFile(path).read("xl/workbook.xml").decode()
    names = dict(re.findall(r"<definedName\b([^>]*)>([^<]*)</definedName>", workbook))
    local = [
        text for attributes, text in names.items() if f'localSheetId="{position}"' in attributes
    ]
    assert len(local) == 2  # its filter and its print titles
    assert all(text.startswith("'Audit to 2026'!") for text in local)
    assert "Audit!$B$2:$B$31" in names.values()
    assert tabs[0] == "Chart"
    assert len(Register.load(path).rows("Audit to 2026")) == 30


def test_a_register_saved_by_calc_gets_its_yearly_tab_and_calc_reads_both(tmp_path: Path) -> None:
    made = tmp_path / "made" / "register.xlsx"
    made.parent.mkdir()
    _register_of_last_year(made)
    path = through_libreoffice(made, tmp_path / "calc")
    register = Register.load(path)
    assert start_audit_year(register, TODAY) == "Audit to 2026"
    # Read under its new name before saving: the reader still knows it by its old one.
    assert len(register.rows("Audit to 2026")) == 30
    register.audit(command="actions update", action="changed status", target="CCP-2026-002-A1")
    register.save(path, backups_dir=tmp_path / "backups", keep_backups=0)

    reread = through_libreoffice(path, tmp_path / "again")
    book = load_workbook(reread)
    assert book.sheetnames[-2:] == ["Tombstones", "Audit"] or book.sheetnames[-1] == "Audit"
    assert [row[4] for row in book["Audit"].iter_rows(min_row=2, values_only=True)] == [
        "Audit",
        "CCP-2026-002-A1",
    ]
    assert book["Audit to 2026"].max_row == 31
    assert Register.load(reread).select("Audit to 2026", "target", ["CCP-2026-002-A1"])


def test_the_demos_history_reads_the_years_it_spans(built_demo: Path) -> None:
    """The demo's year runs from February 2027 into 2028: its register has 2027's tab, and
    a case's history still tells what was done to the case in 2027."""
    from workflow.reports.case_history import case_history

    workspace = Workspace(built_demo)
    register = Register.load(workspace.register_file)
    assert audit_sheets(register) == ["Audit", "Audit to 2027"]
    archived = register.rows("Audit to 2027")
    assert archived
    assert all(row["when"].year <= 2027 for row in archived)
    assert all(row["when"].year == 2028 for row in register.rows("Audit"))
    changed = next(
        row
        for row in archived
        if row["command"] == "actions update" and str(row["target"]).count("-") == 3
    )
    case_id = str(changed["target"]).rsplit("-", 1)[0]
    history = case_history(workspace, case_id)
    assert any(
        event.on == changed["when"].date()
        and event.summary.startswith(f"{changed['target']}: {changed['action']}")
        for event in history.events
    ), [(event.on, event.summary) for event in history.events]


def test_a_decorated_register_saved_by_calc_turns_its_year_with_a_hand_edit_before(
    workspace: Workspace, runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The administrator's Calc-saved register (fills, comments, a chart, tables, a Summary
    of formulas), its Audit sorted newest first by hand; the first command of 2028 leaves
    every part it does not own as it was, and Calc reads both Audit tabs back."""
    from workbook_checks import DECORATED, SHEET_PARTS, changed_parts, decorations

    from workflow.cli import cli

    shutil.copyfile(DECORATED, workspace.register_file)
    book = load_workbook(workspace.register_file)
    audit = book["Audit"]
    rows = [[cell.value for cell in row] for row in audit.iter_rows(min_row=2)]
    for row, values in zip(audit.iter_rows(min_row=2), reversed(rows), strict=True):
        for cell, value in zip(row, values, strict=True):
            cell.value = value
    book.save(workspace.register_file)
    path = through_libreoffice(workspace.register_file, tmp_path / "calc")
    shutil.copyfile(path, workspace.register_file)
    before = parts(workspace.register_file)
    original = decorations(workspace.register_file)
    old_targets = _targets(workspace.register_file, "Audit")

    monkeypatch.setenv("CCP_TODAY", "2028-01-10")
    args = ["actions", "update", "CCP-2027-001-A1", "--status", "Completed"]
    result = runner.invoke(cli, ["-w", str(workspace.root), *args])
    assert result.exit_code == 0, result.output

    after = parts(workspace.register_file)
    assert after[SHEET_PARTS["Audit"]] == before[SHEET_PARTS["Audit"]]
    # The sheets it does not write stay byte for byte (Cases and Summary hold formulas, whose
    # cached values go so that Calc recounts).
    for sheet in ("Meetings", "Resources", "Progress", "Signatures", "Contacts"):
        assert after[SHEET_PARTS[sheet]] == before[SHEET_PARTS[sheet]], sheet
    new_part = next(name for name in after.keys() - before.keys() if "worksheets/" in name)
    assert changed_parts(before, after) <= {
        new_part,
        SHEET_PARTS["Actions"],
        SHEET_PARTS["Cases"],
        SHEET_PARTS["Summary"],
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
        "xl/styles.xml",
    }
    now = decorations(workspace.register_file)
    tabs = [*original["sheets"], "Audit"]
    tabs[tabs.index("Audit")] = "Audit to 2027"
    assert now == {**original, "sheets": tabs}
    assert _targets(workspace.register_file, "Audit to 2027") == old_targets

    reread = through_libreoffice(workspace.register_file, tmp_path / "again")
    assert _targets(reread, "Audit to 2027") == old_targets
    assert _targets(reread, "Audit") == ["Audit", "CCP-2027-001-A1"]
    assert (
        Register.load(reread).select("Actions", "action_id", ["CCP-2027-001-A1"])[0]["status"]
        == "Completed"
    )


def test_a_tab_of_ones_own_with_the_years_name_stops_the_command_in_one_line(
    last_years_workspace: Workspace, runner
) -> None:
    """A chart tab the administrator happened to call "Audit to 2026": nothing is written,
    and the message says what to do."""
    from workflow.cli import cli

    path = last_years_workspace.register_file
    book = load_workbook(path)
    book.create_chartsheet("Audit to 2026")
    book.save(path)
    before = path.read_bytes()
    result = runner.invoke(
        cli, ["-w", str(last_years_workspace.root), "actions", "list", "--overdue"]
    )
    assert result.exit_code == 0, result.output  # reading needs no new tab
    args = ["retention", "hold", "CCP-2026-001", "--reason", "Inquiry"]
    result = runner.invoke(cli, ["-w", str(last_years_workspace.root), *args])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: register.xlsx: a tab named 'Audit to 2026' is already in the workbook, and "
        "ccp needs that name for the tab now called 'Audit'; rename the other tab and run the "
        "command again; nothing was changed\n"
    )
    assert path.read_bytes() == before


YEARS_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("change"), st.integers(0, 500)),
        st.tuples(st.just("sort"), st.booleans()),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=YEARS_STEPS)
def test_over_years_of_changes_and_sorts_no_audit_row_is_lost_or_misfiled(
    steps: list[tuple[Any, ...]],
) -> None:
    """Changes days or years apart, each through the year's turn as a command makes it, and
    the Audit or last year's tab sorted by hand between them: every row is on some Audit
    tab, a tab named for a year holds no later row, and this year's tab no earlier one."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.xlsx"
        Register.create().save(path, backups_dir=Path(folder) / "b", keep_backups=0)
        day = date(2027, 1, 4)
        made: list[str] = []
        for number, step in enumerate(steps):
            if step[0] == "change":
                day += timedelta(days=step[1])
                with as_of(day):
                    register = Register.load(path)
                    start_audit_year(register, day)
                    register.audit(command="x", action="y", target=f"T{number}")
                    register.save(path, backups_dir=Path(folder) / "b", keep_backups=0)
                made.append(f"T{number}")
            else:
                book = load_workbook(path)
                archives = [name for name in book.sheetnames if name.startswith("Audit to ")]
                tab = book["Audit" if step[1] or not archives else archives[-1]]
                rows = [[cell.value for cell in row] for row in tab.iter_rows(min_row=2)]
                tab.delete_rows(2, tab.max_row)
                for row in sorted(rows, key=lambda row: str(row[4]), reverse=True):
                    tab.append(row)
                book.save(path)
            register = Register.load(path)
            tabs = audit_sheets(register)
            found = [
                str(row["target"])
                for tab in tabs
                for row in register.rows(tab)
                if row["command"] != "register"  # a new year's first row
            ]
            assert sorted(found) == sorted(made)
            years = [int(tab.rsplit(" ", 1)[1]) for tab in tabs[1:]]
            for tab, year in zip(tabs[1:], years, strict=True):
                assert all(row["when"].year <= year for row in register.rows(tab)), tab
            assert all(row["when"].year > max(years, default=0) for row in register.rows("Audit"))
