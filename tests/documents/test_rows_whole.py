"""No table row breaks across a page: an action's text and its due date stay together."""

from __future__ import annotations

import copy
import subprocess
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from docx.oxml.ns import qn
from helpers import accept_two, complete_draft, copy_of
from lxml import etree

from workflow.core.dates import as_of, uk_date
from workflow.documents.oxml import rows_kept_whole
from workflow.meetings.minutes import draft_minutes
from workflow.meetings.recording import record_minutes
from workflow.meetings.signing import sign_minutes

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def rows_that_may_split(docx: Path) -> list[str]:
    """The text of every table row (in any part) without w:cantSplit."""
    found = []
    with zipfile.ZipFile(docx) as archive:
        for name in archive.namelist():
            if not (name.startswith("word/") and name.endswith(".xml")):
                continue
            root = etree.fromstring(archive.read(name))
            for row in root.iter(f"{W}tr"):
                if row.find(f"{W}trPr/{W}cantSplit") is None:
                    found.append("".join(row.itertext())[:60])
    return found


def test_rows_kept_whole_puts_cant_split_in_schema_order() -> None:
    document = Document()
    table = document.add_table(rows=3, cols=1)
    first, second, third = (row._tr for row in table.rows)
    # A row with a header flag and a grid offset, one already whole, one with no trPr.
    properties = second.get_or_add_trPr()
    properties.append(properties.makeelement(qn("w:gridBefore"), {qn("w:val"): "1"}))
    properties.append(properties.makeelement(qn("w:tblHeader"), {}))
    third.get_or_add_trPr().append(third.makeelement(qn("w:cantSplit"), {}))

    assert rows_kept_whole(document) == 2
    assert rows_kept_whole(document) == 0  # once only

    assert [child.tag for child in first.trPr] == [qn("w:cantSplit")]
    assert [child.tag for child in second.trPr] == [
        qn("w:gridBefore"),
        qn("w:cantSplit"),
        qn("w:tblHeader"),
    ]
    assert len(third.trPr.findall(qn("w:cantSplit"))) == 1
    assert first.index(first.trPr) == 0


@pytest.mark.slow
@pytest.mark.libreoffice
def test_every_row_of_every_demo_document_is_kept_whole(
    built_demo: Path, tmp_path: Path, runner: Any
) -> None:
    from workflow.cli import cli

    root = copy_of(built_demo, tmp_path)
    blank = tmp_path / "referral-form.docx"
    progress = tmp_path / "progress-form.docx"
    assert (
        runner.invoke(
            cli, ["-w", str(root), "referral", "template", "--format", "docx", str(blank)]
        ).exit_code
        == 0
    )
    # The first case still open gets a progress form (a closed case cannot report).
    for case in sorted((root / "cases").glob("CCP-*")):
        command = ["progress", "template", case.name, "--format", "docx", str(progress)]
        if runner.invoke(cli, ["-w", str(root), *command]).exit_code == 0:
            break
    assert progress.is_file()
    made = [*(root / "output").rglob("*.docx"), *(root / "cases").glob("*/progress/*.docx")]
    documents = [path for path in made if "received" not in path.name] + [blank, progress]
    kinds = {path.stem.split("-")[0] for path in documents}
    # The signed minutes, extracts, agendas, packs, referrals, reports, forms, annual report.
    assert {"minutes", "agenda", "pack", "annual", "progress", "referral"} <= kinds, kinds
    assert any("extract" in path.name for path in documents)
    split = {
        str(path.relative_to(tmp_path)): rows
        for path in documents
        if (rows := rows_that_may_split(path))
    }
    assert split == {}


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [" ".join(page.split()) for page in text.split("\f")]


LONG_ACTION = (
    "Convene a multi-agency meeting on the {n} exploitation concerns with the school, the "
    "youth offending service and the housing provider, and agree who visits the family "
    "home each week and how missing episodes are reported between the agencies"
)


@pytest.mark.libreoffice
def test_an_action_and_its_due_date_share_a_page_in_the_signed_minutes(
    workspace: Any, inbox: Path, referral_data: dict[str, Any], tmp_path: Path
) -> None:
    accept_two(workspace, inbox, referral_data)
    actions = [
        {
            "description": LONG_ACTION.format(n=f"item-{n:02d}") + " extra words" * (n % 5),
            "agency": "Children's social care",
            "owner": "Morgan Pretend",
            "due": date(2027, 3, 25) + timedelta(days=n),
        }
        for n in range(18)
    ]
    with as_of(date(2027, 3, 12)):
        draft_minutes(workspace, date(2027, 3, 11))
        draft = workspace.root / "meetings" / "2027-03-11" / "minutes.yaml"
        done = complete_draft(draft, tmp_path / "done.yaml")
        record = yaml.safe_load(done.read_text(encoding="utf-8"))
        for case in record["cases"]:
            case["actions"] = copy.deepcopy(actions)
        done.write_text(yaml.safe_dump(record), encoding="utf-8")
        record_minutes(workspace, done)
        signed = sign_minutes(workspace, date(2027, 3, 11), "Alex Sample")
    [pdf] = [path for path in signed.written if path.name == "minutes-2027-03-11-v1.pdf"]
    pages = pdf_pages(pdf)
    assert len(pages) > 3
    checked = 0
    for action in actions:
        head = f"item-{action['description'].split('item-')[1][:2]} exploitation"
        due = uk_date(action["due"])
        for number, page in enumerate(pages, start=1):
            if head in page:
                checked += 1
                tail = "between the agencies"
                assert due in page, f"{head}: due {due} not on page {number}"
                assert tail in page.split(head, 1)[1], f"{head}: text runs on past page {number}"
    assert checked == 2 * len(actions)  # each case's table
