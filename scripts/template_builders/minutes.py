"""templates/minutes.docx and minutes-extract.docx: the minutes (the note-taker's draft
and the signed record, one template) and one child's extract for their key worker.

Both share `case_minutes`: one case as the panel decided it, under the headings of ToR
section 12.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.shared import Cm, Length, Pt, RGBColor
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph

from workflow.documents.house_style import (
    RULE,
    TEXT_CM,
    fill,
    grid_table,
    keep_on_one_page,
    paragraph_style,
)
from workflow.documents.oxml import box, repeat_as_header, rule_above

from .house import (
    HEADER_FILL,
    WRITE_IN_ROW,
    Column,
    bullets,
    heading,
    label_table,
    list_table,
    new_document,
    page_footer,
    page_header,
    save,
    statement,
    summary_table,
    tag,
    text,
    write_in_height,
)

WRITE_IN_REASON = Cm(1.6)  # two handwritten lines
WRITE_IN_LINE = 0.8  # cm of box per handwritten line
BOX = "\u2610"  # a tick box on the note-taker's draft
DRAFT_RED = RGBColor(0xC0, 0x00, 0x00)
NOTHING = "Nothing recorded."  # minutes never say "None": on the draft it would read as data
RISK_LEVELS = ("Low", "Medium", "High", "Very high")
TICK_FORMAT = f"{BOX} In writing    {BOX} In person"
VERSION = tag('(", version " ~ version) if version else " (draft)"')


def _middle(row: _Row) -> None:
    for cell in row.cells:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def write_in(document: DocumentObject, lines: int) -> Table:
    """An empty box, about `lines` handwritten lines tall, for the note-taker's draft."""
    table = grid_table(document, 1, [TEXT_CM])
    fill(table.rows[0].cells[0], "", "Table text")
    write_in_height(table.rows[0], Cm(WRITE_IN_LINE * lines))
    return table


def record_table(document: DocumentObject, columns: Sequence[Column], *, draft: bool) -> Table:
    """Column headings over one row of values (a record that is not a list).

    `draft`: on the note-taker's draft the row is tall enough to write in by hand.
    """
    rows = ["if draft", "values", "else", "values", "endif"] if draft else ["values"]
    table = grid_table(document, 1 + len(rows), [column.width for column in columns])
    repeat_as_header(table.rows[0])
    for cell, column in zip(table.rows[0].cells, columns, strict=True):
        fill(cell, column.title, "Table heading", HEADER_FILL)
    for row, kind in zip(table.rows[1:], rows, strict=True):
        if kind != "values":
            fill(row.cells[0], f"{{%tr {kind} %}}", "Table text")
            continue
        for cell, column in zip(row.cells, columns, strict=True):
            fill(cell, column.value, "Table text")
    if draft:
        _roomy(table, 2)
    keep_on_one_page(table, last=len(table.rows) - 1)
    return table


@dataclass(frozen=True)
class Decision:
    """A label-and-value row of a case's decisions; `write_in`: tall on the draft."""

    label: str
    value: str
    write_in: Length | None = None


def decision_table(
    document: DocumentObject, rows: Sequence[Decision | str], *, draft: bool, keep: bool = False
) -> Table:
    """A label table whose `write_in` rows are tall on the draft and plain on the record.

    `keep`: keep the table with the paragraph after it (the signature after the last one).
    """
    expanded: list[tuple[str, str] | str] = []
    tall: dict[int, Length] = {}
    for row in rows:
        if isinstance(row, str):
            expanded.append(row)
        elif draft and row.write_in:
            expanded.append("if draft")
            tall[len(expanded)] = row.write_in
            expanded += [(row.label, row.value), "else", (row.label, row.value), "endif"]
        else:
            expanded.append((row.label, row.value))
    table = label_table(document, expanded)
    for index, height in tall.items():
        _roomy(table, index, height=height)
    if keep:
        keep_on_one_page(table, last=len(table.rows))
    return table


