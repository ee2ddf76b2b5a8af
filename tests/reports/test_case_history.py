"""`ccp case show`: one case's history in date order, and no other child's data."""

from __future__ import annotations

import json
from datetime import date

import pytest
import yaml
from between_meetings import NEXT, edit_cells, minute_first_meeting
from helpers import SECOND_CHILD, complete_draft
from testdata import write_yaml

from workflow.cases.actions import update_action
from workflow.cli import cli
from workflow.core.dates import as_of
from workflow.core.errors import CaseNotFound
from workflow.meetings.minutes import draft_minutes
from workflow.meetings.recording import record_minutes
from workflow.reports.case_history import case_history

FIRST_CHILD = "Kai Example-Rivers"


@pytest.fixture
def history_made(workspace, inbox, referral_data, tmp_path, monkeypatch):
    """Both cases minuted on 11 March; actions updated; case 2 has its own resources."""
    cases = minute_first_meeting(workspace, inbox, referral_data, tmp_path)
    with as_of(date(2027, 3, 17)):
        update_action(workspace, "CCP-2027-001-A2", status="Completed", note="Plan shared")
    with as_of(date(2027, 3, 20)):
        update_action(
            workspace, "CCP-2027-002-A2", status="Cancelled", reason="circumstances changed"
        )
    monkeypatch.setenv("CCP_TODAY", "2027-04-20")
    return workspace, cases


def show(runner, workspace, *args):
    return runner.invoke(cli, ["-w", str(workspace.root), "case", "show", *args])


def test_events_are_in_date_order_from_referral_to_now(runner, history_made):
    workspace, cases = history_made
    result = show(runner, workspace, cases[0], "--format", "json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    dates = [event["date"] for event in data["events"]]
    assert dates == sorted(dates)
    kinds = [event["kind"] for event in data["events"]]
    assert kinds[:3] == ["referral", "accepted", "meeting"]
    assert kinds.index("meeting") < kinds.index("resource") < kinds.index("action")
    meeting = data["events"][2]
    assert meeting["date"] == "2027-03-11"
    assert meeting["summary"] == "Discussed at the panel (new referral)"
    assert "Risk agreed: Very high. Exploitation suspected." in meeting["details"]
    assert "Progress report: in person, to the 13 May 2027 panel" in meeting["details"]
    change = next(e for e in data["events"] if e["kind"] == "action")
    assert change["date"] == "2027-03-17"
    # The login ("test-user") tells a reader nothing, and panel.yaml maps no one to it.
    assert change["summary"] == "CCP-2027-001-A2: changed status"
    assert change["details"] == ["Open -> Completed; completed on 2027-03-17; note: Plan shared"]
    assert data["events"][-1] == {
        "date": "2027-05-13",
        "kind": "progress requested",
        "summary": "Progress report due for this panel (in person)",
        "details": [],
    }
    assert [(a["action_id"], a["status"], a["overdue"]) for a in data["actions"]] == [
        ("CCP-2027-001-A1", "Open", True),
        ("CCP-2027-001-A2", "Completed", False),
    ]
    assert data["risk_latest"] == "Very high"


def test_no_other_childs_name_or_case(runner, history_made):
    workspace, cases = history_made
    for fmt in ("text", "json"):
        output = show(runner, workspace, cases[0], "--format", fmt).output
        assert FIRST_CHILD in output
        assert SECOND_CHILD not in output
        assert cases[1] not in output
        assert "Riley" not in output
    other = show(runner, workspace, cases[1]).output
    assert FIRST_CHILD not in other
    assert cases[0] not in other
    assert "reason not done: circumstances changed" in other


def test_text_is_for_people(runner, history_made, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)  # not a terminal: lines are not wrapped
    workspace, cases = history_made
    lines = show(runner, workspace, cases[0].lower()).output.splitlines()
    assert lines[0] == f"{cases[0]}: {FIRST_CHILD} (local ID LCS-000731)"
    assert "2027-02-20  Referral accepted for the 11 March 2027 panel as CCP-2027-001" in lines
    assert "2027-03-11  Resource agreed in principle: Therapeutic mentor (six months)" in lines
    assert "  CCP-2027-001-A1  OVERDUE  due 2027-03-25: Allocate a specialist exploitation " in (
        "\n".join(lines)
    )


def test_progress_report_received_and_closure_by_the_panel(history_made, tmp_path, runner):
    from workflow.cases.progress import add_progress
    from workflow.cases.progress_form import write_progress_template
    from workflow.meetings.agenda import agenda_for
    from workflow.register import Register

    workspace, cases = history_made
    template = write_progress_template(workspace, cases[0], "yaml", tmp_path / "p.yaml")
    data = yaml.safe_load(template.read_text(encoding="utf-8"))
    data.update(
        reported_by={
            "name": "Dana Fictional",
            "role": "Social worker",
            "agency": "Children's social care",
            "email": "dana@example.org",
        },
        date="2027-04-19",
        risk_level="medium",
        risk_rationale="Settled.",
        changes="New flat.",
        child_views="Happy.",
        plan_revised=True,
        still_needed="Nothing more.",
        recommendation="close",
        recommendation_reason="The plan is working.",
    )
    data["actions"][0].update(status="completed", completed_on="2027-04-15", progress="Done.")
    add_progress(workspace, write_yaml(tmp_path / "p.yaml", data))
    assert case_history(workspace, cases[0]).facts["status"] == "open"  # a recommendation only

    with as_of(date(2027, 5, 14)):
        draft_minutes(workspace, NEXT)
        done = complete_draft(
            workspace.root / "meetings" / "2027-05-13" / "minutes.yaml", tmp_path / "may.yaml"
        )
        record = yaml.safe_load(done.read_text(encoding="utf-8"))
        for case in record["cases"]:
            case["progress_report"]["due_meeting"] = date(2027, 7, 8)
            for action in case["actions"]:
                action["due"] = date(2027, 6, 1)
        first = next(case for case in record["cases"] if case["case_id"] == cases[0])
        first.update(
            close_case=True, closure_reason="Risks reduced.", actions=[], progress_report=None
        )
        record_minutes(workspace, write_yaml(done, record))

    history = case_history(workspace, cases[0])
    summaries = [(e.on.isoformat() if e.on else None, e.summary) for e in history.events]
    assert ("2027-04-20", "Progress report received for the 13 May 2027 panel") in summaries
    assert ("2027-04-20", "CCP-2027-001: changed latest risk") in summaries
    assert summaries[-1] == ("2027-05-13", "Case closed")
    may = [e for e in history.events if e.kind == "meeting" and e.on == NEXT]
    assert may[0].summary == "Discussed at the panel (progress review)"
    assert "Closed by the panel: Risks reduced." in may[0].details
    july = agenda_for(workspace, date(2027, 7, 8), Register.load(workspace.register_file))
    assert cases[0] not in [review.case_id for review in july.progress_reviews]


def test_unknown_case_is_named_with_a_suggestion(runner, history_made):
    workspace, _ = history_made
    result = show(runner, workspace, "CCP-2027-01")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: CCP-2027-01: no such case in the register; did you mean CCP-2027-001?\n"
    )
    with pytest.raises(CaseNotFound):
        case_history(workspace, "CCP-2099-001")


