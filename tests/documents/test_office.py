"""The LibreOffice the web app keeps running: the same PDFs as a cold start, private, and
started again when it dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from workflow.core.errors import ConversionFailed
from workflow.documents import office as office_module
from workflow.documents.office import WarmOffice, find_office_python
from workflow.documents.pdf import convert, keep_running
from workflow.workspace import doctor

pytestmark = pytest.mark.libreoffice


def _document(path: Path, text: str) -> Path:
    from docx import Document

    document = Document()
    document.add_heading("Synthetic panel paper", level=1)
    document.add_paragraph(text)
    document.save(str(path))
    return path


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def office():
    python = find_office_python()
    assert python.path is not None, python.reason  # CI installs python3-uno
    with WarmOffice(python.path) as running:
        yield running


def test_a_warm_conversion_is_the_same_pdf_as_a_cold_one(office, tmp_path):
    source = _document(tmp_path / "paper.docx", "Fictional Child A: risk rising & <unknown>.")
    [cold] = convert([source], tmp_path / "cold", pdfa=True, title="Minutes, version 1")
    with keep_running(office):
        before = office.conversions
        [warm] = convert([source], tmp_path / "warm", pdfa=True, title="Minutes, version 1")
    assert office.conversions == before + 1
    assert _text(warm) == _text(cold)
    assert "Fictional Child A: risk rising & <unknown>." in _text(warm)
    for pdf in (cold, warm):
        reader = PdfReader(str(pdf))
        assert reader.metadata.title == "Minutes, version 1"
        assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
        assert reader.trailer["/Root"]["/Lang"] == "en-US"  # python-docx's default
        assert "pdfaid:part" in reader.xmp_metadata.rdf_root.toxml()  # PDF/A


@pytest.mark.posix_only  # file modes
def test_warm_pdfs_and_profile_are_owner_only(office, tmp_path):
    source = _document(tmp_path / "paper.docx", "Owner only.")
    with keep_running(office):
        [warm] = convert([source], tmp_path / "warm")
    assert warm.stat().st_mode & 0o077 == 0
    assert office._profile.stat().st_mode & 0o077 == 0


@pytest.mark.posix_only  # /proc and signals
def test_it_listens_on_a_private_pipe_never_a_port(office):
    command = Path(f"/proc/{office.office_pid}/cmdline").read_bytes().split(b"\0")
    accept = [part.decode() for part in command if part.startswith(b"--accept=")]
    assert len(accept) == 1
    assert accept[0].startswith("--accept=pipe,name=ccp-")
    assert len(accept[0].split("name=")[1].split(";")[0]) >= 36  # a random, unguessable name
    assert "socket" not in accept[0]


@pytest.mark.posix_only  # signals
def test_a_killed_libreoffice_is_started_again_and_the_pdf_still_made(office, tmp_path):
    source = _document(tmp_path / "paper.docx", "After a crash.")
    starts = office.starts
    os.kill(office.office_pid, signal.SIGKILL)
    office._office.wait(timeout=60)  # dead before the next pack, as after a crash
    with keep_running(office):
        [warm] = convert([source], tmp_path / "warm")
    assert office.starts == starts + 1
    assert office.running
    assert "After a crash." in _text(warm)


def test_a_document_libreoffice_cannot_open_is_one_clear_error(office, tmp_path):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a Word document")
    with keep_running(office), pytest.raises(ConversionFailed) as raised:
        convert([broken], tmp_path / "out")
    assert "LibreOffice" in str(raised.value)
    assert "\n" not in str(raised.value)
    assert not (tmp_path / "out" / "broken.pdf").exists()
    assert office.running  # one bad paper does not stop it for the next


def test_close_stops_libreoffice_and_removes_its_profile(tmp_path):
    python = find_office_python()
    running = WarmOffice(python.path)
    running.start()
    process, profile = running._office, running._profile
    running.close()
    assert process.poll() is not None
    assert not profile.exists()


def test_without_a_python_bridge_it_says_why_and_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("CCP_OFFICE_PYTHON", sys.executable)  # ccp's own: no `uno` in it
    found = find_office_python()
    assert found.path is None
    assert found.reason == f"CCP_OFFICE_PYTHON={sys.executable} cannot `import uno`"
    monkeypatch.delenv("CCP_OFFICE_PYTHON")
    monkeypatch.setattr(office_module.sys, "platform", "win32")  # nothing beside soffice
    found = find_office_python(tmp_path / "program" / "soffice.exe")
    assert found.path is None
    assert "python3-uno" in found.reason


def test_doctor_says_whether_the_web_app_keeps_libreoffice_running(monkeypatch, tmp_path):
    check = doctor.bridge_check(tmp_path / "soffice")
    assert check.ok
    assert check.text.startswith("web app keeps LibreOffice running, through ")
    monkeypatch.setenv("CCP_OFFICE_PYTHON", sys.executable)
    check = doctor.bridge_check(tmp_path / "soffice")
    assert check.ok  # optional: PDFs are still made, only slower
    assert check.text == (
        "web app PDFs start LibreOffice each time (optional: "
        f"CCP_OFFICE_PYTHON={sys.executable} cannot `import uno`)"
    )