def _roomy(table: Table, *rows: int, height: Length = WRITE_IN_ROW) -> None:
    """Rows a hand can write in on the draft; their short values sit in the middle."""
    for index in rows:
        write_in_height(table.rows[index], height)
        _middle(table.rows[index])


def signature(document: DocumentObject) -> Paragraph:
    """The chair's signature line: the last paragraph of signed minutes and extracts."""
    return text(
        document,
        f"Signed as a true record by {tag('signed.name')}, {tag('signed.role')}, "
        f"{tag('signed.date|uk_date')}",
        style="Signature",
    )


def minutes_styles(document: DocumentObject) -> None:
    draft = paragraph_style(document, "Draft notice")
    draft.font.bold = True
    draft.font.size = Pt(12)
    draft.font.color.rgb = DRAFT_RED
    draft.paragraph_format.space_before = Pt(4)
    draft.paragraph_format.space_after = Pt(4)
    draft.paragraph_format.keep_with_next = True
    box(draft.element.get_or_add_pPr(), "C00000", size=8)

    header_draft = paragraph_style(document, "Draft mark", base="Page header")
    header_draft.font.bold = True
    header_draft.font.size = Pt(10)
    header_draft.font.color.rgb = DRAFT_RED

    signed = paragraph_style(document, "Signature")
    signed.font.bold = True
    signed.paragraph_format.space_before = Pt(24)
    signed.paragraph_format.keep_together = True
    rule_above(signed.element.get_or_add_pPr(), RULE, size=6)

    page_break = paragraph_style(document, "Page break")
    page_break.font.size = Pt(1)
    page_break.paragraph_format.space_after = Pt(0)
    page_break.paragraph_format.line_spacing = 1.0

    notice = paragraph_style(document, "Notice", base="Note")
    notice.paragraph_format.space_before = Pt(6)

    level = paragraph_style(document, "Minute line")
    level.paragraph_format.space_after = Pt(4)
    level.paragraph_format.keep_with_next = True


def minute_text(
    document: DocumentObject,
    label: str | None,
    value: str,
    *,
    draft: bool,
    empty: str = NOTHING,
    lines: int = 3,
    keep: bool = False,
) -> None:
    """A label and what was typed; on the draft, a box to write in while it is blank.

    `keep`: keep the text with the paragraph after it (the signature after the last one).
    """
    if label:
        text(document, label, style="Field label")
    statement(document, f"if {value}")
    typed = text(document, tag(value))
    if draft:
        statement(document, "elif draft")
        write_in(document, lines)
    statement(document, "else")
    none = text(document, empty, style="Note")
    statement(document, "endif")
    if keep:
        typed.paragraph_format.keep_with_next = none.paragraph_format.keep_with_next = True


def _choice(boxes: Sequence[str], value: str, *, draft: bool, when: str = "draft") -> str:
    """Tick boxes on the draft (while `when` holds), the decision in words otherwise."""
    if not draft:
        return tag(value)
    ticks = "    ".join(f"{BOX} {option}" for option in boxes)
    return tag(f'"{ticks}" if {when} else {value}')


def actions_table(document: DocumentObject, actions: str, *, draft: bool) -> None:
    """Actions by named agencies and professionals with timescales (ToR 12)."""
    list_table(
        document,
        f"a in {actions} if a.description",
        [
            # The register's action ID, the one the agenda and reminders quote.
            Column("Action ID", tag('a.action_id|default("")'), 3.1),
            Column("Action", tag("a.description"), 5.3),
            Column("Agency", tag("a.agency"), 3.0),
            Column("Owner", tag("a.owner"), 2.9),
            Column("Due", tag("a.due|uk_date"), 2.7),
        ],
        empty="No actions agreed.",
        show_if=f"draft or {actions}" if draft else None,
        blank_rows=(3, "draft") if draft else None,
    )


