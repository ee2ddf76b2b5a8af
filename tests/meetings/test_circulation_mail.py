"""Circulation and extract e-mails: where the papers are, when and how each draft was made,
and what the administrator must send by hand (issue 22 item 7)."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import yaml
from helpers import accept_two, complete_draft, read_eml
from testdata import write_yaml

from workflow.cases.referrals import add_referral
from workflow.cli import cli
from workflow.meetings.minutes import draft_minutes
from workflow.meetings.pack import build_pack
from workflow.meetings.recording import record_minutes
from workflow.workspace.paths import Workspace

MEETING = date(2027, 3, 11)
SHARE = "\\\\fileserver.example\\Panels\\Complex Child Panel\\Papers"


def with_panel(workspace: Workspace, **changes: object) -> Workspace:
    panel_file = workspace.root / "panel.yaml"
    data = yaml.safe_load(panel_file.read_text(encoding="utf-8"))
    data.update(changes)
    panel_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return Workspace(workspace.root)


def drafts(written: list[Path]) -> list[Path]:
    return sorted(path for path in written if path.suffix == ".eml")


def test_the_emails_say_the_papers_are_where_the_administrator_put_them(
    workspace, inbox, referral_data
):
    workspace = with_panel(workspace, papers_location=SHARE)
    accept_two(workspace, inbox, referral_data)
    result = build_pack(workspace, MEETING, pdf=False)
    for path in drafts(result.written):
        body = read_eml(path).get_content()
        assert f"The pack is in: {SHARE}\nFile: pack-2027-03-11.docx" in body
        assert "attached" not in body
    assert result.warnings == []


def test_without_a_place_the_emails_give_the_packs_folder_and_the_administrator_is_told(
    workspace, inbox, referral_data, runner
):
    accept_two(workspace, inbox, referral_data)
    result = runner.invoke(cli, ["-w", str(workspace.root), "pack", "2027-03-11", "--no-pdf"])
    assert result.exit_code == 0, result.output
    folder = (workspace.root / "output" / "2027-03-11").resolve()
    body = read_eml(folder / "circulation" / "03-di-frankie-fiction.eml").get_content()
    # Before: "in the panel's secure folder: pack-2027-03-11.docx", with no folder named.
    assert f"The pack is in: {folder}\nFile: pack-2027-03-11.docx" in body
    warning = [line for line in result.stderr.splitlines() if "papers_location" in line]
    assert warning == [
        "Warning: the circulation e-mails give the pack's folder on this computer "
        f"({folder}); set papers_location in panel.yaml to where members open the papers, "
        "or pass --attach"
    ]


def test_attached_papers_are_said_to_be_attached(workspace, inbox, referral_data):
    workspace = with_panel(workspace, papers_location=SHARE)
    accept_two(workspace, inbox, referral_data)
    result = build_pack(workspace, MEETING, pdf=False, attach=True)
    message = read_eml(drafts(result.written)[0])
    body = message.get_body(("plain",)).get_content()
    assert "The pack is attached (pack-2027-03-11.docx)." in body
    assert SHARE not in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "pack-2027-03-11.docx"
    assert result.warnings == []


def test_a_member_without_an_address_is_listed_for_the_administrator(
    workspace, inbox, referral_data
):
    panel_file = workspace.root / "panel.yaml"
    data = yaml.safe_load(panel_file.read_text(encoding="utf-8"))
    members = copy.deepcopy(data["members"])
    members[0].pop("email")
    workspace = with_panel(workspace, members=members, papers_location=SHARE)
    accept_two(workspace, inbox, referral_data)
    result = build_pack(workspace, MEETING, pdf=False)
    name = members[0]["name"]
    [warning] = result.warnings
    assert warning.startswith(f"{name} has no e-mail address in panel.yaml")
    assert "send them the papers by hand" in warning


def test_every_draft_has_a_message_id_and_the_date_it_was_made(workspace, inbox, referral_data):
    accept_two(workspace, inbox, referral_data)
    before = datetime.now(UTC) - timedelta(seconds=5)
    result = build_pack(workspace, MEETING, pdf=False)
    after = datetime.now(UTC) + timedelta(seconds=5)
    ids = []
    for path in drafts(result.written):
        message = read_eml(path)
        ids.append(message["Message-ID"])
        assert message["Message-ID"].endswith("@ccp.invalid>")
        assert before <= parsedate_to_datetime(message["Date"]) <= after
    assert len(set(ids)) == len(ids) == 4


@pytest.mark.libreoffice
def test_an_extract_not_sent_for_want_of_an_address_is_listed(
    workspace, inbox, referral_data, tmp_path, monkeypatch, runner
):
    no_address = copy.deepcopy(referral_data)
    for person in no_address["professionals"]:
        if person["key_worker"]:
            person.pop("email", None)
    case_id = add_referral(workspace, write_yaml(inbox / "referral.yaml", no_address)).case_id
    monkeypatch.setenv("CCP_TODAY", "2027-03-12")
    draft_minutes(workspace, MEETING)
    draft = workspace.root / "meetings" / "2027-03-11" / "minutes.yaml"
    record_minutes(workspace, complete_draft(draft, tmp_path / "minutes.yaml"))
    result = runner.invoke(
        cli, ["-w", str(workspace.root), "minutes", "sign", "2027-03-11", "--chair", "Alex Sample"]
    )
    assert result.exit_code == 0, result.output
    assert (
        f"Warning: {case_id}: no e-mail draft for the key worker Dana Fictional "
        "(Children's social care): the referral gives no address"
    ) in result.stderr
    assert not list((workspace.root / "output" / "2027-03-11").rglob("*to-key-worker.eml"))
