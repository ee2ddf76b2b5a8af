"""Helpers shared by the pack and minutes tests: a workspace with accepted referrals."""

from __future__ import annotations

import copy
import email
import email.message
import email.policy
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from testdata import write_yaml

from workflow.cases.referrals import add_referral

SECOND_CHILD = "Riley Samplewood"


def accept_two(workspace: Any, inbox: Path, referral_data: dict[str, Any]) -> list[str]:
    """CCP-2027-001 (with papers) and CCP-2027-002 (another child, no papers)."""
    first = add_referral(workspace, inbox / "referral.yaml").case_id
    other = copy.deepcopy(referral_data)
    other["child"]["name"] = SECOND_CHILD
    other["child"]["preferred_name"] = "Riley"
    other["child"]["local_id"] = "LCS-004512"
    other["referrer"]["agency"] = "Health"
    other["attachments"] = {}
    second = add_referral(workspace, write_yaml(inbox / "second.yaml", other)).case_id
    return [first, second]


MINUTES_CASE = {
    "presented_by": "Dana Fictional (Social worker)",
    "discussion": "Missing episodes have risen.\nPolice share intelligence & concerns.",
    "risk_level": "very_high",
    "risk_rationale": "Exploitation suspected.",
    "accountable_manager": {
        "name": "Morgan Pretend",
        "role": "Service manager",
        "agency": "Children's social care",
    },
    "risk_management_plan": "One plan led by the social worker.",
    "contingencies": "Strategy meeting the same day if missing over 24 hours.",
    "actions": [
        {
            "description": "Allocate a specialist exploitation worker",
            "agency": "Children's social care",
            "owner": "Morgan Pretend",
            "due": date(2027, 3, 25),
        },
        {
            "description": "Share the disruption plan",
            "agency": "Police",
            "owner": "PC Sam Madeup",
            "due": date(2027, 3, 18),
        },
    ],
    "resources": [
        {
            "agency": "Health",
            "description": "Therapeutic mentor (six months)",
            "amount": 4800,
            "confirmed": False,
        }
    ],
    "communication": "Plan circulated within a week.",
    "monitoring": "Manager reports to the chair monthly.",
    "progress_report": {"format": "in_person", "due_meeting": date(2027, 5, 13)},
    "escalate_to_partnership": False,
    "escalation_reason": None,
    "themes": ["no_specialist_exploitation_worker"],
    "close_case": False,
    "closure_reason": None,
}


def complete_draft(draft: Path, out: Path, **changes: Any) -> Path:
    """The note-taker's work: every case of the draft completed with MINUTES_CASE."""
    record = yaml.safe_load(draft.read_text(encoding="utf-8"))
    record["cases"] = [
        {**case, **copy.deepcopy(MINUTES_CASE), "case_id": case["case_id"], "kind": case["kind"]}
        for case in record["cases"]
    ]
    record["strategic_items"] = []
    record.update(changes)
    return write_yaml(out, record)


def copy_of(built: Path, into: Path) -> Path:
    """A private copy of a built workspace (modes kept), for a test that writes into it."""
    target = into / built.name
    shutil.copytree(built, target, symlinks=True)
    return target


def read_eml(path: Path) -> email.message.EmailMessage:
    """A draft as a mail program reads it, after checking every line ends with CRLF
    (RFC 5322; issue 20): the parser keeps CRLF in bodies, so it is undone for the test."""
    data = path.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n"), f"{path.name}: a line ends without CRLF"
    message = email.message_from_bytes(data.replace(b"\r\n", b"\n"), policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message