def case_minutes(document: DocumentObject, c: str, number: str, *, draft: bool) -> None:
    """One case as the panel decided it, under the headings of ToR section 12.

    The minutes and the key worker's extract share this block. `draft`: the template
    also renders the note-taker's draft (its `draft` is true, nearly every value blank),
    so a blank value gets a box or tick boxes to fill in rather than nothing.
    """
    if draft:
        # Each case starts a page of the note-taker's draft; the record runs on.
        statement(document, "if draft")
        document.add_paragraph(style="Page break").add_run().add_break(WD_BREAK.PAGE)
        statement(document, "endif")
    heading(document, f"{number}Case {tag(f'{c}.case_id')}: {tag(f'{c}.kind|words')}")
    decision_table(
        document,
        [Decision("Presented by", tag(f"{c}.presented_by"), WRITE_IN_ROW)],
        draft=draft,
        keep=True,
    )

    minute_text(document, "Discussion", f"{c}.discussion", draft=draft, lines=8)

    text(document, "Agreed risk level and rationale", style="Field label")
    line = document.add_paragraph(style="Minute line")
    line.add_run("Agreed risk level: ")
    if draft:
        boxes = "    ".join(f"{BOX} {level}" for level in RISK_LEVELS)
        before = tag(
            f'("    (before the meeting: " ~ ({c}.risk_level|words) ~ ")") '
            f'if {c}.risk_level else ""'
        )
        line.add_run(
            f"{{% if draft %}}{boxes}{before}{{% else %}}{tag(f'{c}.risk_level|words')}"
            "{% endif %}"
        ).bold = True
    else:
        line.add_run(tag(f"{c}.risk_level|words")).bold = True
    minute_text(document, None, f"{c}.risk_rationale", draft=draft, lines=3)

    text(document, "Accountable senior manager", style="Field label")
    manager = f"{c}.accountable_manager"
    record_table(
        document,
        [
            Column("Name", tag(f"{manager}.name"), 5.0),
            Column("Role", tag(f"{manager}.role"), 6.0),
            Column("Agency", tag(f"{manager}.agency"), 6.0),
        ],
        draft=draft,
    )

    minute_text(document, "Risk management plan", f"{c}.risk_management_plan", draft=draft, lines=6)
    minute_text(document, "Contingencies", f"{c}.contingencies", draft=draft, lines=4)

    text(document, "Actions", style="Field label")
    actions_table(document, f"{c}.actions", draft=draft)

    text(document, "Resources (in principle or confirmed)", style="Field label")
    list_table(
        document,
        f"r in {c}.resources",
        [
            Column("Agency", tag("r.agency"), 3.4),
            Column("Resource", tag("r.description"), 7.4),
            Column(
                "Amount", tag('"£{:,.2f}".format(r.amount) if r.amount is not none else ""'), 2.8
            ),
            Column(
                "Agreement",
                tag('"Confirmed" if r.confirmed else "In principle"'),
                3.4,
                blank=f"{BOX} In principle\n{BOX} Confirmed" if draft else "",
            ),
        ],
        empty="No resources agreed.",
        show_if=f"draft or {c}.resources" if draft else None,
        blank_rows=(2, "draft") if draft else None,
    )

    minute_text(document, "Communication", f"{c}.communication", draft=draft, lines=3)
    minute_text(document, "Monitoring", f"{c}.monitoring", draft=draft, lines=3)

    text(document, "Progress report", style="Field label")
    report = f"{c}.progress_report"
    statement(document, f"if {report}")
    decision_table(
        document,
        [
            Decision(
                "Report to the panel",
                tag(f'{report}.format|words if {report}.format else "{TICK_FORMAT}"')
                if draft
                else tag(f"{report}.format|words"),
            ),
            Decision("Due at the panel of", tag(f"{report}.due_meeting|uk_date"), WRITE_IN_ROW),
        ],
        draft=draft,
    )
    statement(document, "else")
    text(document, "No further progress report is required.", style="Note")
    statement(document, "endif")

    text(document, "Escalation to the Safeguarding Partnership", style="Field label")
    escalate = f"{c}.escalate_to_partnership"
    decision_table(
        document,
        [
            Decision(
                "Escalate for a practice review",
                _choice(("Yes", "No"), f"{escalate}|yesno", draft=draft),
            ),
            f"if {escalate} or {c}.escalation_reason" + (" or draft" if draft else ""),
            Decision("Reason", tag(f"{c}.escalation_reason"), WRITE_IN_REASON),
            "endif",
        ],
        draft=draft,
    )

    text(document, "Themes (service gaps seen)", style="Field label")

    def themes_box(document: DocumentObject) -> None:
        statement(document, "elif draft")
        write_in(document, 2)

    bullets(
        document,
        f"t in {c}.themes",
        tag("t|words"),
        empty="No themes recorded.",
        otherwise=themes_box if draft else None,
    )

    text(document, "Case closure", style="Field label")
    close = f"{c}.close_case"
    decision_table(
        document,
        [
            Decision(
                "Close the case",
                _choice(
                    ("Yes, close the case", "No, the case stays open"),
                    f'{close}|yesno("Yes: the case is closed", "No: the case stays open")',
                    draft=draft,
                ),
            ),
            f"if {close} or {c}.closure_reason" + (" or draft" if draft else ""),
            Decision("Reason", tag(f"{c}.closure_reason"), WRITE_IN_REASON),
            "endif",
        ],
        draft=draft,
        keep=True,
    )


