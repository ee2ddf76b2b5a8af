"""`ccp doctor` (issue 20): one line per check, OK or what to do; exit 3 if anything is wrong."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from test_windows import owner_file

import workflow.workspace.doctor as doctor
from workflow.cli import cli
from workflow.documents import pdf


def run(runner, workspace) -> tuple[int, list[str]]:
    result = runner.invoke(cli, ["-w", str(workspace.root), "doctor"])
    assert result.stderr == ""
    return result.exit_code, result.output.splitlines()


def problems(lines: list[str]) -> list[str]:
    assert all(line.startswith(("OK  ", "FIX ")) for line in lines), lines
    return [line for line in lines if line.startswith("FIX ")]


@pytest.fixture
def no_libreoffice(monkeypatch, tmp_path):
    """CCP_SOFFICE pointing nowhere and nothing on PATH: a PC without LibreOffice."""
    monkeypatch.setenv("CCP_SOFFICE", str(tmp_path / "nowhere" / "soffice"))
    monkeypatch.setenv("PATH", "")


@pytest.mark.libreoffice
@pytest.mark.posix_only  # POSIX modes; a runner's access list is its own
def test_a_ready_workspace_is_all_ok(runner, workspace):
    code, lines = run(runner, workspace)
    assert problems(lines) == []
    assert code == 0
    labels = [line.split(" ")[2] for line in lines]
    assert labels[:4] == ["Python", "ccp", "LibreOffice", "LibreOffice"]
    assert lines[3].startswith("OK  LibreOffice converted a test document to PDF in ")
    assert f"OK  workspace {workspace.root}: readable and writable" in lines
    assert "OK  register.xlsx: writable and not open in Excel or LibreOffice" in lines
    assert "OK  permissions: only you can open the workspace's files" in lines
    assert lines[-1].startswith("OK  disk: ")


def test_missing_libreoffice_is_one_line_and_exit_3(runner, workspace, no_libreoffice, tmp_path):
    code, lines = run(runner, workspace)
    assert code == 3
    configured = tmp_path / "nowhere" / "soffice"
    assert problems(lines) == [
        f"FIX LibreOffice CCP_SOFFICE={configured} is not a program: {pdf.install_hint()} "
        "(until then, `ccp pack --no-pdf` makes the Word pack alone)"
    ]


def test_a_register_open_in_excel_names_who_has_it(runner, workspace, no_libreoffice):
    (workspace.root / "~$register.xlsx").write_bytes(owner_file("Sam Example"))
    os.chmod(workspace.root / "~$register.xlsx", 0o600)
    code, lines = run(runner, workspace)
    assert code == 3
    assert problems(lines)[1:] == [
        "FIX register.xlsx is open in Excel (by Sam Example): close it before running a "
        "command (if Excel is not running, delete ~$register.xlsx)"
    ]


def test_a_register_open_in_libreoffice_names_who_has_it(runner, workspace, no_libreoffice):
    lock = workspace.root / ".~lock.register.xlsx#"
    lock.write_text("Sam Example,sam,PC-042,04.12.2026 16:00,file:///C:/Users/sam;\n")
    os.chmod(lock, 0o600)
    code, lines = run(runner, workspace)
    assert code == 3
    assert problems(lines)[1:] == [
        "FIX register.xlsx is open in LibreOffice (by Sam Example): close it before running a "
        "command (if LibreOffice is not running, delete .~lock.register.xlsx#)"
    ]


def test_an_unwritable_workspace_is_one_line_and_exit_3(
    runner, workspace, no_libreoffice, monkeypatch
):
    """What an access list that refuses writing looks like (tests run as root here, which
    a mode alone would not stop): every new file in the folder is refused."""
    real_open = os.open
    root = str(workspace.root)

    def refuse(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and os.path.dirname(os.fspath(path)) == root:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    code, lines = run(runner, workspace)
    assert code == 3
    assert problems(lines)[1:] == [
        f"FIX workspace {workspace.root}: cannot write there: ask IT to give you write access "
        "to the folder (or use a workspace in a folder you can change)"
    ]
    assert sorted(p.name for p in workspace.root.iterdir() if p.name.startswith(".ccp")) == []


def test_not_a_workspace_says_how_to_point_at_one(runner, tmp_path, no_libreoffice):
    result = runner.invoke(cli, ["-w", str(tmp_path), "doctor"])
    assert result.exit_code == 3
    assert result.output.splitlines()[-1] == (
        f"FIX workspace {tmp_path}: not a panel workspace (no panel.yaml): run the command "
        "inside it, pass -w FOLDER, or set CCP_WORKSPACE"
    )


@pytest.mark.posix_only
def test_files_others_can_read_are_named(runner, workspace, no_libreoffice):
    os.chmod(workspace.cases_dir, 0o755)
    code, lines = run(runner, workspace)
    assert code == 3
    assert problems(lines)[1:] == [
        "FIX permissions: 1 file(s) or folder(s) others can open (e.g. cases): run any command "
        "that writes (it tightens them), or `chmod -R go-rwx` the folder"
    ]


@pytest.mark.posix_only  # a shell script stands in for icacls
def test_on_windows_the_access_list_is_shown(runner, workspace, no_libreoffice, windows_like,
                                             monkeypatch, tmp_path):  # fmt: skip
    """No icacls here: a stand-in prints what icacls prints for a panel's folder."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    icacls = bin_dir / "icacls"
    icacls.write_text(
        "#!/bin/sh\n"
        f'echo "{workspace.root} NORTHSHIRE\\\\Panel Staff:(OI)(CI)(M)"\n'
        'echo "                NT AUTHORITY\\\\SYSTEM:(OI)(CI)(F)"\n'
        'echo "                BUILTIN\\\\Administrators:(OI)(CI)(F)"\n'
        'echo ""\n'
        'echo "Successfully processed 1 files; Failed processing 0 files"\n'
    )
    icacls.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    code, lines = run(runner, workspace)
    assert (
        "OK  permissions: the folder's access list decides who can open the workspace; "
        "readable by NORTHSHIRE\\Panel Staff, NT AUTHORITY\\SYSTEM, BUILTIN\\Administrators"
    ) in lines
    assert code == 3  # LibreOffice is still missing


