"""The dashboard says what is late (issue 22 item 11): minutes past their target and Red
actions with no note saying why."""

from __future__ import annotations

import sys
from pathlib import Path

from web_client import text

sys.path.insert(0, str(Path(__file__).parent.parent / "meetings"))
from test_timeliness import seed  # noqa: E402


def test_dashboard_says_what_is_late(client, workspace):
    seed(workspace)
    page = text(client.get("/"))
    assert '<h2 id="late">What is late (2)</h2>' in page
    assert "Open actions: 2 Red, 1 Amber, 1 Green." in page
    assert (
        "<li>14 January 2027 meeting: Draft minutes: 25 January 2027, late "
        "(due 21 January 2027)</li>"
    ) in page
    assert "CCP-2027-001-A1: Red (due 1 February 2027, Morgan Pretend)" in page


def test_a_meeting_with_no_minutes_recorded_is_late(client, workspace):
    page = text(client.get("/"))
    assert '<h2 id="late">What is late (3)</h2>' in page
    assert "14 January 2027 meeting: Decisions summary: late, not done" in page


def test_dashboard_with_nothing_late(client, workspace, monkeypatch):
    monkeypatch.setenv("CCP_TODAY", "2027-01-10")  # before the first meeting
    page = text(client.get("/"))
    assert '<h2 id="late">What is late (0)</h2>' in page
    assert "Nothing is late." in page
