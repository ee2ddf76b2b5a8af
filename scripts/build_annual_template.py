"""Build templates/annual-report.docx: the chair's annual report to the Board.

Called by scripts/build_templates.py (BUILDERS), which passes itself in as `base` so the
annual report shares the house styles, header, footer and table look of every template.
Each table of `workflow.report` is a block here: its title, the table (one row per row of
figures, the total in bold), how it is counted, and its chart where it has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

# Widths (cm) of the label column and each figure column, by number of figure columns;
# each row adds up to the 17 cm text width.
WIDTHS = {
    1: (11.0, (6.0,)),
    2: (9.0, (4.0, 4.0)),
    3: (8.0, (3.0, 3.0, 3.0)),
    4: (6.6, (2.6, 2.6, 2.6, 2.6)),
    6: (3.8, (2.2, 2.2, 2.2, 2.2, 2.2, 2.2)),
}

# (heading, introduction, [(figure columns, [table keys])]) in report order.
SECTIONS: list[tuple[str, str, list[tuple[int, list[str]]]]] = [
    (
        "Meetings and attendance",
        "The panel meets every two months (terms of reference, section 9). Senior members "
        "from each agency attend, or send apologies.",
        [(3, ["meetings"]), (4, ["attendance"])],
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


def build(path: Path, base: ModuleType) -> None:
    document = base.new_document("Annual report of the {{ panel.name }}, {{ year }}")
    _styles(document, base)
    base.page_header(document, "Annual report {{ year }}")
    base.page_footer(document, "Annual report {{ year }}")

    base.text(document, "Annual report to the Safeguarding Children Board", style="Title")
    base.text(document, "{{ panel.name }}", style="Panel name")
    base.text(document, "{{ period.start|uk_date }} to {{ period.end|uk_date }}", style="Period")
    base.text(
        document,
        "The chair's report on whether the panel is achieving its intended impact for the "
        "children referred to it, and on the safeguarding themes and gaps it has seen "
        "(terms of reference: the Board's oversight).",
    )
    base.text(
        document,
        "Figures are from the panel's register and recorded minutes on {{ as_of|uk_date }}. "
        "To protect the children, a number from 1 to {{ threshold - 1 }} is shown as "
        "\u201c{{ fewer_than }}\u201d, and a number that would let a reader work one out is "
        "\u201cnot shown\u201d; charts leave both out. Zero is shown as 0.",
        style="Note",
    )

    base.heading(document, "1. The year in figures")
    table = base._table(document, 2, (11.0, 6.0))
    base._fill(table.rows[0].cells[0], "{%tr for s in summary %}", "Table text")
    base._fill(table.rows[1].cells[0], "{{ s.label }}", "Table label", base.LABEL_FILL)
    base._fill(table.rows[1].cells[1], "{{ s.value }}", "Figure")
    _add_row(table, "{%tr endfor %}", base)
    base._keep_on_one_page(table, last=1)

    for number, (title, intro, blocks) in enumerate(SECTIONS, start=2):
        base.heading(document, f"{number}. {title}")
        base.text(document, intro, style="Section intro")
        for columns, keys in blocks:
            _table_block(document, base, columns, keys)
        if title.startswith("Time from referral"):
            base.tag(document, "if median_wait is not none")
            base.text(
                document,
                "Half the children waited {{ median_wait }} days or fewer (the median).",
            )
            base.tag(document, "endif")

    base.heading(document, "About these figures")
    base.text(
        document,
        "Every table, with a note on how each figure is counted, is also in the workbook "
        "annual-{{ year }}.xlsx that accompanies this report.",
    )
    base.text(document, "{{ chair.name }}", style="Sign-off")
    base.text(document, "{{ chair.role }}, Chair of the {{ panel.name }}")
    base.save(document, path)


def _table_block(document: object, base: ModuleType, columns: int, keys: Sequence[str]) -> None:
    """Each listed table: title, figures, how counted, chart; or a line saying none."""
    listed = ", ".join(f"tables.{key}" for key in keys)
    base.tag(document, f"for t in [{listed}]")
    base.heading(document, "{{ t.title }}", level=2)
    base.tag(document, "if t.rows")
    label_width, widths = WIDTHS[columns]
    table = base._table(document, 1, (label_width, *widths))
    header = table.rows[0]
    base._repeat_as_header(header)
    base._fill(header.cells[0], "{{ t.label }}", "Table heading", base.HEADER_FILL)
    for index, cell in enumerate(header.cells[1:]):
        base._fill(cell, f"{{{{ t.columns[{index}] }}}}", "Figure heading", base.HEADER_FILL)
    _add_row(table, "{%tr for r in t.rows %}", base)
    _add_row(table, "{%tr if r.total %}", base)
    # Six figures a row only fit at a smaller size ("fewer than 5" on one line).
    small = " small" if columns > 4 else ""
    _figures_row(table, base, columns, "Total label", f"Total figure{small}")
    _add_row(table, "{%tr else %}", base)
    _figures_row(table, base, columns, "Table text", f"Figure{small}")
    _add_row(table, "{%tr endif %}", base)
    _add_row(table, "{%tr endfor %}", base)
    # A table of figures stays on one page with its heading and the note under it.
    base._keep_on_one_page(table, last=len(table.rows))
    base.text(document, "{{ t.note }}", style="Note")
    base.tag(document, "if t.chart")
    base.text(document, "{{ t.chart }}", style="Chart")
    base.tag(document, "endif")
    base.tag(document, "else")
    base.text(document, "None in this period.", style="Note")
    base.tag(document, "endif")
    base.tag(document, "endfor")


def _add_row(table: object, content: str, base: ModuleType) -> object:
    row = table.add_row()
    base._keep_together(row)
    base._fill(row.cells[0], content, "Table text")
    return row


def _figures_row(table: object, base: ModuleType, columns: int, label: str, figure: str) -> None:
    row = table.add_row()
    base._keep_together(row)
    base._fill(row.cells[0], "{{ r.label }}", label)
    for index in range(columns):
        base._fill(row.cells[index + 1], f"{{{{ r.cells[{index}] }}}}", figure)


def _styles(document: object, base: ModuleType) -> None:
    period = base._paragraph_style(document, "Period", base="Panel name")
    period.font.size = Pt(12)
    period.font.bold = True
    period.paragraph_format.space_after = Pt(12)

    figure = base._paragraph_style(document, "Figure", base="Table text")
    figure.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    heading = base._paragraph_style(document, "Figure heading", base="Table heading")
    heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    total = base._paragraph_style(document, "Total label", base="Table label")
    total.font.color.rgb = None
    total_figure = base._paragraph_style(document, "Total figure", base="Figure")
    total_figure.font.bold = True
    for name, parent in (("Figure small", "Figure"), ("Total figure small", "Total figure")):
        base._paragraph_style(document, name, base=parent).font.size = Pt(8.5)

    intro = base._paragraph_style(document, "Section intro")
    intro.paragraph_format.keep_with_next = True

    chart = base._paragraph_style(document, "Chart")
    chart.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    chart.paragraph_format.space_before = Pt(6)
    chart.paragraph_format.space_after = Pt(10)
    chart.paragraph_format.keep_together = True

    sign_off = base._paragraph_style(document, "Sign-off")
    sign_off.font.bold = True
    sign_off.paragraph_format.space_before = Pt(24)
    sign_off.paragraph_format.space_after = Pt(0)
    document.styles["Note"].paragraph_format.space_before = Pt(3)
