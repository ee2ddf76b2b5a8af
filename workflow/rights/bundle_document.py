"""The subject access bundle as a document: a cover with the statutory dates, then each part
of what is held, in the house style; converted to a tagged PDF/A."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from workflow.core import files
from workflow.core.dates import today, uk_date
from workflow.core.errors import ConversionFailed

LABEL_CM, VALUE_CM = 5.0, 12.0


def write_bundle_pdf(
    target: Path,
    *,
    title: str,
    case_id: str,
    panel: Any,
    received: date,
    due: date,
    sections: list[Any],
    mode: int,
) -> Path:
    """Write the bundle's PDF (tagged PDF/A-2b) at ``target``; the Word file is not kept."""
    from workflow.documents.house_style import (
        LABEL_FILL,
        fill,
        grid_table,
        new_document,
        page_footer,
        page_header,
    )
    from workflow.documents.pdf import convert

    created = datetime.combine(today(), datetime.min.time())
    document = new_document(title, created=created, subject="Subject access")
    document.core_properties.author = ""
    page_header(document, "Subject access", marking=panel.protective_marking, panel=panel.name)
    page_footer(document, case_id, marking=panel.protective_marking)

    document.add_paragraph(title, style="Title")
    document.add_paragraph(panel.name, style="Panel name")
    document.add_paragraph(
        "Everything the panel holds about you: your referral, the panel's discussions and "
        "decisions about you, the actions agreed, progress reports, and who your information "
        "was sent to. The files themselves are in the folder source-files beside this PDF.",
        style="Intro",
    )
    cover = [
        ("Request received", uk_date(received)),
        ("Response due (one month)", uk_date(due)),
        ("An extension notice must go by", uk_date(due)),
        ("Bundle prepared", uk_date(today())),
        ("Case ID", case_id),
    ]
    _label_table(document, cover, grid_table, fill, LABEL_FILL)
    document.add_paragraph(
        "The response is due one calendar month after the request is received (UK GDPR "
        "Art. 12(3)). Where the request is complex, the time may be extended by up to two "
        "further months: the requester must be told, with the reasons, within the first month.",
        style="Note",
    )
    for section in sections:
        document.add_paragraph(section.title, style="Heading 1")
        if section.note:
            document.add_paragraph(section.note, style="Note")
        if section.lines:
            _label_table(document, section.lines, grid_table, fill, LABEL_FILL)
        for subtitle, lines in section.groups:
            document.add_paragraph(subtitle, style="Heading 2")
            _label_table(document, lines, grid_table, fill, LABEL_FILL)
        for header, rows in section.tables:
            if not rows:
                continue
            if len(header) > 4:
                # A register row has too many columns for a page: one label table per row.
                for values in rows:
                    _label_table(
                        document,
                        list(zip(header, values, strict=True)),
                        grid_table,
                        fill,
                        LABEL_FILL,
                    )
                    document.add_paragraph("", style="Note")
                continue
            width = 17.0 / len(header)
            table = grid_table(document, len(rows) + 1, [width] * len(header))
            for cell, text in zip(table.rows[0].cells, header, strict=True):
                fill(cell, text, "Table heading", LABEL_FILL)
            for row, values in zip(table.rows[1:], rows, strict=True):
                for cell, text in zip(row.cells, values, strict=True):
                    fill(cell, text, "Table text")
            document.add_paragraph("", style="Note")
    with tempfile.TemporaryDirectory(prefix="ccp-export-") as work:
        source = Path(work) / f"{Path(target).stem}.docx"
        document.save(str(source))
        made = convert([source], Path(work) / "pdf", pdfa=True, title=title)[0]
        if not made.is_file():
            raise ConversionFailed(f"LibreOffice did not write {target.name}")
        files.write_bytes(target, made.read_bytes(), mode=mode)
    return Path(target)


def _label_table(document: Any, lines: list[tuple[str, str]], grid_table, fill, shade) -> None:
    table = grid_table(document, len(lines), [LABEL_CM, VALUE_CM])
    for row, (label, value) in zip(table.rows, lines, strict=True):
        fill(row.cells[0], label, "Table label", shade)
        fill(row.cells[1], value, "Table text")
