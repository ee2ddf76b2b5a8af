"""`ccp retention dispose-copies`: the copies the schedule makes due go, each with a
tombstone; the record (signed minutes, case papers) and a held case's copies stay."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path

import pytest
from between_meetings import sheet_rows
from helpers import copy_of

from workflow.cli import cli
from workflow.workspace import disposal_stage

HELD = "CCP-2027-001"
LONG_AGO = datetime(2023, 1, 2).timestamp()  # years before the tests' day (2027-02-20)


@pytest.fixture
def demo(built_demo, tmp_path):
    return copy_of(built_demo, tmp_path)


def ccp(runner, root, *args):
    return runner.invoke(cli, ["-w", str(root), *args])


def dispose_copies(runner, root, who="Alex Sample"):
    return ccp(runner, root, "retention", "dispose-copies", "--authorised-by", who)


def age(paths: list[Path]) -> None:
    for path in paths:
        os.utime(path, (LONG_AGO, LONG_AGO))


def old_copies(root: Path) -> list[Path]:
    """The first meeting's extracts and e-mail drafts, and every register backup."""
    first = min(p for p in (root / "output").glob("20*") if (p / "extracts").is_dir())
    extracts = sorted(p for p in (first / "extracts").iterdir() if p.is_file())
    return [*extracts, *sorted((root / "backups").glob("*.xlsx"))]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_due_copies_go_with_a_tombstone_each_and_a_held_cases_copies_stay(runner, demo):
    assert ccp(runner, demo, "retention", "hold", HELD, "--reason", "Inquiry").exit_code == 0
    copies = old_copies(demo)
    age(copies)
    held = [p for p in copies if HELD in p.name]
    going = [p for p in copies if p not in held]
    assert held
    assert any(p.suffix == ".eml" for p in going)
    hashes = {p.relative_to(demo).as_posix(): sha256(p) for p in going}
    report = ccp(runner, demo, "retention", "report")
    assert f"{len(copies)} copies due: ccp retention dispose-copies" in report.output

    result = dispose_copies(runner, demo)

    assert result.exit_code == 0, result.output
    assert f"{len(going)} copies destroyed" in result.output
    for path in going:
        assert not path.exists()
        assert f"  destroyed {path.relative_to(demo).as_posix()}" in result.output
    for path in held:
        assert path.is_file()
        assert f"kept (its case is on legal hold): {path.relative_to(demo).as_posix()}" in (
            result.output
        )
    tombstones = sheet_rows(demo / "register.xlsx", "Tombstones")
    assert {row["What"]: row["SHA-256"] for row in tombstones} == hashes
    assert {row["Authorised by"] for row in tombstones} == {"Alex Sample"}
    assert all("due" in row["Reason"] for row in tombstones)
    extract = next(row for row in tombstones if "extract" in row["What"])
    assert extract["Case ID"] in extract["What"]  # a copy about one child names the case
    audit = sheet_rows(demo / "register.xlsx", "Audit")[-1]
    assert audit["Command"] == "retention dispose-copies"
    assert not (demo / disposal_stage.STAGE_DIR).exists()
    # The record stays, and still verifies: the signed minutes of that meeting.
    signed = next((going[0].parent.parent).glob("minutes-*-v1.pdf"))
    check = ccp(runner, demo, "verify", str(signed))
    assert check.exit_code == 0, check.output
    assert "VERIFIED" in check.output
    # Nothing aged is listed any more.
    after = ccp(runner, demo, "retention", "report").output
    assert not [p for p in going if p.relative_to(demo).as_posix() in after]


def test_nothing_due_writes_nothing(runner, demo):
    before = (demo / "register.xlsx").read_bytes()
    result = dispose_copies(runner, demo)
    assert result.exit_code == 0, result.output
    assert result.output == "No copies are due for disposal.\n"
    assert (demo / "register.xlsx").read_bytes() == before


def test_no_authoriser_is_one_line_and_nothing_goes(runner, demo):
    copies = old_copies(demo)
    age(copies)
    before = (demo / "register.xlsx").read_bytes()
    result = dispose_copies(runner, demo, who="   ")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --authorised-by: name the person who authorised the disposal\n"
    )
    assert all(path.is_file() for path in copies)
    assert (demo / "register.xlsx").read_bytes() == before


def test_a_kill_before_the_commit_puts_every_copy_back(runner, demo, monkeypatch):
    from workflow.rights.copies import dispose_copies as library_dispose
    from workflow.workspace.paths import Workspace
    from workflow.workspace.transaction import Transaction

    copies = old_copies(demo)
    age(copies)
    backups = len(list((demo / "backups").glob("*.xlsx")))

    def killed(self, **kwargs):
        raise KeyboardInterrupt  # the process dies: no clean-up runs

    monkeypatch.setattr(Transaction, "commit", killed)
    monkeypatch.setattr(disposal_stage, "undo", lambda *a, **k: [])
    with pytest.raises(KeyboardInterrupt):
        library_dispose(Workspace(demo), authorised_by="Alex Sample")
    assert not any(path.exists() for path in copies)  # moved into the stage
    monkeypatch.undo()

    result = ccp(runner, demo, "retention", "hold", HELD, "--reason", "Inquiry")

    assert result.exit_code == 0, result.output
    # Every copy is back (the hold's own backup then rotates the oldest one out, as always).
    assert [path for path in copies if not path.is_file() and "backups" not in path.parts] == []
    assert len(list((demo / "backups").glob("*.xlsx"))) == backups
    assert not (demo / disposal_stage.STAGE_DIR).exists()
    assert sheet_rows(demo / "register.xlsx", "Tombstones") == []
