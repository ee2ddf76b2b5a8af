"""Papers attached to a referral (issue 12): confined to its folder, checked by content, capped.

Each test names the hole it closes: before, these papers were accepted, copied into the case
and circulated (or broke the next pack naming no case).
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from testdata import DATA, write_yaml

from workflow.cases.attachments import PaperLimits, check_papers, paper_suffix, read_confined
from workflow.cases.referrals import add_referral, check_referral
from workflow.cli import cli
from workflow.contract import Referral
from workflow.core.errors import FileUnreadable, FormInvalid, PaperRefused, ReferralRejected
from workflow.meetings.pack import build_pack

CHRONOLOGY = DATA / "papers" / "chronology.docx"
RISK_PDF = DATA / "papers" / "risk-assessment.pdf"


def referral_with(inbox: Path, referral_data: dict, **attachments: str) -> Path:
    referral_data["attachments"] = attachments
    return write_yaml(inbox / "referral.yaml", referral_data)


def case_rows(workspace) -> int:
    return load_workbook(workspace.register_file)["Cases"].max_row - 1


def refused(path: Path, workspace=None) -> list[str]:
    with pytest.raises(FormInvalid) as caught:
        check_referral(path, workspace=workspace)
    return caught.value.lines()


def docx_bytes(**replace: bytes) -> bytes:
    """The fixture chronology with some parts replaced (or added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(CHRONOLOGY) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = replace.pop(info.filename, None) or source.read(info.filename)
            target.writestr(info, data, zipfile.ZIP_DEFLATED)
        for name, data in replace.items():
            target.writestr(name, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --- where a paper may be --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("/etc/passwd.docx", "must be a path relative to the referral file's folder"),
        ("C:\\Users\\sw\\chronology.docx", "must be a path relative to the referral file's folder"),
        ("~/chronology.docx", "must be a path relative to the referral file's folder"),
        ("../../other-case/attachments/chronology.docx", "must not use '..'"),
        ("papers/../../outside.docx", "must not use '..'"),
        ("..\\..\\etc\\passwd", "must not use '..'"),
    ],
    ids=["absolute", "windows-drive", "home", "dotdot", "dotdot-inside", "backslash-dotdot"],
)
def test_paths_leaving_the_referral_folder_are_refused(inbox, referral_data, given, message):
    path = referral_with(inbox, referral_data, chronology=given)
    [line] = refused(path)
    assert line.startswith(f"referral.yaml: attachments.chronology: {given}: ")
    assert message in line


def test_an_absolute_path_to_a_real_file_is_refused_not_copied(
    tmp_path, workspace, inbox, referral_data
):
    """Before: another child's chronology given by absolute path was copied and circulated."""
    elsewhere = tmp_path / "other-child"
    elsewhere.mkdir()
    shutil.copy(CHRONOLOGY, elsewhere / "chronology.docx")
    path = referral_with(inbox, referral_data, chronology=str(elsewhere / "chronology.docx"))
    with pytest.raises(FormInvalid, match="attachments.chronology"):
        add_referral(workspace, path)
    assert not (workspace.cases_dir / "CCP-2027-001").exists()
    assert case_rows(workspace) == 0


@pytest.mark.parametrize("where", ["file", "folder"], ids=["link-to-file", "link-in-path"])
def test_symbolic_links_anywhere_on_the_path_are_refused(tmp_path, inbox, referral_data, where):
    """Before: a link to /etc/shadow or /proc/self/environ was copied byte for byte."""
    secret = tmp_path / "secret"
    secret.mkdir()
    shutil.copy(CHRONOLOGY, secret / "chronology.docx")
    if where == "file":
        (inbox / "chronology.docx").symlink_to(secret / "chronology.docx")
        given = "chronology.docx"
    else:
        (inbox / "linked").symlink_to(secret)
        given = "linked/chronology.docx"
    path = referral_with(inbox, referral_data, chronology=given)
    [line] = refused(path)
    assert "is a symbolic link; attach the paper itself" in line


@pytest.mark.posix_only  # /proc
def test_a_link_to_proc_environ_is_refused(inbox, referral_data):
    (inbox / "environ.pdf").symlink_to("/proc/self/environ")
    [line] = refused(referral_with(inbox, referral_data, risk_assessment="environ.pdf"))
    assert line.startswith("referral.yaml: attachments.risk_assessment: environ.pdf: ")
    assert "symbolic link" in line


@pytest.mark.posix_only  # issue 20
def test_a_folder_or_a_fifo_is_not_a_paper(inbox, referral_data):
    (inbox / "folder.docx").mkdir()
    os.mkfifo(inbox / "pipe.pdf")
    lines = refused(
        referral_with(inbox, referral_data, chronology="folder.docx", risk_assessment="pipe.pdf")
    )
    assert any("attachments.chronology: folder.docx: is a folder" in line for line in lines)
    assert any(
        "attachments.risk_assessment: pipe.pdf: is not a regular file" in line for line in lines
    )