def _draft_header(document: DocumentObject) -> None:
    """DRAFT on every page of the note-taker's draft, under the marking."""
    header = document.sections[0].header
    panel_line = header.paragraphs[1]
    for content, style in (
        ("{%p if draft %}", "Page header"),
        ("DRAFT \u2014 not a record until signed by the chair", "Draft mark"),
        ("{%p endif %}", "Page header"),
    ):
        panel_line.insert_paragraph_before(content, style=style)


PEOPLE = [
    Column("Name", tag("p.name"), 5.0),
    Column("Role", tag("p.role"), 6.0),
    Column("Agency", tag("p.agency"), 6.0),
]


def build(path: Path) -> None:
    """The minutes: the note-taker's draft (`draft`) and the signed record, one template."""
    meeting = tag("meeting.date|uk_date")
    document = new_document(f"Minutes of the {tag('panel.name')}, {meeting}{VERSION}")
    minutes_styles(document)
    page_header(document, "Minutes")
    _draft_header(document)
    page_footer(document, f"Minutes, {meeting}{VERSION}")

    text(document, "Minutes", style="Title")
    text(document, tag("panel.name"), style="Panel name")
    statement(document, "if draft")
    text(document, "DRAFT \u2014 not a record until signed by the chair", style="Draft notice")
    text(
        document,
        "For notes during the meeting. The minutes are a record once they are recorded and "
        "the chair has signed them.",
        style="Note",
    )
    statement(document, "endif")
    summary_table(
        document,
        [
            ("Date", meeting),
            ("Chair", tag("record.chair")),
            ("Time", tag("meeting.time")),
            ("Venue", tag("meeting.venue")),
            ("Version", tag('version if version else "Draft"')),
            (
                "Signed",
                tag('(signed.name ~ ", " ~ signed.date|uk_date) if signed else "Not yet signed"'),
            ),
            # On the draft an empty box to write in; "Not recorded" only on a record.
            (
                "Minute-taker",
                tag('record.minute_taker|default(none)|blank("" if draft else "Not recorded")'),
            ),
            (
                "Next meeting",
                tag('meeting.next_date|default(none)|uk_date|blank("To be arranged")'),
            ),
        ],
    )
    statement(document, "if changes")
    heading(document, "Changes in this version")
    statement(document, "for change in changes")
    text(document, tag("change"), style="List Bullet")
    statement(document, "endfor")
    statement(document, "endif")
    # Need to know (issue 23): a limited version names the cases it leaves out, no more.
    statement(document, "for x in restricted_cases")
    text(
        document,
        f"Restricted case {tag('x')}: minuted in the version for named agencies only",
        style="Note",
    )
    statement(document, "endfor")

    heading(document, "1. Present and apologies")
    text(document, "Confidentiality", style="Field label")
    text(
        document,
        "The chair read the confidentiality statement at the start of the meeting: "
        + tag("panel.confidentiality_statement"),
        style="Notice",
    )
    text(document, "Present", style="Field label")
    statement(document, "if draft")
    text(
        document,
        "Strike through anyone absent and list them under apologies; add anyone else present.",
        style="Note",
    )
    statement(document, "endif")
    list_table(document, "p in record.present", PEOPLE, empty=NOTHING, blank_rows=(2, "draft"))
    text(document, "Apologies", style="Field label")
    list_table(
        document,
        "p in record.apologies",
        PEOPLE,
        empty="No apologies.",
        show_if="draft or record.apologies",
        blank_rows=(3, "draft"),
    )

    text(document, "In attendance for an item", style="Field label")
    list_table(
        document,
        "p in attending",
        [
            Column("Name and role", tag("p.name"), 11.0),
            Column("For item", tag("p.item"), 6.0),
        ],
        empty="No one attended for a single item.",
        show_if="draft or attending",
        blank_rows=(2, "draft"),
    )

    statement(document, "for case in record.cases")
    case_minutes(document, "case", f"{tag('loop.index + 1')}. ", draft=True)
    statement(document, "endfor")

    heading(document, f"{tag('record.cases|length + 2')}. Strategic safeguarding items")
    statement(document, "if record.strategic_items")
    statement(document, "for s in record.strategic_items")
    heading(document, tag("s.title"), level=2)
    minute_text(document, "Notes", "s.notes", draft=True, lines=5)
    text(document, "Actions", style="Field label")
    actions_table(document, "s.actions", draft=True)
    statement(document, "endfor")
    statement(document, "else")
    text(document, "No strategic items.", style="Note")
    statement(document, "endif")

    heading(document, f"{tag('record.cases|length + 3')}. Any other business")
    minute_text(
        document,
        None,
        "record.any_other_business",
        draft=True,
        empty="No other business.",
        keep=True,
    )

    statement(document, "if signed")
    signature(document)
    statement(document, "endif")
    save(document, path)


