"""`ccp actions remind`: a draft per owner with only their actions, and a summary."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from between_meetings import edit_cells, minute_first_meeting
from helpers import SECOND_CHILD, read_eml

from workflow.cases.actions import update_action
from workflow.cases.reminders import draft_reminders
from workflow.cli import cli

FIRST_CHILD = "Kai Example-Rivers"
A1, A2 = "CCP-2027-001-A1", "CCP-2027-001-A2"  # due 25 and 18 March 2027
B1, B2 = "CCP-2027-002-A1", "CCP-2027-002-A2"


@pytest.fixture
def minuted(workspace, inbox, referral_data, tmp_path, monkeypatch):
    """A1 belongs to a panel member, B1 to the referral's social worker (addresses known);
    both A2 and B2 to PC Sam Madeup, who has no address anywhere."""
    cases = minute_first_meeting(workspace, inbox, referral_data, tmp_path)
    edit_cells(workspace.register_file, "Actions", {"Action ID": A1}, {"Owner": "Ellis Pretendy"})
    edit_cells(workspace.register_file, "Actions", {"Action ID": B1}, {"Owner": "dana fictional"})
    monkeypatch.setenv("CCP_TODAY", "2027-03-20")
    return workspace, cases


def message(path: Path) -> email.message.EmailMessage:
    return read_eml(path)


def drafts(workspace, day: str = "2027-03-20") -> dict[str, email.message.EmailMessage]:
    folder = workspace.root / "output" / "reminders" / day
    return {path.name: message(path) for path in sorted(folder.iterdir())}


def test_one_draft_per_owner_with_only_their_actions(minuted):
    workspace, _ = minuted
    result = draft_reminders(workspace)

    found = drafts(workspace)
    assert sorted(found) == ["00-summary.eml", "01-dana-fictional.eml", "02-ellis-pretendy.eml"]
    assert [path.name for path in result.written] == sorted(found)
    dana = found["01-dana-fictional.eml"]
    assert dana["To"] == "dana fictional <dana@example.org>"
    assert dana["From"] == "Casey Mockup <casey@example.org>"
    assert dana["X-Unsent"] == "1"
    body = dana.get_content()
    assert f"Case CCP-2027-002\n  - {B1}: Allocate a specialist exploitation worker" in body
    assert "Due 25 March 2027 (status: Open)" in body
    assert [line for line in body.splitlines() if "CCP-2027-00" in line] == [
        "Case CCP-2027-002",
        f"  - {B1}: Allocate a specialist exploitation worker",
    ]
    ellis = found["02-ellis-pretendy.eml"].get_content()
    assert A1 in ellis
    assert all(other not in ellis for other in (A2, B1, B2))


def test_owner_without_an_address_is_listed_in_the_summary_with_whom_to_ask(runner, minuted):
    workspace, _ = minuted
    result = runner.invoke(cli, ["-w", str(workspace.root), "actions", "remind"])

    assert result.exit_code == 0, result.output
    assert not any("madeup" in name for name in drafts(workspace))
    summary = drafts(workspace)["00-summary.eml"]
    assert summary["To"] == "Casey Mockup <casey@example.org>"
    body = summary.get_content()
    assert (
        f"  - PC Sam Madeup ({A2}, {B2}): ask DI Frankie Fiction (Detective Inspector, "
        "Police), frankie@example.org"
    ) in body
    assert f"    - {A2} (PC Sam Madeup): due 18 March 2027, 2 day(s) overdue" in body
    assert "PC Sam Madeup: no e-mail address, so no reminder drafted; ask DI Frankie" in (
        result.stderr
    )
    assert "Wrote output/reminders/2027-03-20/00-summary.eml" in result.output


def test_overdue_actions_say_so_and_are_grouped_by_case(minuted):
    workspace, _ = minuted
    edit_cells(workspace.register_file, "Actions", {"Action ID": A2}, {"Owner": "Dana Fictional"})
    draft_reminders(workspace)
    body = drafts(workspace)["01-dana-fictional.eml"].get_content()
    assert body.index("Case CCP-2027-001") < body.index("Case CCP-2027-002")
    assert "Due 18 March 2027: OVERDUE by 2 days (status: Open)" in body
    assert "(1 overdue, 1 due by 3 April 2027)" in body


@pytest.mark.parametrize(
    ("as_of", "days", "expected"),
    [
        ("2027-03-12", 7, ["00-summary.eml"]),  # only Sam's two, due 18 March
        ("2027-03-12", 13, ["00-summary.eml", "01-dana-fictional.eml", "02-ellis-pretendy.eml"]),
        ("2027-03-12", 12, ["00-summary.eml"]),  # 25 March is 13 days on
    ],
    ids=["within-a-week", "exactly-at-the-window-end", "just-outside"],
)
def test_days_window(minuted, as_of, days, expected):
    from datetime import date

    workspace, _ = minuted
    draft_reminders(workspace, as_of=date.fromisoformat(as_of), days=days)
    assert sorted(drafts(workspace, as_of)) == expected


def test_done_actions_and_closed_cases_get_no_reminder(minuted):
    workspace, cases = minuted
    update_action(workspace, A1, status="Completed")
    edit_cells(workspace.register_file, "Cases", {"Case ID": cases[1]}, {"Status": "closed"})
    draft_reminders(workspace)
    assert sorted(drafts(workspace)) == ["00-summary.eml"]
    body = drafts(workspace)["00-summary.eml"].get_content()
    assert f"PC Sam Madeup ({A2})" in body
    assert B2 not in body


def test_no_childs_name_in_any_subject_file_name_or_body(minuted):
    workspace, _ = minuted
    draft_reminders(workspace)
    for name, found in drafts(workspace).items():
        for child in (FIRST_CHILD, SECOND_CHILD, "Kai", "Riley"):
            assert child not in name
            assert child not in found["Subject"]
            assert child not in found.get_content()
        assert found["Subject"].startswith("OFFICIAL-SENSITIVE: Testshire Complex Child Panel: ")


def test_a_bad_hand_edit_is_a_warning_and_listed_in_the_summary(runner, minuted):
    workspace, _ = minuted
    number = edit_cells(workspace.register_file, "Actions", {"Action ID": B2}, {"Due": "soon"})
    result = runner.invoke(cli, ["-w", str(workspace.root), "actions", "remind"])
    where = f"register.xlsx: sheet Actions, row {number}, column 'Due': 'soon' is not a date"
    assert f"Warning: {where}" in result.stderr
    assert where in drafts(workspace)["00-summary.eml"].get_content()


def test_reminders_of_the_same_day_replace_the_earlier_ones(minuted):
    workspace, _ = minuted
    draft_reminders(workspace)
    update_action(workspace, B1, status="Completed")
    draft_reminders(workspace)
    assert "01-dana-fictional.eml" not in drafts(workspace)
    folder = workspace.root / "output" / "reminders"
    assert [path.name for path in folder.iterdir()] == ["2027-03-20"]