def test_read_confined_reads_only_inside_the_folder(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b.pdf").write_bytes(b"data")
    assert read_confined(tmp_path, "a/b.pdf", 100) == b"data"
    assert read_confined(tmp_path, "./a/./b.pdf", 100) == b"data"
    assert read_confined(tmp_path, "a/missing.pdf", 100) is None
    with pytest.raises(FileUnreadable, match="at most"):
        read_confined(tmp_path, "a/b.pdf", 2)


# --- what a paper is ---------------------------------------------------------------------------


def bomb(megabytes: int) -> bytes:
    """A few hundred KB that unpack to many MB: the issue's 560 KB .docx that grew to 360 MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(CHRONOLOGY) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename), zipfile.ZIP_DEFLATED)
        padding = zipfile.ZipInfo("word/media/padding.bin")
        padding.compress_type = zipfile.ZIP_DEFLATED
        with target.open(padding, "w", force_zip64=True) as big:
            block = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                big.write(block)
    return out.getvalue()


XXE = (
    b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<w:document/>"
)

PAPERS = {
    "text named .docx": (
        "notes.docx",
        b"Just some notes typed in Notepad.\n",
        "is named .docx but its content is not a Word document (.docx)",
    ),
    "pdf named .docx": (
        "chronology.docx",
        RISK_PDF.read_bytes(),
        "is named .docx but its content is a PDF; rename it to .pdf",
    ),
    "docx named .pdf": ("risk.pdf", CHRONOLOGY.read_bytes(), "rename it to .docx"),
    "old .doc": (
        "old.doc",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
        "only a Word document (.docx) or a PDF",
    ),
    "zip bomb": ("bomb.docx", bomb(360), "would unpack to more than 160 MB"),
    "compressed 1000:1": ("ratio.docx", bomb(30), "refused as a possible zip bomb"),
    "doctype in document": (
        "xxe.docx",
        docx_bytes(**{"word/document.xml": XXE}),
        "contains a DOCTYPE or entity declaration",
    ),
    "doctype in styles": (
        "styles.docx",
        docx_bytes(**{"word/styles.xml": XXE}),
        "word/styles.xml contains a DOCTYPE",
    ),
    "macros": ("macro.docx", docx_bytes(**{"word/vbaProject.bin": b"\0" * 64}), "contains macros"),
    "zip, not Word": (
        "archive.docx",
        docx_bytes(
            **{
                "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'
            }
        ),
        "no main document part",
    ),
    "truncated pdf": ("cut.pdf", RISK_PDF.read_bytes()[:600], "is an incomplete PDF"),
    "broken pdf": (
        "broken.pdf",
        b"%PDF-1.4\n1 0 obj garbage\ntrailer <<>>\n%%EOF\n",
        "is a damaged PDF",
    ),
    "empty file": ("empty.pdf", b"", "its content is not a PDF"),
}


@pytest.mark.parametrize("case", list(PAPERS), ids=list(PAPERS))
def test_papers_are_checked_by_content_at_referral_check(inbox, referral_data, runner, case):
    """Before: each of these was accepted and broke (or bloated) the next pack."""
    name, data, message = PAPERS[case]
    (inbox / name).write_bytes(data)
    path = referral_with(inbox, referral_data, chronology=name)
    result = runner.invoke(cli, ["referral", "check", str(path)])
    assert result.exit_code == 1, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: referral.yaml: attachments.chronology: {name}: ")
    assert message in line
    assert "ready to accept" not in result.output


def test_good_papers_are_stored_byte_for_byte_under_fixed_names(workspace, inbox, referral_data):
    path = referral_with(
        inbox,
        referral_data,
        chronology="papers/chronology.docx",
        risk_assessment="papers\\risk-assessment.pdf",  # typed on Windows
    )
    accepted = add_referral(workspace, path)
    folder = workspace.case_dir(accepted.case_id) / "attachments"
    assert sorted(p.name for p in folder.iterdir()) == ["chronology.docx", "risk-assessment.pdf"]
    assert (folder / "chronology.docx").read_bytes() == CHRONOLOGY.read_bytes()
    assert (folder / "risk-assessment.pdf").read_bytes() == RISK_PDF.read_bytes()
    assert accepted.warnings == [
        "attachments.last_review_report: no last review report supplied for circulation"
    ]


def test_a_missing_paper_is_still_only_a_warning(inbox, referral_data):
    checked = check_referral(referral_with(inbox, referral_data, chronology="not-yet.docx"))
    assert "attachments.chronology: not-yet.docx not found beside referral.yaml" in checked.warnings


# --- size limits from panel.yaml ---------------------------------------------------------------


def test_a_paper_over_paper_max_mb_is_refused(tmp_path, inbox, referral_data):
    from workflow.workspace.initialise import init_workspace
    from workflow.workspace.paths import Workspace

    panel = yaml.safe_load((DATA / "panel.yaml").read_text(encoding="utf-8"))
    panel["paper_max_mb"] = 1
    root = tmp_path / "small"
    init_workspace(root, panel_yaml=yaml.safe_dump(panel))
    big = docx_bytes(**{"word/media/scan.png": os.urandom(1_300_000)})
    (inbox / "big.docx").write_bytes(big)
    lines = refused(referral_with(inbox, referral_data, chronology="big.docx"), Workspace(root))
    assert lines == [
        f"referral.yaml: attachments.chronology: big.docx: is {len(big) / 2**20:.1f} MB; a paper "
        "may be at most 1 MB (panel.yaml: paper_max_mb)"
    ]


def test_one_meetings_papers_together_are_capped(workspace, inbox, referral_data):
    limits = PaperLimits(paper_bytes=10 * 2**20, pack_bytes=len(CHRONOLOGY.read_bytes()) + 10)
    referral = Referral.model_validate(
        {
            **referral_data,
            "attachments": {
                "chronology": "papers/chronology.docx",
                "risk_assessment": "papers/risk-assessment.pdf",
            },
        }
    )
    result = check_papers(referral, inbox / "referral.yaml", limits)
    assert [str(problem) for problem in result.problems] == [
        f"attachments: this referral's papers come to {result.total_bytes / 2**20:,.1f} MB; one "
        "meeting's papers may be at most 0 MB (panel.yaml: pack_papers_max_mb)"
    ]


def test_referral_add_refuses_a_meeting_whose_papers_would_exceed_the_pack_limit(
    tmp_path, inbox, referral_data
):
    from workflow.workspace.initialise import init_workspace
    from workflow.workspace.paths import Workspace

    panel = yaml.safe_load((DATA / "panel.yaml").read_text(encoding="utf-8"))
    panel["pack_papers_max_mb"] = 1
    root = tmp_path / "capped"
    init_workspace(root, panel_yaml=yaml.safe_dump(panel))
    workspace = Workspace(root)
    (inbox / "scan.docx").write_bytes(docx_bytes(**{"word/media/a.png": os.urandom(700_000)}))
    first = referral_with(inbox, referral_data, chronology="scan.docx")
    add_referral(workspace, first)
    referral_data["child"]["local_id"] = "LCS-999999"
    second = write_yaml(inbox / "second.yaml", referral_data)
    with pytest.raises(ReferralRejected, match="pack_papers_max_mb"):
        add_referral(workspace, second)
    assert case_rows(workspace) == 1
    assert sorted(p.name for p in workspace.cases_dir.iterdir()) == ["CCP-2027-001"]


# --- pack time: the stored copies, named by case ------------------------------------------------


def test_a_paper_damaged_after_acceptance_is_named_by_case_before_the_pack_is_built(
    workspace, inbox, runner
):
    """Before: 'LibreOffice did not write pack...pdf' naming no paper, or a pypdf traceback."""
    accepted = add_referral(workspace, inbox / "referral.yaml")
    stored = workspace.case_dir(accepted.case_id) / "attachments" / "risk-assessment.pdf"
    stored.write_bytes(b"%PDF-1.4 broken")
    result = runner.invoke(cli, ["-w", str(workspace.root), "pack", "2027-03-11", "--no-pdf"])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [
        "Error: CCP-2027-001: attachments.risk_assessment "
        "(cases/CCP-2027-001/attachments/risk-assessment.pdf): is an incomplete PDF "
        "(no end marker); send it again"
    ]
    assert not (workspace.meeting_output(accepted.meeting) / "pack-2027-03-11.docx").exists()


def test_a_stored_paper_replaced_by_a_link_is_refused_at_pack(tmp_path, workspace, inbox):
    accepted = add_referral(workspace, inbox / "referral.yaml")
    stored = workspace.case_dir(accepted.case_id) / "attachments" / "chronology.docx"
    stored.unlink()
    stored.symlink_to(CHRONOLOGY)
    with pytest.raises(PaperRefused, match="chronology.docx is a symbolic link"):
        build_pack(workspace, accepted.meeting, pdf=False)


def test_paper_suffix_needs_a_name_that_matches():
    assert paper_suffix(CHRONOLOGY.read_bytes(), "chronology.docx", PaperLimits()) == ".docx"
    assert paper_suffix(RISK_PDF.read_bytes(), "Risk Assessment.PDF", PaperLimits()) == ".pdf"