def test_a_folder_everyone_can_open_is_flagged():
    output = "C:\\Panel Everyone:(OI)(CI)(R)\n           BUILTIN\\Users:(OI)(CI)(RX)\n"
    assert doctor.access_list_names(output, Path("C:\\Panel")) == ["Everyone", "BUILTIN\\Users"]


def test_a_failed_test_conversion_is_named(monkeypatch):
    fake = shutil.which("true") or sys.executable
    monkeypatch.setenv("CCP_SOFFICE", fake)

    def fails(*args, **kwargs):
        raise pdf.ConversionFailed("LibreOffice did not write ccp-doctor-test.pdf (exit 1)")

    checks = doctor.libreoffice_checks(convert=fails)
    assert [check.line() for check in checks][1] == (
        "FIX LibreOffice could not convert a test document: LibreOffice did not write "
        "ccp-doctor-test.pdf (exit 1)"
    )


def test_low_disk_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(doctor.shutil, "disk_usage", lambda _: SimpleNamespace(free=10 * 1024**2))
    assert (
        doctor.disk_check(tmp_path)
        .line()
        .startswith("FIX disk: only 10 MB free where the workspace is")
    )


def test_a_missing_house_font_says_what_to_install(monkeypatch):
    monkeypatch.setattr(doctor, "installed_fonts", lambda: {"dejavu sans"})
    monkeypatch.setattr(doctor.sys, "platform", "linux")
    assert doctor.font_check().line() == (
        "FIX fonts: neither Calibri nor Carlito is installed, so PDFs will not break pages as "
        "Word does: install fonts-crosextra-carlito (apt-get) or Calibri"
    )


def test_the_readme_sends_windows_users_to_doctor_first():
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    troubleshooting = readme.split("## Troubleshooting\n", 1)[1].lstrip()
    assert troubleshooting.startswith("1. Run `ccp doctor`")
    windows = readme.split("### On Windows\n", 1)[1].split("\n## ", 1)[0]
    for needed in ("winget install Python.Python.3.12", "python.org", "LibreOffice",
                   "pipx install", "only the panel's staff can open", "ccp serve -w"):  # fmt: skip
        assert needed in windows, needed
