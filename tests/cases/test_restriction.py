"""`ccp case restrict`: the Cases sheet says who may see a case; one-line errors; hand edits."""

from __future__ import annotations

import pytest
from between_meetings import append_row, edit_cells, sheet_rows
from helpers import accept_two
from openpyxl import load_workbook

from workflow.cases.access import Reader, Restriction, hidden_from, restrictions
from workflow.cli import cli
from workflow.register import Register


@pytest.fixture
def accepted(workspace, inbox, referral_data):
    return workspace, accept_two(workspace, inbox, referral_data)


def restrict(runner, workspace, *args):
    return runner.invoke(cli, ["-w", str(workspace.root), "case", "restrict", *args])


def case_row(workspace, case_id):
    (row,) = [
        row for row in sheet_rows(workspace.register_file, "Cases") if row["Case ID"] == case_id
    ]
    return row


def test_restrict_records_agencies_reason_and_an_audit_row(runner, accepted):
    workspace, (first, _) = accepted
    result = restrict(
        runner,
        workspace,
        first,
        "--agency",
        "police",
        "--agency",
        "CAMHS",
        "--reason",
        "Live inquiry",
    )

    assert result.exit_code == 0, result.output
    assert f"{first}: restricted to Police, CAMHS" in result.output
    row = case_row(workspace, first)
    assert (row["Restricted to"], row["Restriction reason"]) == ("Police; CAMHS", "Live inquiry")
    audit = sheet_rows(workspace.register_file, "Audit")[-1]
    assert (audit["Command"], audit["Action"], audit["Target"]) == (
        "case restrict",
        "restricted the case",
        first,
    )
    assert audit["Detail"] == "to Police; CAMHS: Live inquiry"


def test_lift_clears_the_cells_and_says_what_it_was(runner, accepted):
    workspace, (first, _) = accepted
    restrict(runner, workspace, first, "--agency", "Police")
    result = restrict(runner, workspace, first, "--lift")

    assert result.exit_code == 0, result.output
    assert "restriction lifted" in result.output
    row = case_row(workspace, first)
    assert (row["Restricted to"], row["Restriction reason"]) == (None, None)
    audit = sheet_rows(workspace.register_file, "Audit")[-1]
    assert (audit["Action"], audit["Detail"]) == (
        "lifted the restriction",
        "was restricted to Police",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["CCP-2027-099", "--agency", "Police"],
            "Error: CCP-2027-099: no such case in the register",
        ),
        (
            ["CCP-2027-001", "--agency", "Polce"],
            "Error: --agency: 'Polce' is not an agency in panel.yaml",
        ),
        (["CCP-2027-001"], "Error: --agency: name at least one agency"),
        (["CCP-2027-001", "--lift", "--agency", "Police"], "Error: --lift: give no --agency"),
        (["CCP-2027-002", "--lift"], "Error: CCP-2027-002: the case is not restricted"),
    ],
    ids=["unknown-case", "unknown-agency", "no-agency", "lift-with-agency", "lift-unrestricted"],
)
def test_bad_requests_are_one_line_and_change_nothing(runner, accepted, args, message):
    workspace, _ = accepted
    before = workspace.register_file.read_bytes()
    result = restrict(runner, workspace, *args)

    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert workspace.register_file.read_bytes() == before


def test_an_older_register_gains_the_columns_and_keeps_hand_edits_and_sorts(runner, accepted):
    """A register from before issue 23 (no restriction columns), sorted and edited by hand
    in Excel: the restriction lands on the right row, by case ID, and the edits stay."""
    workspace, (first, second) = accepted
    path = workspace.register_file
    book = load_workbook(path)
    cases = book["Cases"]
    header = [cell.value for cell in cases[1]]
    for name in ("Restriction reason", "Restricted to"):
        if name in header:
            cases.delete_cols(header.index(name) + 1)
    # Sorted by hand: the second case first.
    rows = [[cell.value for cell in row] for row in cases.iter_rows(min_row=2)]
    for number, values in enumerate(reversed(rows), start=2):
        for column, value in enumerate(values, start=1):
            cases.cell(number, column).value = value
    book.save(path)
    edit_cells(path, "Cases", {"Case ID": first}, {"Notes": "typed by hand"})
    append_row(path, "Audit", {"Who": "casey", "Action": "note by hand"})

    result = restrict(runner, workspace, first, "--agency", "Health")

    assert result.exit_code == 0, result.output
    rows = sheet_rows(path, "Cases")
    assert [row["Case ID"] for row in rows] == [second, first]  # the hand sort stays
    assert rows[1]["Restricted to"] == "Health"
    assert rows[1]["Notes"] == "typed by hand"
    assert rows[0]["Restricted to"] is None
    assert any(row["Action"] == "note by hand" for row in sheet_rows(path, "Audit"))

    # And after: a hand edit of the cell is what the next command reads.
    edit_cells(path, "Cases", {"Case ID": first}, {"Restricted to": "Police;\nCAMHS"})
    known = restrictions(Register.load(path))
    assert known[first].agencies == ("Police", "CAMHS")


