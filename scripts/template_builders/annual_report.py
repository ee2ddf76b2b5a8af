"""templates/annual-report.docx: the chair's annual report to the Board.

Each table of `workflow.reports.annual` is a block here: its title, the table (one row per row of
figures, the total in bold), how it is counted, and its chart where it has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from workflow.documents.house_style import (
    HEADER_FILL,
    LABEL_FILL,
    fill,
    grid_table,
    keep_on_one_page,
    paragraph_style,
)
from workflow.documents.oxml import keep_together, repeat_as_header

from .house import (
    heading,
    new_document,
    page_footer,
    page_header,
    save,
    statement,
    tag,
    text,
)

# Widths (cm) of the label column and each figure column, by number of figure columns;
# each row adds up to the 17 cm text width.
WIDTHS = {
    1: (11.0, (6.0,)),
    2: (9.0, (4.0, 4.0)),
    3: (8.0, (3.0, 3.0, 3.0)),
    4: (6.6, (2.6, 2.6, 2.6, 2.6)),
    6: (3.8, (2.2, 2.2, 2.2, 2.2, 2.2, 2.2)),
}

STILL_TO_WRITE = (
    "Draft: the chair's commentary, the panel's impact for children and its "
    "recommendations to the Board are still to be written."
)

# (heading, introduction, [(figure columns, [table keys])]) in report order.
SECTIONS: list[tuple[str, str, list[tuple[int, list[str]]]]] = [
    (
        "Meetings and attendance",
        "The panel meets every two months (terms of reference, section 9). Senior members "
        "from each agency attend, or send apologies. After each meeting its decisions, draft "
        "minutes and signed minutes are due within the panel's targets.",
        [(3, ["meetings"]), (4, ["attendance", "minutes_on_time"])],
    ),
    (
        "Referrals",
        "Who referred children to the panel, when, and which of the panel's criteria they met.",
        [(1, ["referrals_by_month", "referrals_by_agency", "criteria"])],
    ),
    (
        "The children referred",
        "Their age, legal status and where they were living when referred.",
        [(1, ["age_bands", "legal_status", "living_situation", "out_of_area"])],
    ),
    (
        "Risk",
        "The level of risk when each child was referred, against the level the panel last agreed.",
        [(2, ["risk"])],
    ),
    (
        "Actions",
        "Actions agreed by named agencies to unblock progress (terms of reference, section 12).",
        [(6, ["actions"]), (3, ["cancelled"])],
    ),
    (
        "Resources",
        "In-principle and confirmed agreements on resources and shared funding.",
        [(4, ["resources"])],
    ),
    (
        "Escalations to the Safeguarding Partnership",
        "Children the panel escalated for a formal practice review.",
        [(1, ["escalations"])],
    ),
    (
        "Service gaps and themes",
        "Themes and gaps in practice or commissioning the panel saw in children's cases.",
        [(2, ["themes"])],
    ),
    (
        "Progress reports",
        "Reports back to the panel on cases it discussed (terms of reference, section 14).",
        [(1, ["progress"])],
    ),
    (
        "Cases closed",
        "Cases the panel closed in the period, and why.",
        [(1, ["closures", "closure_reasons"])],
    ),
    (
        "Time from referral to first discussion",
        "How long children waited from their referral to the panel's first discussion.",
        [(1, ["time_to_discussion"])],
    ),
]


def build(path: Path) -> None:
    document = new_document("Annual report of the {{ panel.name }}, {{ year_label }}")
    _styles(document)
    page_header(document, "Annual report {{ year_label }}")
    page_footer(document, "Annual report {{ year_label }}")

    text(
        document, "Annual report {{ year_label }} to the Safeguarding Children Board", style="Title"
    )
    text(document, "{{ panel.name }}", style="Panel name")
    text(document, "{{ period.start|uk_date }} to {{ period.end|uk_date }}", style="Period")
    text(
        document,
        "The chair's report on whether the panel is achieving its intended impact for the "
        "children referred to it, and on the safeguarding themes and gaps it has seen "
        "(terms of reference: the Board's oversight).",
    )
    text(
        document,
        "Figures are from the panel's register and recorded minutes on {{ as_of|uk_date }}. "
        "To protect the children, a number from 1 to {{ threshold - 1 }} is shown as "
        "\u201c{{ fewer_than }}\u201d, and a number that would let a reader work one out is "
        "\u201cnot shown\u201d; charts leave both out. Zero is shown as 0.",
        style="Note",
    )

    heading(document, "The chair's commentary")
    statement(document, "if commentary")
    statement(document, "for para in commentary.commentary")
    text(document, "{{ para }}")
    statement(document, "endfor")
    heading(document, "Impact for children", level=2)
    statement(document, "for para in commentary.impact")
    text(document, "{{ para }}")
    statement(document, "endfor")
    statement(document, "else")
    text(document, STILL_TO_WRITE, style="Still to write")
    statement(document, "endif")

    heading(document, "1. The year in figures")
    table = grid_table(document, 2, (11.0, 6.0))
    fill(table.rows[0].cells[0], "{%tr for s in summary %}", "Table text")
    fill(table.rows[1].cells[0], "{{ s.label }}", "Table label", LABEL_FILL)
    fill(table.rows[1].cells[1], "{{ s.value }}", "Number")
    _add_row(table, "{%tr endfor %}")
    keep_on_one_page(table, last=1)

    for number, (title, intro, blocks) in enumerate(SECTIONS, start=2):
        heading(document, f"{number}. {title}")
        text(document, intro, style="Section intro")
        for columns, keys in blocks:
            _table_block(document, columns, keys)
        if title.startswith("Service gaps"):
            statement(document, "if commentary and commentary.themes")
            heading(document, "The chair on these themes", level=2)
            statement(document, "for th in commentary.themes")
            text(document, "{{ th.theme }}", style="Theme")
            statement(document, "for para in th.comment")
            text(document, "{{ para }}")
            statement(document, "endfor")
            statement(document, "endfor")
            statement(document, "endif")
        if title.startswith("Time from referral"):
            statement(document, "if median_wait is not none")
            text(
                document,
                "Half the children waited {{ median_wait }} days or fewer (the median).",
            )
            statement(document, "endif")

    heading(document, "Recommendations to the Board")
    statement(document, "if commentary")
    statement(document, "for rec in commentary.recommendations")
    text(document, "{{ rec.recommendation }}", style="List Number")
    statement(document, "if rec.owner or rec.by")
    text(
        document,
        "{% if rec.owner %}For: {{ rec.owner }}{% endif %}"
        "{% if rec.owner and rec.by %}; {% endif %}"
        "{% if rec.by %}by {{ rec.by }}{% endif %}",
        style="Recommendation owner",
    )
    statement(document, "endif")
    statement(document, "endfor")
    statement(document, "else")
    text(document, STILL_TO_WRITE, style="Still to write")
    statement(document, "endif")

    heading(document, "About these figures")
    text(
        document,
        "Every table, with a note on how each figure is counted, is also in the workbook "
        "{{ workbook }} that accompanies this report.",
    )
    text(document, "{{ chair.name }}", style="Sign-off")
    text(document, "{{ chair.role }}, Chair of the {{ panel.name }}")
    save(document, path)


def _table_block(document: object, columns: int, keys: Sequence[str]) -> None:
    """Each listed table: title, figures, how counted, chart; or a line saying none."""
    listed = ", ".join(f"tables.{key}" for key in keys)
    statement(document, f"for t in [{listed}]")
    heading(document, "{{ t.title }}", level=2)
    statement(document, "if t.rows")
    label_width, widths = WIDTHS[columns]
    table = grid_table(document, 1, (label_width, *widths))
    header = table.rows[0]
    repeat_as_header(header)
    fill(header.cells[0], "{{ t.label }}", "Table heading", HEADER_FILL)
    for index, cell in enumerate(header.cells[1:]):
        fill(cell, tag(f"t.columns[{index}]"), "Number heading", HEADER_FILL)
    _add_row(table, "{%tr for r in t.rows %}")
    _add_row(table, "{%tr if r.total %}")
    # Six figures a row only fit at a smaller size ("fewer than 5" on one line).
    small = " small" if columns > 4 else ""
    _figures_row(table, columns, "Total label", f"Total number{small}")
    _add_row(table, "{%tr else %}")
    _figures_row(table, columns, "Table text", f"Number{small}")
    _add_row(table, "{%tr endif %}")
    _add_row(table, "{%tr endfor %}")
    # A table of figures stays on one page with its heading, its chart and its note.
    keep_on_one_page(table, last=len(table.rows))
    statement(document, "if t.chart")
    text(document, "Chart: {{ t.title }}", style="Chart title")
    text(document, "{{ t.chart }}", style="Chart")
    statement(document, "endif")
    text(document, "{{ t.note }}", style="Note")
    statement(document, "else")
    text(document, "None in this period.", style="Note")
    statement(document, "endif")
    statement(document, "endfor")


def _add_row(table: object, content: str) -> object:
    row = table.add_row()
    keep_together(row)
    fill(row.cells[0], content, "Table text")
    return row


def _figures_row(table: object, columns: int, label: str, figure: str) -> None:
    row = table.add_row()
    keep_together(row)
    fill(row.cells[0], "{{ r.label }}", label)
    for index in range(columns):
        fill(row.cells[index + 1], tag(f"r.cells[{index}]"), figure)


def _styles(document: object) -> None:
    period = paragraph_style(document, "Period", base="Panel name")
    period.font.size = Pt(12)
    period.font.bold = True
    period.paragraph_format.space_after = Pt(12)

    # Not "Figure": LibreOffice tags a paragraph of a style by that name as a /Figure (an
    # image) in the PDF, so a screen reader would announce every number as a picture.
    number = paragraph_style(document, "Number", base="Table text")
    number.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    heading = paragraph_style(document, "Number heading", base="Table heading")
    heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    total = paragraph_style(document, "Total label", base="Table label")
    total.font.color.rgb = None
    total_number = paragraph_style(document, "Total number", base="Number")
    total_number.font.bold = True
    for name, parent in (("Number small", "Number"), ("Total number small", "Total number")):
        paragraph_style(document, name, base=parent).font.size = Pt(8.5)

    caption = paragraph_style(document, "Chart title")
    caption.font.bold = True
    caption.paragraph_format.space_before = Pt(8)
    caption.paragraph_format.keep_with_next = True

    draft = paragraph_style(document, "Still to write")
    draft.font.italic = True
    theme = paragraph_style(document, "Theme")
    theme.font.bold = True
    theme.paragraph_format.keep_with_next = True
    theme.paragraph_format.space_before = Pt(6)
    owner = paragraph_style(document, "Recommendation owner")
    owner.paragraph_format.left_indent = Pt(18)
    owner.font.italic = True

    intro = paragraph_style(document, "Section intro")
    intro.paragraph_format.keep_with_next = True

    chart = paragraph_style(document, "Chart")
    chart.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    chart.paragraph_format.space_before = Pt(6)
    chart.paragraph_format.space_after = Pt(10)
    chart.paragraph_format.keep_together = True
    # The note under the table comes after its chart: table, chart and note stay together.
    chart.paragraph_format.keep_with_next = True

    sign_off = paragraph_style(document, "Sign-off")
    sign_off.font.bold = True
    sign_off.paragraph_format.space_before = Pt(24)
    sign_off.paragraph_format.space_after = Pt(0)
    sign_off.paragraph_format.keep_with_next = True  # the chair's name with their role
    document.styles["Note"].paragraph_format.space_before = Pt(3)
