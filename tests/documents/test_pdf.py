"""LibreOffice conversion: one run for a batch, clear failures (never a silent skip)."""

from __future__ import annotations

import os
import stat
import sys
import types
from pathlib import Path

import pytest
from testdata import DATA

from workflow.core.errors import ConversionFailed
from workflow.documents.pdf import convert, find_soffice, install_hint


@pytest.mark.libreoffice
def test_batch_converts_every_file_in_one_run(tmp_path):
    first = tmp_path / "one.docx"
    second = tmp_path / "two.docx"
    first.write_bytes((DATA / "papers" / "chronology.docx").read_bytes())
    second.write_bytes(first.read_bytes())
    outputs = convert([first, second], tmp_path / "pdf")
    assert [path.name for path in outputs] == ["one.pdf", "two.pdf"]
    assert all(path.read_bytes().startswith(b"%PDF") for path in outputs)


def fake_soffice(tmp_path: Path, body: str) -> Path:
    program = tmp_path / "soffice"
    program.write_text(f"#!/bin/sh\n{body}\n")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    return program


def test_missing_libreoffice_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("CCP_SOFFICE", str(tmp_path / "nowhere"))
    assert find_soffice() is None
    with pytest.raises(ConversionFailed) as raised:
        convert([DATA / "papers" / "chronology.docx"], tmp_path)
    assert str(raised.value) == (
        f"LibreOffice CCP_SOFFICE={tmp_path / 'nowhere'} is not a program: {install_hint()}"
    )


@pytest.mark.parametrize(
    ("platform", "hint"),
    [
        ("linux", "install LibreOffice with `sudo apt-get install libreoffice-writer-nogui "),
        (
            "win32",
            "`winget install TheDocumentFoundation.LibreOffice`, or set CCP_SOFFICE to "
            "its soffice.exe",
        ),  # fmt: skip
        ("darwin", "install LibreOffice with `brew install --cask libreoffice`"),
    ],
    ids=["linux", "windows", "macos"],
)
def test_the_install_hint_fits_the_platform(platform, hint):
    assert hint in install_hint(platform)


@pytest.fixture
def bare_windows_pc(monkeypatch, tmp_path):
    """No CCP_SOFFICE, nothing on PATH, Program Files folders without LibreOffice."""
    monkeypatch.delenv("CCP_SOFFICE", raising=False)
    monkeypatch.setenv("PATH", "")
    for variable in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"):
        monkeypatch.setenv(variable, str(tmp_path / "empty" / variable))


def windows_install(folder: Path) -> Path:
    program = folder / "LibreOffice" / "program" / "soffice.exe"
    program.parent.mkdir(parents=True)
    program.write_bytes(b"MZ")
    return program


@pytest.mark.parametrize("variable", ["ProgramFiles", "ProgramFiles(x86)"])
def test_libreoffice_is_found_under_program_files(bare_windows_pc, monkeypatch, tmp_path, variable):
    program = windows_install(tmp_path / variable)
    monkeypatch.setenv(variable, str(tmp_path / variable))
    assert find_soffice() == program


def test_libreoffice_is_found_through_the_registry(bare_windows_pc, monkeypatch, tmp_path):
    """A custom install folder (D:\\Apps\\LibreOffice): the registry key names it."""
    program = windows_install(tmp_path / "Apps")
    asked = []

    class Key:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def open_key(root, name, reserved, access):
        asked.append((root, name))
        return Key()

    winreg = types.SimpleNamespace(
        HKEY_LOCAL_MACHINE="HKLM",
        KEY_READ=1,
        KEY_WOW64_64KEY=2,
        KEY_WOW64_32KEY=4,
        OpenKey=open_key,
        QueryValueEx=lambda key, name: (str(program.parent), 1),
    )
    monkeypatch.setitem(sys.modules, "winreg", winreg)
    monkeypatch.setattr(sys, "platform", "win32")
    found = find_soffice()
    monkeypatch.undo()
    assert found == program
    assert asked == [("HKLM", "SOFTWARE\\LibreOffice\\UNO\\InstallPath")]


def test_no_registry_is_read_off_windows(bare_windows_pc, monkeypatch):
    monkeypatch.setitem(sys.modules, "winreg", None)  # importing it would fail
    monkeypatch.setattr(sys, "platform", "linux")
    assert find_soffice() is None


@pytest.mark.posix_only  # a shell script stands in for LibreOffice
def test_run_that_writes_nothing_is_a_failure(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "CCP_SOFFICE",
        str(fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2; exit 0")),
    )
    with pytest.raises(
        ConversionFailed,
        match=r"did not write chronology\.pdf \(Error: source file could not be loaded\)",
    ):
        convert([DATA / "papers" / "chronology.docx"], tmp_path / "out")


@pytest.mark.posix_only  # a shell script stands in for LibreOffice
def test_stuck_libreoffice_times_out(tmp_path, monkeypatch):
    monkeypatch.setenv("CCP_SOFFICE", str(fake_soffice(tmp_path, "sleep 5")))
    with pytest.raises(ConversionFailed, match="did not finish converting 1 file"):
        convert([DATA / "papers" / "chronology.docx"], tmp_path / "out", timeout=0.5)


@pytest.mark.posix_only  # a shell script stands in for LibreOffice
def test_each_run_has_its_own_profile(tmp_path, monkeypatch):
    log = tmp_path / "args.txt"
    script = f'echo "$@" >> {log}; for last; do :; done; touch "$4.pdf"; exit 0'
    monkeypatch.setenv("CCP_SOFFICE", str(fake_soffice(tmp_path, script)))
    with pytest.raises(ConversionFailed):
        convert([DATA / "papers" / "chronology.docx"], tmp_path / "out")
    with pytest.raises(ConversionFailed):
        convert([DATA / "papers" / "chronology.docx"], tmp_path / "out")
    profiles = [line.split()[0] for line in log.read_text().splitlines()]
    assert len(profiles) == 2
    assert profiles[0] != profiles[1]
    assert all(p.startswith("-env:UserInstallation=file:///") for p in profiles)
    assert os.environ.get("CCP_SOFFICE")


@pytest.mark.posix_only  # a shell script stands in for LibreOffice
def test_the_version_comes_from_the_console_program_on_windows(tmp_path):
    from workflow.documents.pdf import soffice_version

    program = tmp_path / "soffice.exe"
    program.write_bytes(b"MZ")  # the GUI program: prints nothing
    console = fake_soffice(tmp_path, "echo 'LibreOffice 24.8.4.2 bb3cfa12c7b1'")
    console.rename(tmp_path / "soffice.com")
    assert soffice_version(program) == "LibreOffice 24.8.4.2 bb3cfa12c7b1"
