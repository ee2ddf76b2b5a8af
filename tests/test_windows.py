"""ccp as it runs on a Windows desktop (issue 20), through the simulation in windows_sim."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from helpers import read_eml
from openpyxl import load_workbook
from testdata import DATA, skip_posix_only_on_windows
from windows_sim import O_BINARY, WindowsLike

from workflow.cli import cli
from workflow.core import files
from workflow.core.errors import FileInUse
from workflow.register import Register
from workflow.workspace.paths import Workspace

pytestmark = pytest.mark.usefixtures("windows_like")


def owner_file(name: str) -> bytes:
    """An Office owner file as Excel writes it: the name in the code page, then UTF-16."""
    ansi = name.encode("cp1252", errors="replace")
    wide = name.encode("utf-16-le")
    head = bytes([len(ansi)]) + ansi
    return (head.ljust(54, b"\x20") + len(name).to_bytes(2, "little") + wide).ljust(162, b"\0")


def ccp_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def register_values(path: Path) -> list[str]:
    book = load_workbook(path, read_only=True)
    try:
        return [
            value
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if isinstance(value, str)
        ]
    finally:
        book.close()


def test_the_simulation_turns_lf_into_crlf_without_o_binary(tmp_path, windows_like):
    """The simulation bites: a descriptor opened without O_BINARY corrupts bytes."""
    target = tmp_path / "plain.bin"
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(b"PK\x03\x04\n")
    assert target.read_bytes() == b"PK\x03\x04\r\n"
    assert windows_like.text_mode_files == [str(target)]
    assert str(Path("cases") / "CCP-2027-001") == "cases\\CCP-2027-001"
    assert (Path("cases") / "CCP-2027-001").as_posix() == "cases/CCP-2027-001"
    with pytest.raises(NotImplementedError):
        os.chmod(target, 0o600, follow_symlinks=False)
    assert not hasattr(os, "fchmod")


@pytest.mark.libreoffice
def test_the_whole_demo_runs_as_on_windows(tmp_path, windows_like: WindowsLike):
    from workflow.demo.build import build_demo

    root = tmp_path / "demo"
    build_demo(root)

    written = ccp_files(root)
    assert len(written) > 40
    assert windows_like.text_mode_files == []
    assert windows_like.chmod_calls == []
    for path in written:
        if path.suffix in (".xlsx", ".docx"):
            with zipfile.ZipFile(path) as package:
                assert package.testzip() is None, path.name
        if path.suffix == ".pdf":
            assert path.read_bytes().startswith(b"%PDF-"), path.name
            assert b"%%EOF" in path.read_bytes()[-1024:], path.name
        if path.suffix == ".eml":
            assert read_eml(path)["Message-ID"], path.name
    values = register_values(root / "register.xlsx")
    stored = [value for value in values if value.startswith(("cases/", "output/"))]
    assert stored, "the register names signed files and progress reports by path"
    assert [value for value in values if "\\" in value] == []
    # The register keeps working on the next command.
    assert Register.load(root / "register.xlsx").rows("Signatures")


def test_a_register_held_for_a_moment_is_saved_after_retrying(workspace, windows_like):
    register = Register.load(workspace.register_file)
    register.append("Actions", {"action_id": "CCP-2027-004-A3"})
    windows_like.hold(workspace.register_file, times=3)

    register.save(workspace.register_file, backups_dir=workspace.backups_dir)

    assert len(windows_like.refused) == 3
    assert "CCP-2027-004-A3" in register_values(workspace.register_file)


def test_a_register_open_in_excel_is_one_line_exit_3(workspace, windows_like, runner, inbox):
    windows_like.hold(workspace.register_file)
    before = workspace.register_file.read_bytes()

    result = runner.invoke(
        cli, ["-w", str(workspace.root), "referral", "add", str(inbox / "referral.yaml")]
    )

    assert result.exit_code == 3, result.output
    assert result.stderr == (
        "Error: register.xlsx is open in Excel or another program: "
        "close it and run the command again\n"
    )
    assert workspace.register_file.read_bytes() == before
    assert list(workspace.cases_dir.iterdir()) == []
    assert [p for p in ccp_files(workspace.root) if files.TEMP_MARKER in str(p)] == []


def test_the_excel_owner_file_names_who_has_the_register(workspace, runner, inbox):
    (workspace.root / "~$register.xlsx").write_bytes(owner_file("Sam Ōkafor"))

    result = runner.invoke(
        cli, ["-w", str(workspace.root), "referral", "add", str(inbox / "referral.yaml")]
    )

    assert result.exit_code == 3
    assert result.stderr == (
        "Error: register.xlsx is open in Excel (by Sam Ōkafor): close it and run the command "
        "again (if Excel is not running, delete ~$register.xlsx)\n"
    )


def test_a_word_document_held_open_is_named_with_its_user(tmp_path, windows_like):
    target = tmp_path / "pack-2027-03-11.docx"
    target.write_bytes(b"old")
    # Word drops the first two characters of a long name for its owner file.
    (tmp_path / "~$ck-2027-03-11.docx").write_bytes(owner_file("Jo Example"))
    windows_like.hold(target)

    with pytest.raises(FileInUse) as raised:
        files.write_bytes(target, b"new")

    assert str(raised.value) == (
        "pack-2027-03-11.docx is open in Word (by Jo Example): close it and run the command again"
    )
    assert raised.value.exit_code == 3
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "pack-2027-03-11.docx",
        "~$ck-2027-03-11.docx",
    ]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (owner_file("Alex Sample"), "Alex Sample"),
        (bytes([5]) + b"Casey" + b"\0" * 20, "Casey"),
        (b"owner", None),
        (b"", None),
    ],
    ids=["excel", "ansi-only", "not-an-owner-file", "empty"],
)
def test_owner_name(data, name):
    assert files.owner_name(data) == name


def test_writes_open_in_binary_mode_and_skip_posix_modes(tmp_path, windows_like):
    target = files.write_bytes(tmp_path / "sub" / "a.xlsx", b"PK\n\r\n\n")
    assert target.read_bytes() == b"PK\n\r\n\n"
    assert windows_like.text_mode_files == []
    assert windows_like.chmod_calls == []
    assert files.posix_modes() is False
    assert files.open_flags(os.O_RDONLY) & O_BINARY


def test_the_privacy_scan_leaves_an_ntfs_workspace_alone(workspace, windows_like, runner, inbox):
    """NTFS reports 0o666: nothing is 'loose' and no Audit row claims a change."""
    from workflow.workspace.privacy import loose_paths, tighten_paths

    for path in [workspace.root, *workspace.root.rglob("*")]:
        os.chmod(path, 0o777 if path.is_dir() else 0o666)  # what NTFS reports
    assert not loose_paths(workspace)
    assert not tighten_paths(workspace)
    args = ["-w", str(workspace.root), "referral", "add", str(inbox / "referral.yaml")]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "tighten" not in result.output + result.stderr
    audit = Register.load(workspace.register_file).rows("Audit")
    assert [row for row in audit if row.get("action") == "tightened permissions"] == []


def test_papers_are_read_without_dir_fd(inbox, windows_like):
    from workflow.cases.attachments import read_confined

    data = read_confined(inbox, "papers/chronology.docx", 10_000_000)
    assert data == (inbox / "papers" / "chronology.docx").read_bytes()
    assert read_confined(inbox, "papers/missing.pdf", 10_000_000) is None
    os.symlink(inbox / "papers" / "chronology.docx", inbox / "link.docx")
    from workflow.core.errors import FileUnreadable

    with pytest.raises(FileUnreadable, match="symbolic link"):
        read_confined(inbox, "link.docx", 10_000_000)


def test_a_workspace_made_under_the_simulation_stores_forward_slashes(
    tmp_path, windows_like, runner
):
    root = tmp_path / "panel"
    result = runner.invoke(cli, ["init", str(root)])
    assert result.exit_code == 0, result.output
    assert Workspace(root).relative(root / "cases" / "CCP-2027-001") == "cases/CCP-2027-001"
    assert (DATA / "panel.yaml").is_file()


class _Item:
    def __init__(self, posix_only: bool):
        self.posix_only, self.added = posix_only, []

    def get_closest_marker(self, name: str) -> object | None:
        return object() if name == "posix_only" and self.posix_only else None

    def add_marker(self, marker: object) -> None:
        self.added.append(marker)


@pytest.mark.parametrize(
    ("platform", "skipped"), [("linux", []), ("win32", [True])], ids=["linux", "windows"]
)
def test_posix_only_tests_are_skipped_on_windows_alone(platform, skipped):
    marked, plain = _Item(posix_only=True), _Item(posix_only=False)
    skip_posix_only_on_windows([marked, plain], platform)
    assert [bool(marker) for marker in marked.added] == skipped
    assert plain.added == []


def test_a_document_open_in_word_is_one_line_exit_3(tmp_path, runner, windows_like):
    out = tmp_path / "referral.docx"
    out.write_bytes(b"the practitioner's copy")
    windows_like.hold(out)

    result = runner.invoke(cli, ["referral", "template", "--format", "docx", "--force", str(out)])

    assert result.exit_code == 3
    assert result.stderr == (
        "Error: referral.docx is open in Word or another program: close it and run the command "
        "again\n"
    )
    assert out.read_bytes() == b"the practitioner's copy"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["referral.docx"]


def test_a_folder_that_cannot_be_made_is_one_line_naming_it(tmp_path, runner):
    (tmp_path / "blocker").write_bytes(b"a file where a folder should be")
    target = tmp_path / "blocker" / "schemas"

    result = runner.invoke(cli, ["schemas", "export", str(target)])

    assert result.exit_code == 3
    assert result.stderr == f"Error: {target}: cannot be written (Not a directory)\n"


def test_verify_of_a_file_that_cannot_be_read_names_it(workspace, runner, monkeypatch):
    """An OSError from a user's file is one line naming it, as Flask's Config.from_file."""
    target = workspace.root / "minutes-2027-03-11-v1.pdf"
    target.write_bytes(b"%PDF-1.7")
    real_open = Path.open

    def locked(self, *args, **kwargs):
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", locked)
    result = runner.invoke(cli, ["-w", str(workspace.root), "verify", str(target)])
    assert result.stderr == f"Error: {target}: cannot be read (Permission denied)\n"
    assert result.exit_code == 1
