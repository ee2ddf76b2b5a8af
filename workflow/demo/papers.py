"""The demo's papers: a short Word document standing for a chronology, risk assessment or
review report, plainly fictional."""

from __future__ import annotations

from pathlib import Path

from workflow.core.files import write_atomic


def write_paper(path: Path, title: str, lines: list[str]) -> None:
    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    document.add_paragraph("FICTIONAL DEMO DOCUMENT: every name and event is invented.")
    for line in lines:
        document.add_paragraph(line)
    write_atomic(path, document.save)
