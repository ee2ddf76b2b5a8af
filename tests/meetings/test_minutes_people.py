"""Who took the minutes, who attended for an item, and the confidentiality statement read
at the start (issue 22 item 6)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from helpers import accept_two, complete_draft

from workflow.contract.panel import CONFIDENTIALITY_STATEMENT
from workflow.documents.text import document_text
from workflow.meetings.minutes import draft_minutes
from workflow.meetings.pack import build_pack
from workflow.meetings.recording import record_minutes
from workflow.meetings.signing import sign_minutes
from workflow.workspace.paths import Workspace

MEETING = date(2027, 3, 11)
OWN_STATEMENT = "Nothing said here leaves the room & nothing is written <down> unless agreed."


def OUT(workspace: Workspace) -> Path:  # noqa: N802 - a path, read like a constant
    return workspace.root / "output" / "2027-03-11"


def flat(text: str) -> str:
    return " ".join(text.split())


def with_panel(workspace: Workspace, **changes: object) -> Workspace:
    panel_file = workspace.root / "panel.yaml"
    data = yaml.safe_load(panel_file.read_text(encoding="utf-8"))
    data.update(changes)
    panel_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return Workspace(workspace.root)


@pytest.fixture
def drafted(workspace, inbox, referral_data, monkeypatch):
    cases = accept_two(workspace, inbox, referral_data)
    monkeypatch.setenv("CCP_TODAY", "2027-03-12")
    draft_minutes(workspace, MEETING)
    return workspace, cases


def signed_text(workspace: Workspace, tmp_path: Path, **changes: object) -> str:
    draft = workspace.root / "meetings" / "2027-03-11" / "minutes.yaml"
    record_minutes(workspace, complete_draft(draft, tmp_path / "minutes.yaml", **changes))
    sign_minutes(workspace, MEETING, "Alex Sample")
    return flat(
        document_text(workspace.root / "output" / "2027-03-11" / "minutes-2027-03-11-v1.docx")
    )


def test_the_draft_asks_for_the_minute_taker_and_never_says_not_recorded(drafted):
    workspace, _ = drafted
    draft = workspace.root / "meetings" / "2027-03-11" / "minutes.yaml"
    data = yaml.safe_load(draft.read_text(encoding="utf-8"))
    # The administrator minutes the cases: their name is there to keep or replace.
    assert data["minute_taker"] == "Casey Mockup"
    assert list(data)[:3] == ["meeting", "chair", "minute_taker"]
    text = flat(
        document_text(workspace.root / "output" / "2027-03-11" / "minutes-2027-03-11-draft.docx")
    )
    assert "Minute-taker Casey Mockup" in text
    assert "Not recorded" not in text


def test_a_draft_with_no_minute_taker_leaves_the_box_empty(drafted, tmp_path):
    from workflow.contract import LABELS
    from workflow.core.resources import MINUTES_TEMPLATE
    from workflow.documents.render import render_docx
    from workflow.meetings.minutes import minutes_context

    workspace, _ = drafted
    draft = workspace.root / "meetings" / "2027-03-11" / "minutes.yaml"
    record = yaml.safe_load(draft.read_text(encoding="utf-8"))
    record["minute_taker"] = None
    out = render_docx(
        workspace.template(MINUTES_TEMPLATE),
        minutes_context(workspace, workspace.panel, record, version=None, signed=None, changes=[]),
        tmp_path / "draft.docx",
        labels=LABELS,
    )
    text = flat(document_text(out))
    assert "Minute-taker Next meeting" in text
    assert "Not recorded" not in text


def test_signed_minutes_name_the_minute_taker(drafted, tmp_path):
    workspace, _ = drafted
    text = signed_text(workspace, tmp_path, minute_taker="Jo Notetaker")
    assert "Minute-taker Jo Notetaker" in text


def test_signed_minutes_without_a_minute_taker_say_so(drafted, tmp_path):
    workspace, _ = drafted
    text = signed_text(workspace, tmp_path, minute_taker=None)
    assert "Minute-taker Not recorded" in text


def test_presenters_are_listed_as_attending_for_their_item(drafted, tmp_path):
    workspace, cases = drafted
    text = signed_text(workspace, tmp_path)
    section = text.split("In attendance for an item", 1)[1].split(f"2. {cases[0]}")[0]
    # Each case's presenter, with the item they came for (cases are items 2 and 3).
    assert f"Dana Fictional (Social worker) 2. Case {cases[0]}" in section
    assert f"Dana Fictional (Social worker) 3. Case {cases[1]}" in section


def test_the_minutes_record_the_default_confidentiality_statement(drafted, tmp_path):
    workspace, _ = drafted
    text = signed_text(workspace, tmp_path)
    statement = flat(CONFIDENTIALITY_STATEMENT)
    assert (
        f"The chair read the confidentiality statement at the start of the meeting: {statement}"
        in text
    )
    # Read at the start: before the first item.
    assert (
        text.index("1. Present and apologies") < text.index(statement) < text.index("Present Name")
    )


def test_the_panels_own_statement_is_on_the_agenda_and_the_minutes(
    workspace, inbox, referral_data, monkeypatch, tmp_path
):
    workspace = with_panel(workspace, confidentiality_statement=OWN_STATEMENT)
    accept_two(workspace, inbox, referral_data)
    build_pack(workspace, MEETING, pdf=False)
    agenda = flat(document_text(workspace.root / "output" / "2027-03-11" / "agenda.docx"))
    assert f"The chair reads the confidentiality statement: {OWN_STATEMENT}" in agenda
    assert agenda.index(OWN_STATEMENT) < agenda.index("2. Minutes of the last meeting")
    assert flat(CONFIDENTIALITY_STATEMENT) not in agenda
    monkeypatch.setenv("CCP_TODAY", "2027-03-12")
    draft_minutes(workspace, MEETING)
    assert OWN_STATEMENT in signed_text(workspace, tmp_path)


def test_a_blank_confidentiality_statement_is_refused(workspace):
    from workflow.core.errors import FormInvalid

    with pytest.raises(FormInvalid, match="confidentiality_statement"):
        _ = with_panel(workspace, confidentiality_statement="  ").panel