@pytest.mark.parametrize(
    ("reader", "hidden"),
    [
        (Reader("Alex Sample", "Children's social care", sees_all=True), False),
        (Reader("DI Frankie Fiction", "police "), False),
        (Reader("Ellis Pretendy", "CAMHS"), True),
    ],
    ids=["chair-sees-all", "agency-named", "other-agency"],
)
def test_hidden_from(reader, hidden):
    case = Restriction("CCP-2027-001", ("Police",))
    assert hidden_from(reader, case) is hidden
    assert hidden_from(reader, None) is False


def test_reminders_leave_a_restricted_case_out_and_record_each_draft(
    workspace, inbox, referral_data, tmp_path, monkeypatch
):
    """The police member owns an action of each case; the second is restricted to children's
    social care: their reminder holds only the first, and the summary says why."""
    from between_meetings import minute_first_meeting
    from helpers import read_eml

    from workflow.cases.reminders import draft_reminders
    from workflow.cases.restriction import restrict_case

    first, second = minute_first_meeting(workspace, inbox, referral_data, tmp_path)
    for action in (f"{first}-A1", f"{second}-A1"):
        edit_cells(
            workspace.register_file,
            "Actions",
            {"Action ID": action},
            {"Owner": "DI Frankie Fiction"},
        )
    restrict_case(workspace, second, ["Children's social care"])
    monkeypatch.setenv("CCP_TODAY", "2027-03-20")

    reminders = draft_reminders(workspace)

    folder = workspace.root / "output" / "reminders" / "2027-03-20"
    frankie = read_eml(folder / "01-di-frankie-fiction.eml").get_content()
    assert f"{first}-A1" in frankie
    assert second not in frankie
    assert (
        f"{second}-A1: not in DI Frankie Fiction's reminder: {second} is restricted "
        "to named agencies; remind them by hand only if they may see it"
    ) in reminders.warnings
    # The police action of the restricted case is the police officer's no more.
    assert any(w.startswith(f"{second}-A2: not in PC Sam Madeup's") for w in reminders.warnings)
    summary = read_eml(folder / "00-summary.eml").get_content()
    assert f"{second}-A1: not in DI Frankie Fiction's reminder" in summary
    rows = sheet_rows(workspace.register_file, "Disclosures")
    (row,) = [row for row in rows if row["Recipient"] == "DI Frankie Fiction"]
    assert (row["Purpose"], row["Case IDs"], row["Agency"]) == ("reminder", first, "Police")
    assert row["File"] == "output/reminders/2027-03-20/01-di-frankie-fiction.eml"


def test_a_kill_between_the_reminders_commit_and_their_publication_is_finished_next_time(
    workspace, inbox, referral_data, tmp_path, monkeypatch
):
    from between_meetings import minute_first_meeting

    from workflow.cases import reminders as reminders_module
    from workflow.cases.reminders import draft_reminders
    from workflow.meetings.records import sha256_of

    minute_first_meeting(workspace, inbox, referral_data, tmp_path)
    edit_cells(
        workspace.register_file,
        "Actions",
        {"Action ID": "CCP-2027-001-A1"},
        {"Owner": "Ellis Pretendy"},
    )
    monkeypatch.setenv("CCP_TODAY", "2027-03-20")
    real = reminders_module.publish_dir

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(reminders_module, "publish_dir", killed)
    with pytest.raises(KeyboardInterrupt):
        draft_reminders(workspace)
    folder = workspace.root / "output" / "reminders" / "2027-03-20"
    assert not folder.exists()  # nothing half-published
    (row,) = sheet_rows(workspace.register_file, "Disclosures")
    assert row["Recipient"] == "Ellis Pretendy"

    monkeypatch.setattr(reminders_module, "publish_dir", real)
    monkeypatch.setenv("CCP_TODAY", "2027-03-21")
    draft_reminders(workspace)

    # The committed drafts of the 20th are in place, as the register recorded them.
    assert sha256_of(workspace.root / row["File"]) == row["SHA-256"]
    assert not list((workspace.root / "output" / "reminders").glob(".*"))
