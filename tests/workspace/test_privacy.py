"""Privacy by default (issue 12): owner-only files whatever the umask, a shared-group setting,
old workspaces tightened with an Audit row, and no demo child's name where it must not be."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml
from helpers import read_eml
from openpyxl import load_workbook
from testdata import DATA

from workflow.cli import cli
from workflow.workspace.paths import Workspace


@pytest.fixture
def usual_umask():
    """The umask most machines have: new files readable by everyone (0644)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def modes(root: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        if not path.is_symlink():
            found[str(path.relative_to(root))] = stat.S_IMODE(path.stat().st_mode)
    return found


def loose(root: Path, allowed: int = 0o077) -> dict[str, str]:
    return {name: oct(mode) for name, mode in modes(root).items() if mode & allowed}


def audit_rows(root: Path) -> list[tuple]:
    sheet = load_workbook(root / "register.xlsx")["Audit"]
    header = [cell.value for cell in sheet[1]]
    return [
        dict(zip(header, row, strict=False)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


def run(runner, *args: str):
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.posix_only  # issue 20
def test_every_file_and_folder_is_owner_only_under_the_usual_umask(
    usual_umask, runner, tmp_path, inbox
):
    """Before: register, backups, case.json, referral, pack and .eml drafts were 0644."""
    root = tmp_path / "panel"
    run(runner, "init", str(root))
    (root / "panel.yaml").write_text((DATA / "panel.yaml").read_text(encoding="utf-8"))
    os.chmod(root / "panel.yaml", 0o600)
    run(runner, "-w", str(root), "referral", "add", str(inbox / "referral.yaml"))
    run(runner, "-w", str(root), "pack", "2027-03-11", "--no-pdf", "--attach")
    assert loose(root) == {}
    assert modes(root)["cases/CCP-2027-001/case.json"] == 0o600
    assert modes(root)["cases/CCP-2027-001"] == 0o700
    assert any(name.endswith(".eml") for name in modes(root))
    assert any(name.startswith("backups/") for name in modes(root))


@pytest.mark.posix_only  # issue 20
@pytest.mark.libreoffice
def test_the_pdf_pack_is_owner_only(usual_umask, runner, workspace, inbox):
    run(runner, "-w", str(workspace.root), "referral", "add", str(inbox / "referral.yaml"))
    run(runner, "-w", str(workspace.root), "pack", "2027-03-11", "--per-recipient")
    pdfs = [name for name in modes(workspace.root) if name.endswith(".pdf")]
    assert "output/2027-03-11/pack-2027-03-11.pdf" in pdfs
    assert any(name.startswith("output/2027-03-11/circulation/") for name in pdfs)
    assert loose(workspace.root) == {}


@pytest.mark.posix_only  # issue 20
def test_the_referral_template_is_owner_only(usual_umask, runner, tmp_path):
    run(runner, "referral", "template", str(tmp_path / "blank.yaml"))
    run(runner, "referral", "template", "--format", "docx", str(tmp_path / "blank.docx"))
    assert stat.S_IMODE((tmp_path / "blank.yaml").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "blank.docx").stat().st_mode) == 0o600


@pytest.mark.posix_only  # issue 20
def test_shared_group_gives_the_group_access_and_no_one_else(usual_umask, runner, tmp_path, inbox):
    panel = yaml.safe_load((DATA / "panel.yaml").read_text(encoding="utf-8"))
    panel["shared_group"] = True
    from workflow.workspace.initialise import init_workspace

    root = tmp_path / "shared"
    init_workspace(root, panel_yaml=yaml.safe_dump(panel))
    run(runner, "-w", str(root), "referral", "add", str(inbox / "referral.yaml"))
    run(runner, "-w", str(root), "pack", "2027-03-11", "--no-pdf")
    found = modes(root)
    assert loose(root, allowed=0o007) == {}
    assert found["panel.yaml"] == 0o660
    assert found["cases"] == 0o770
    assert found["cases/CCP-2027-001/case.json"] == 0o660
    assert found["output/2027-03-11/pack-2027-03-11.docx"] == 0o660


@pytest.mark.posix_only  # issue 20
def test_an_old_loose_workspace_is_tightened_on_its_next_write_with_an_audit_row(
    runner, workspace, inbox
):
    for path in [workspace.root, *workspace.root.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    before = len(audit_rows(workspace.root))
    run(runner, "-w", str(workspace.root), "referral", "add", str(inbox / "referral.yaml"))
    assert loose(workspace.root) == {}
    rows = audit_rows(workspace.root)[before:]
    # The permissions are tightened as the change is saved, after the referral is accepted.
    assert [row["Action"] for row in rows] == ["accepted referral", "tightened permissions"]
    assert rows[1]["Command"] == "referral add"
    assert "made readable by the owner only" in rows[1]["Detail"]


@pytest.mark.posix_only  # issue 20
def test_pack_tightens_too_and_says_so_once(runner, workspace, inbox):
    run(runner, "-w", str(workspace.root), "referral", "add", str(inbox / "referral.yaml"))
    os.chmod(workspace.cases_dir / "CCP-2027-001" / "case.json", 0o644)
    before = len(audit_rows(workspace.root))
    run(runner, "-w", str(workspace.root), "pack", "2027-03-11", "--no-pdf")
    run(runner, "-w", str(workspace.root), "pack", "2027-03-11", "--no-pdf")
    rows = [
        row
        for row in audit_rows(workspace.root)[before:]
        if row["Action"] == "tightened permissions"
    ]
    assert [row["Command"] for row in rows] == ["pack"]
    assert "1 file(s) and 0 folder(s)" in rows[0]["Detail"]
    assert loose(workspace.root) == {}


# --- the demo: no child's name where it must not be -------------------------------------------

DEMO_FIELDS = ("name", "preferred_name")


def demo_children() -> list[str]:
    from datetime import date

    from workflow.demo.data import demo_referrals

    names = []
    for referral in demo_referrals(date(2027, 3, 11), date(2027, 2, 20)):
        child = referral["child"]
        names += [child[key] for key in DEMO_FIELDS if child.get(key)]
        names += child["name"].split()  # a surname alone is as identifying
    return sorted(set(names))


def test_the_demo_names_no_child_in_any_path_email_header_or_log_line(
    usual_umask, runner, tmp_path
):
    root = tmp_path / "demo"
    result = run(runner, "demo", str(root))
    names = [name.lower() for name in demo_children()]
    assert names, "the demo has children"

    def named(text: str) -> list[str]:
        return [name for name in names if name in text.lower()]

    for path in [root, *root.rglob("*")]:
        assert not named(str(path.relative_to(tmp_path))), path
    for draft in root.rglob("*.eml"):
        message = read_eml(draft)
        for header, value in message.items():
            assert not named(f"{header}: {value}"), (draft.name, header)
        for part in message.iter_attachments():
            assert not named(part.get_filename() or "")
    for line in [*result.stdout.splitlines(), *result.stderr.splitlines()]:
        assert not named(line), line
    for row in audit_rows(root):
        assert not named(" ".join(str(value) for value in row.values() if value)), row
    for text_file in root.rglob("*.txt"):
        assert not named(text_file.read_text(encoding="utf-8")), text_file.name
    assert loose(root) == {}
    assert Workspace(root).exists()


@pytest.mark.posix_only  # issue 20
@pytest.mark.libreoffice
def test_signed_minutes_and_extracts_are_owner_only(
    usual_umask, runner, workspace, inbox, referral_data, tmp_path, monkeypatch
):
    """Before: the signed minutes PDF was 0644 under the usual umask."""
    from helpers import accept_two, complete_draft

    accept_two(workspace, inbox, referral_data)
    monkeypatch.setenv("CCP_TODAY", "2027-03-12")
    root = str(workspace.root)
    run(runner, "-w", root, "minutes", "draft", "2027-03-11")
    draft = workspace.meetings_dir / "2027-03-11" / "minutes.yaml"
    done = complete_draft(draft, tmp_path / "minutes.yaml")
    run(runner, "-w", root, "minutes", "record", str(done))
    run(runner, "-w", root, "minutes", "sign", "2027-03-11", "--chair", "Alex Sample")
    found = modes(workspace.root)
    assert found["output/2027-03-11/minutes-2027-03-11-v1.pdf"] == 0o600
    assert loose(workspace.root) == {}


@pytest.mark.posix_only  # issue 20
def test_a_killed_commands_leftovers_are_swept_and_a_running_ones_kept(runner, workspace, inbox):
    """Temporaries older than the stale mark go (a file and a folder, deep in the tree); a
    fresh one (another command at work) stays, and its contents are not touched."""
    case_folder = workspace.root / "cases" / "CCP-2027-900"
    case_folder.mkdir(parents=True)
    stale_file = case_folder / "case.json.ccp-tmp-dead"
    stale_file.write_text("{}")
    stale_folder = workspace.root / "output" / ".ccp-tmp-old-stage"
    (stale_folder / "inner").mkdir(parents=True)
    (stale_folder / "inner" / "minutes.docx").write_bytes(b"x")
    fresh = workspace.root / "output" / ".ccp-tmp-running"
    fresh.mkdir(parents=True)
    (fresh / "pack.docx").write_bytes(b"x")
    os.chmod(fresh / "pack.docx", 0o644)
    old = 1_000_000_000  # 2001
    for path in (stale_file, stale_folder):
        os.utime(path, (old, old))
    run(runner, "-w", str(workspace.root), "referral", "add", str(inbox / "referral.yaml"))
    assert not stale_file.exists()
    assert not stale_folder.exists()
    assert (fresh / "pack.docx").exists()
    # Inside another command's staging folder: its own business, left as it made it.
    assert stat.S_IMODE((fresh / "pack.docx").stat().st_mode) == 0o644