def build_extract(path: Path) -> None:
    """One child's case from the signed minutes, for their key worker (ToR 13.iv)."""
    case_id, meeting = tag("case.case_id"), tag("meeting.date|uk_date")
    document = new_document(f"Minutes extract for case {case_id}, {meeting}")
    minutes_styles(document)
    page_header(document, "Minutes extract")
    page_footer(document, f"Case {case_id}")

    text(document, f"Extract from the minutes of the {tag('panel.name')}", style="Title")
    text(document, f"Meeting of {meeting}", style="Panel name")
    text(
        document,
        f"For {tag('key_worker.name')}, {tag('key_worker.role')}, {tag('key_worker.agency')} "
        "(key worker / lead professional)",
        style="Minute line",
    ).runs[0].bold = True
    summary_table(
        document,
        [
            ("Child", tag("child.name")),
            ("Local ID", tag("child.local_id")),
            ("Case ID", case_id),
            ("Meeting", meeting),
            ("Chair", tag("chair")),
            ("Minutes version", tag("version")),
        ],
    )
    text(
        document,
        "This extract holds only this child's case from the signed minutes. Act on the "
        "panel's actions with the core group, keep the extract on the child's record, and "
        "share it only as the child's plan needs.",
        style="Notice",
    )

    heading(document, "1. Present at the meeting")
    list_table(document, "p in present", PEOPLE, empty=NOTHING)
    case_minutes(document, "case", "2. ", draft=False)
    signature(document)
    save(document, path)
