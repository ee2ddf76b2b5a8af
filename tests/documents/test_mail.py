"""E-mail drafts (issue 20): RFC 5322 line endings, a Message-ID and a Date on every draft."""

from __future__ import annotations

import email
import email.policy
import re

from testdata import DATA

from workflow.contract import Person
from workflow.documents.mail import write_draft

SENDER = Person(name="Casey Mockup", role="Panel administrator", agency="Council",
                email="casey@example.org")  # fmt: skip


def draft(tmp_path, name="a.eml", **extra):
    return write_draft(
        tmp_path / name,
        sender=SENDER,
        to=("Dana Fictional", "dana@example.org"),
        subject="OFFICIAL-SENSITIVE: papers for 11 March 2027",
        body="Dear Dana,\n\nThe papers are attached.\n\nCasey\n",
        **extra,
    )


def test_every_line_ends_with_crlf(tmp_path):
    data = draft(tmp_path, attachment=DATA / "papers" / "risk-assessment.pdf").read_bytes()
    assert b"\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")
    assert b"\r\r" not in data
    assert b"Dear Dana,\r\n\r\nThe papers are attached.\r\n" in data


def test_a_draft_has_a_message_id_date_and_outlooks_unsent_flag(tmp_path):
    first = email.message_from_bytes(draft(tmp_path).read_bytes(), policy=email.policy.default)
    second = email.message_from_bytes(
        draft(tmp_path, "b.eml").read_bytes(), policy=email.policy.default
    )
    assert re.fullmatch(r"<[^@<>\s]+@ccp\.invalid>", first["Message-ID"])
    assert first["Message-ID"] != second["Message-ID"]
    assert first["Date"].datetime is not None
    assert first["X-Unsent"] == "1"
    assert first["To"] == "Dana Fictional <dana@example.org>"