def test_a_bad_hand_edit_in_the_cases_actions_is_a_warning(runner, history_made):
    workspace, cases = history_made
    number = edit_cells(
        workspace.register_file, "Actions", {"Action ID": "CCP-2027-001-A1"}, {"Due": "soon"}
    )
    result = show(runner, workspace, cases[0])
    assert result.exit_code == 0
    assert (
        f"Warning: register.xlsx: sheet Actions, row {number}, column 'Due': 'soon' is not a date"
        in result.stderr
    )
    assert "CCP-2027-001-A1  Open  due soon" in result.output


def test_case_show_on_the_demo_reads_as_words_within_the_terminal_and_flags_open_actions(
    runner, built_demo, monkeypatch
):
    """Issue 22: theme tags shown as typed tags, lines running past the terminal, and an
    open action on a closed case left unsaid."""
    monkeypatch.setenv("CCP_TODAY", "2028-02-20")
    result = runner.invoke(
        cli, ["-w", str(built_demo), "case", "show", "CCP-2027-002"], env={"COLUMNS": "80"}
    )

    assert result.exit_code == 0, result.output
    assert "Themes: Out of county placements" in result.stdout
    assert "out_of_county_placements" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    # A wrapped detail keeps its indent: no line of the history starts at the margin but a
    # date, the heading lines and the actions list.
    assert "              co-ordinated services" in result.stdout
    assert result.stderr.startswith(
        "Warning: CCP-2027-002 is closed but 1 of its actions are still open "
        "(CCP-2027-002-A3): complete or cancel them with `ccp actions update`"
    )


def test_a_change_names_the_person_whose_login_panel_yaml_maps(runner, history_made):
    """Issue 22 item 9: `case show` printed the OS login, e.g. "(root)"."""
    workspace, cases = history_made
    panel_file = workspace.root / "panel.yaml"
    panel = yaml.safe_load(panel_file.read_text(encoding="utf-8"))
    panel["administrator"]["login"] = "TEST-USER"  # logins compare without case
    panel_file.write_text(yaml.safe_dump(panel), encoding="utf-8")
    result = show(runner, workspace, cases[0], "--format", "json")
    assert result.exit_code == 0, result.output
    summaries = [event["summary"] for event in json.loads(result.output)["events"]]
    assert "CCP-2027-001-A2: changed status (Casey Mockup)" in summaries
    assert not [summary for summary in summaries if "test-user" in summary.casefold()]


def test_a_login_that_is_a_members_name_is_shown(runner, history_made, monkeypatch):
    workspace, cases = history_made
    monkeypatch.setenv("CCP_USER", "Ellis Pretendy")
    with as_of(date(2027, 4, 20)):
        update_action(workspace, "CCP-2027-001-A1", status="In progress", note="Started")
    summaries = [event.summary for event in case_history(workspace, cases[0]).events]
    assert "CCP-2027-001-A1: changed status (Ellis Pretendy)" in summaries
