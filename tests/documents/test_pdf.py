"""LibreOffice conversion: one run for a batch, clear failures (never a silent skip)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from testdata import DATA

from workflow.core.errors import ConversionFailed
from workflow.documents.pdf import convert, find_soffice


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
    with pytest.raises(ConversionFailed, match="apt-get install libreoffice-writer-nogui"):
        convert([DATA / "papers" / "chronology.docx"], tmp_path)


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


def test_stuck_libreoffice_times_out(tmp_path, monkeypatch):
    monkeypatch.setenv("CCP_SOFFICE", str(fake_soffice(tmp_path, "sleep 5")))
    with pytest.raises(ConversionFailed, match="did not finish converting 1 file"):
        convert([DATA / "papers" / "chronology.docx"], tmp_path / "out", timeout=0.5)


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
