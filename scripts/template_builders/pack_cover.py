"""templates/pack-cover.docx: the circulation pack's cover, whose header and footer the
whole merged pack keeps.

The pack code appends the contents lines after the last paragraph ("Contents"), then each
section under a Heading 1 or 2 with a page break, so those styles live here too.
"""

from __future__ import annotations

from pathlib import Path

from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from workflow.documents.house_style import BORDER, DARK_BLUE, LABEL_FILL, RULE, paragraph_style
from workflow.documents.oxml import box, outline_level, panel, rule_below

from .house import new_document, page_footer, page_header, save, statement, tag, text
from .minutes import DRAFT_RED

HANDLING = (
    "For panel members only: they hold personal information about children and families.",
    "Do not forward, copy or share them, in whole or in part.",
    "Store them securely, on your agency's secure systems only; do not print them unless you must.",
    "Destroy your copy after the meeting: delete it, and securely shred any printout.",
)


def build(path: Path) -> None:
    meeting = tag("meeting.date|uk_date")
    document = new_document(f"Circulation pack of the {tag('panel.name')}, {meeting}")
    page_header(document, "Circulation pack")
    page_footer(document, f"Circulation pack, {meeting}")
    _cover_styles(document)

    statement(document, "if panel.authority")
    text(document, tag("panel.authority"), style="Cover authority")
    statement(document, "endif")
    text(document, tag("panel.name"), style="Cover title")
    text(document, "Circulation pack", style="Cover subtitle")
    text(document, meeting, style="Cover meeting")
    text(
        document,
        tag(
            '[meeting.time, meeting.venue]|select|join("  ·  ")|blank("Time and venue to be '
            'confirmed")'
        ),
        style="Cover detail",
    )
    text(
        document,
        tag('case_count if case_count else "No"')
        + " new referral"
        + tag('"" if case_count == 1 else "s"')
        + " and "
        + tag('review_count if review_count else "no"')
        + " progress review"
        + tag('"" if review_count == 1 else "s"')
        + tag('"." if outstanding else ", with their papers."'),
        style="Cover detail",
    )
    # An honest cover: what readiness found missing, before anyone reads on.
    statement(document, "if outstanding")
    text(
        document,
        f"Not complete: {tag('outstanding|length')} item"
        + tag('"" if outstanding|length == 1 else "s"')
        + " outstanding",
        style="Cover warning title",
    )
    statement(document, "for o in outstanding")
    text(document, f"\u2022\t{tag('o')}", style="Cover warning")
    statement(document, "endfor")
    statement(document, "endif")
    text(document, tag("panel.protective_marking"), style="Cover marking")

    # A boxed notice made of paragraphs: a one-cell table would read as a data table.
    text(document, "Handling these papers", style="Cover notice title")
    for line in HANDLING:
        text(document, f"\u2022\t{line}", style="Cover notice")

    text(
        document,
        f"Prepared by {tag('administrator.name')}, {tag('administrator.role')}, "
        f"{tag('administrator.agency')}, on {tag('prepared_on|uk_date')}.",
        style="Cover prepared",
    )
    statement(document, "if administrator.email")
    text(document, f"Questions about this pack: {tag('administrator.email')}", style="Note")
    statement(document, "endif")
    # Last: the pack code adds one line per section after it.
    text(document, "Contents", style="Contents heading")
    save(document, path)


def _cover_styles(document: DocumentObject) -> None:
    authority = paragraph_style(document, "Cover authority", base="Panel name")
    authority.font.size = Pt(12)
    authority.paragraph_format.space_before = Pt(72)
    authority.paragraph_format.space_after = Pt(6)

    title = paragraph_style(document, "Cover title", base="Title")
    title.font.size = Pt(28)
    title.paragraph_format.space_after = Pt(6)

    subtitle = paragraph_style(document, "Cover subtitle", base="Panel name")
    subtitle.font.size = Pt(20)
    subtitle.paragraph_format.space_after = Pt(30)
    rule_below(subtitle.element.get_or_add_pPr(), RULE, size=12)

    meeting = paragraph_style(document, "Cover meeting")
    meeting.font.size = Pt(18)
    meeting.font.bold = True
    meeting.font.color.rgb = DARK_BLUE
    meeting.paragraph_format.space_after = Pt(4)

    detail = paragraph_style(document, "Cover detail")
    detail.font.size = Pt(12)
    detail.paragraph_format.space_after = Pt(4)

    marking = paragraph_style(document, "Cover marking")
    marking.font.size = Pt(20)
    marking.font.bold = True
    marking.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    marking.paragraph_format.space_before = Pt(36)
    marking.paragraph_format.space_after = Pt(24)
    marking.paragraph_format.left_indent = marking.paragraph_format.right_indent = Cm(3)
    box(marking.element.get_or_add_pPr(), "000000", size=18)

    notice = paragraph_style(document, "Cover notice", base="Table text")
    notice.paragraph_format.space_after = Pt(3)
    notice.paragraph_format.left_indent = Cm(0.6)
    notice.paragraph_format.right_indent = Cm(0.2)
    notice.paragraph_format.first_line_indent = Cm(-0.4)
    notice.paragraph_format.keep_with_next = True
    panel(notice, BORDER, LABEL_FILL)

    notice_title = paragraph_style(document, "Cover notice title", base="Cover notice")
    notice_title.font.bold = True
    notice_title.font.color.rgb = DARK_BLUE
    notice_title.paragraph_format.first_line_indent = Cm(0)
    notice_title.paragraph_format.left_indent = Cm(0.2)
    notice_title.paragraph_format.space_after = Pt(4)

    warning = paragraph_style(document, "Cover warning", base="Cover notice")
    panel(warning, "C00000", "FBE4E4")
    warning_title = paragraph_style(document, "Cover warning title", base="Cover warning")
    warning_title.font.bold = True
    warning_title.font.size = Pt(11)
    warning_title.font.color.rgb = DRAFT_RED
    warning_title.paragraph_format.first_line_indent = Cm(0)
    warning_title.paragraph_format.left_indent = Cm(0.2)
    warning_title.paragraph_format.space_before = Pt(10)

    prepared = paragraph_style(document, "Cover prepared")
    prepared.paragraph_format.space_before = Pt(96)
    prepared.paragraph_format.space_after = Pt(2)

    contents = paragraph_style(document, "Contents heading")
    contents.font.size = Pt(16)
    contents.font.bold = True
    contents.font.color.rgb = DARK_BLUE
    contents.paragraph_format.page_break_before = True
    contents.paragraph_format.space_after = Pt(12)
    outline_level(contents, 1)
    rule_below(contents.element.get_or_add_pPr(), RULE, size=6)
