"""Is the paperwork on time (issue 22 item 11): minutes against the panel's targets in
working days, actions rated Red/Amber/Green with a note required for Red, said by
`ccp minutes`, and a "Minutes on time" table in the annual report."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from workflow.cli import cli
from workflow.contract import PanelConfig
from workflow.core.dates import as_of
from workflow.meetings.timeliness import action_rag, add_working_days
from workflow.register import Register

JAN = date(2027, 1, 14)  # a Thursday


def seed(workspace) -> None:
    """The 14 January meeting: decisions recorded next day, the full draft late, signed
    in time; five actions, two of them Red (one with a note saying why)."""
    register = Register.load(workspace.register_file)
    for when in (datetime(2027, 1, 15, 16, 0), datetime(2027, 1, 25, 9, 30)):
        register.audit(
            command="minutes record",
            action="recorded minutes version 1",
            target=JAN.isoformat(),
            when=when,
        )
    register.append(
        "Signatures",
        {
            "meeting": JAN,
            "version": 1,
            "file": "output/2027-01-14/minutes-2027-01-14-v1.pdf",
            "sha256": "0" * 64,
            "signed_by": "Alex Sample",
            "role": "Chair",
            "signed_on": date(2027, 2, 1),
        },
    )
    actions = [
        ("A1", "2027-02-01", "Open", None),
        ("A2", "2027-02-05", "In progress", "2027-02-10: waiting for the funding panel"),
        ("A3", "2027-03-01", "Open", None),
        ("A4", "2027-06-01", "Open", None),
        ("A5", "2027-02-01", "Completed", None),
    ]
    for suffix, due, status, notes in actions:
        register.append(
            "Actions",
            {
                "action_id": f"CCP-2027-001-{suffix}",
                "case_id": "CCP-2027-001",
                "meeting": JAN,
                "action": "A fictional action",
                "agency": "Children's social care",
                "owner": "Morgan Pretend",
                "due": date.fromisoformat(due),
                "status": status,
                "completed_on": date(2027, 1, 30) if status == "Completed" else None,
                "notes": notes,
            },
        )
    register.save(workspace.register_file, backups_dir=workspace.backups_dir)


@pytest.mark.parametrize(
    ("start", "days", "holidays", "expected"),
    [
        (JAN, 1, [], date(2027, 1, 15)),
        (date(2027, 1, 15), 1, [], date(2027, 1, 18)),  # Friday to Monday
        (date(2027, 1, 15), 1, [date(2027, 1, 18)], date(2027, 1, 19)),  # a bank holiday
        (JAN, 15, [], date(2027, 2, 4)),
        (JAN, 0, [], JAN),
    ],
    ids=["next-day", "over-a-weekend", "bank-holiday", "three-weeks", "same-day"],
)
def test_working_days(start, days, holidays, expected):
    assert add_working_days(start, days, holidays) == expected


@pytest.mark.parametrize(
    ("due", "status", "red_after", "expected"),
    [
        ("2027-06-01", "Open", 0, "Green"),
        ("2027-03-01", "Open", 0, "Amber"),  # due within 14 days
        ("2027-02-19", "In progress", 0, "Red"),  # a day overdue
        ("2027-02-17", "Open", 7, "Amber"),  # overdue, not yet by more than 7 days
        ("2027-02-10", "Open", 7, "Red"),
        ("2027-02-01", "Completed", 0, None),
        ("2027-02-01", "Cancelled", 0, None),
    ],
    ids=[
        "green",
        "amber-due-soon",
        "red",
        "amber-overdue",
        "red-after-7",
        "completed",
        "cancelled",
    ],
)
def test_action_rag(referral_data, workspace, due, status, red_after, expected):
    panel = workspace.panel.model_copy(deep=True)
    panel.timeliness.actions.red_after_days_overdue = red_after
    row = {"due": date.fromisoformat(due), "status": status}
    assert action_rag(row, date(2027, 2, 20), panel.timeliness) == expected


def test_minutes_says_what_is_late(runner, workspace):
    seed(workspace)
    result = runner.invoke(cli, ["-w", str(workspace.root), "minutes"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Minutes on time (targets in working days: decisions summary 1, draft 5, signed 15); "
        "as of 20 February 2027:\n"
        "  14 January 2027\n"
        "    Decisions summary: 15 January 2027, on time (due 15 January 2027)\n"
        "    Draft minutes: 25 January 2027, late (due 21 January 2027)\n"
        "    Signed minutes: 1 February 2027, on time (due 4 February 2027)\n"
        "Open actions: 2 Red, 1 Amber, 1 Green\n"
        "Late (2):\n"
        "  14 January 2027 meeting: Draft minutes: 25 January 2027, late (due 21 January 2027)\n"
        "  CCP-2027-001-A1: Red (due 1 February 2027, Morgan Pretend) and no note since it "
        "fell due saying why\n"
    )


def test_minutes_not_signed_in_time_is_late_before_anyone_signs(runner, workspace):
    seed(workspace)
    panel = workspace.panel_file
    panel.write_text(
        panel.read_text(encoding="utf-8")
        + "timeliness:\n  signed_minutes_days: 10\n  draft_minutes_days: 10\n"
        + "  actions: {note_required_for_red: false}\n",
        encoding="utf-8",
    )
    with as_of(date(2027, 1, 29)):
        result = runner.invoke(cli, ["-w", str(workspace.root), "minutes"])
    assert result.exit_code == 0, result.output
    assert "    Signed minutes: not yet due (due 28 January 2027)" not in result.stdout
    assert "    Signed minutes: late, not done (due 28 January 2027)\n" in result.stdout
    assert "    Draft minutes: 25 January 2027, on time (due 28 January 2027)\n" in result.stdout
    assert "no note since" not in result.stdout


@pytest.mark.parametrize(
    ("block", "error"),
    [
        ("timeliness: {draft_minutes_days: 0}", "draft_minutes_days may not be less than"),
        ("timeliness: {signed_minutes_days: -1}", "timeliness.signed_minutes_days"),
        ("timeliness: {non_working_days: [next monday]}", "timeliness.non_working_days[1]"),
        ("timeliness: {actions: {amber_days: 3}}", "timeliness.actions.amber_days"),
    ],
    ids=["out-of-order", "negative", "not-a-date", "unknown-rule"],
)
def test_a_wrong_timeliness_block_is_one_line(runner, workspace, block, error):
    panel = workspace.panel_file
    panel.write_text(panel.read_text(encoding="utf-8") + block + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["-w", str(workspace.root), "minutes"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: panel.yaml: ")
    assert error in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_defaults_are_sensible():
    rules = PanelConfig.model_fields["timeliness"].default_factory()
    assert (rules.decisions_summary_days, rules.draft_minutes_days) == (1, 5)
    assert rules.signed_minutes_days == 15
    assert rules.actions.note_required_for_red is True
