"""templates/agenda.docx: the agenda (ToR 13.iii): new referrals, progress reviews due,
strategic items.

The order of business fits on one page for a typical meeting (six cases, two strategic
items): one row per case with its time and presenter. The open actions of the cases under
review follow in an annex.
"""

from __future__ import annotations

from pathlib import Path

from docx.document import Document as DocumentObject
from docx.shared import Pt

from .house import (
    Column,
    heading,
    list_table,
    new_document,
    page_footer,
    page_header,
    save,
    statement,
    summary_table,
    tag,
    text,
)

RAG_FILLS = {"Red": "FF7C80", "Amber": "FFC000", "Green": "92D050"}
OVERDUE_FILL = "F8CBAD"


def rag_cell(status: str) -> str:
    """A cell shaded red, amber or green behind the status in words (never colour alone)."""
    fill = " else ".join(
        f'"{colour}" if {status} == "{name}"' for name, colour in RAG_FILLS.items()
    )
    return f'{{% cellbg {fill} else "FFFFFF" %}}{tag(status)}'


def restricted_notes(document: DocumentObject, kind: str) -> None:
    """Need to know (issue 23): a case this copy leaves out is named, never described."""
    statement(document, f'for x in restricted_cases if x.kind == "{kind}"')
    text(
        document,
        f"Restricted case {tag('x.case_id')}: papers to named agencies only",
        style="Note",
    )
    statement(document, "endfor")


def build(path: Path) -> None:
    document = new_document(f"Agenda of the {tag('panel.name')}, {tag('meeting.date|uk_date')}")
    page_header(document, "Agenda")
    page_footer(document, f"Agenda, {tag('meeting.date|uk_date')}")
    document.styles["Heading 1"].paragraph_format.space_before = Pt(12)

    text(document, "Agenda", style="Title")
    text(document, tag("panel.name"), style="Panel name")
    summary_table(
        document,
        [
            ("Date", tag("meeting.date|uk_date")),
            ("Time", tag('meeting.time|blank("To be confirmed")')),
            ("Venue", tag('meeting.venue|blank("To be confirmed")')),
            ("Chair", f"{tag('chair.name')}, {tag('chair.role')}"),
        ],
    )

    heading(document, "1. Welcome, introductions, confidentiality and apologies")
    text(
        document,
        f"Chaired by {tag('chair.name')}, {tag('chair.role')}, {tag('chair.agency')}. Members "
        "who cannot attend send apologies and a deputy who can agree actions and resources "
        "for their agency. The chair reads the confidentiality statement: "
        + tag("panel.confidentiality_statement"),
    )

    heading(document, "2. Minutes of the last meeting and matters arising")
    text(
        document,
        # Minutes the chair has signed are agreed already: the panel only reviews what arose.
        "{% if previous %}{% if last_minutes_available %}The minutes of the meeting on "
        f"{tag('previous|uk_date')}, signed as a true record, are in this pack: to review "
        "matters arising.{% else %}To agree the minutes of the meeting on "
        f"{tag('previous|uk_date')}, and to review matters arising."
        "{% endif %}{% else %}No previous meeting.{% endif %}",
    )

    time = Column("Time", tag('x.time|default("", true)'), 2.3)
    heading(document, "3. New referrals")
    statement(document, "if new_referrals")
    text(
        document,
        "Each case is presented by the referring practitioner; the referral and its papers "
        "follow in this pack.",
        style="Intro",
    )
    statement(document, "endif")
    list_table(
        document,
        "x in new_referrals",
        [
            time,
            Column(
                "Case ID",
                tag("x.case_id") + tag('"\\n(late referral)" if x.late_accepted_by else ""'),
                2.9,
            ),
            Column("Presented by", tag("x.presenter"), 5.0),
            Column("Risk at referral", tag("x.risk_level"), 2.3),
            Column(
                "Papers",
                tag(
                    '("Not supplied: " ~ x.missing_papers|join(", ")) if x.missing_papers '
                    'else "All supplied"'
                ),
                4.5,
            ),
        ],
        empty="None.",
    )
    statement(document, "for x in new_referrals if x.late_accepted_by")
    text(
        document,
        f"Late referral: {tag('x.case_id')} reached the panel after the referral deadline and "
        f"was accepted by {tag('x.late_accepted_by')}, the chair.",
        style="Note",
    )
    statement(document, "endfor")
    restricted_notes(document, "new")

    heading(document, "4. Progress reviews due")
    statement(document, "if progress_reviews")
    text(
        document,
        "Cases the panel asked to hear again, presented by the key worker. Status: Red, "
        "actions overdue by the meeting date or risk very high; Amber, work or the progress "
        "report outstanding; Green, on track.",
        style="Intro",
    )
    statement(document, "endif")
    list_table(
        document,
        "x in progress_reviews",
        [
            time,
            Column("Case ID", tag("x.case_id"), 2.9),
            Column("Presented by", tag("x.presenter"), 4.2),
            Column("Latest risk", tag("x.risk_latest"), 1.9),
            Column("Status", rag_cell("x.status"), 1.7),
            Column(
                "Report and actions",
                tag('"Report received" if x.report_received else "Report not yet received"')
                + "\n"
                + tag("x.open_actions|length")
                + " open action"
                + tag('"" if x.open_actions|length == 1 else "s"')
                + tag(
                    '(", " ~ x.overdue_count ~ " overdue by the meeting date") '
                    'if x.overdue_count else ""'
                )
                + tag('(", " ~ x.carried_count ~ " carried forward") if x.carried_count else ""')
                + tag(
                    '("\\n" ~ x.cancelled_actions|length ~ " cancelled") '
                    'if x.cancelled_actions else ""'
                ),
                4.0,
            ),
        ],
        empty="None.",
    )

    restricted_notes(document, "review")

    heading(document, "5. Strategic safeguarding items")
    list_table(
        document,
        "x in strategic_items",
        [
            time,
            Column("Item", tag("x.title"), 4.6),
            Column("Lead", tag("x.lead"), 3.4),
            Column("Notes", tag("x.notes"), 6.7),
        ],
        empty="None.",
    )

    heading(document, "6. Any other business")
    text(document, "Members tell the chair of any other business at the start of the meeting.")

    heading(document, "7. Date of next meeting")
    text(document, tag('next|uk_date if next else "To be arranged."'))

    statement(
        document,
        "if progress_reviews|selectattr('open_actions')|list or "
        "progress_reviews|selectattr('cancelled_actions')|list",
    )
    annex = heading(document, "Annex: actions of the cases under review")
    annex.paragraph_format.page_break_before = True
    text(
        document,
        f"From the register. Overdue: due before the meeting date, {tag('meeting.date|uk_date')}. "
        "Carried forward: to how many meetings an open action has been carried. Cancelled: "
        "closed without being done, and why.",
        style="Intro",
    )
    statement(document, "for p in progress_reviews if p.open_actions or p.cancelled_actions")
    heading(document, tag("p.case_id"), level=2)
    list_table(
        document,
        "a in p.open_actions",
        [
            Column("Action ID", tag("a.action_id"), 2.9),
            Column("Action", tag("a.action"), 3.5),
            Column("Agency", tag("a.agency"), 2.2),
            Column("Owner", tag("a.owner"), 2.1),
            Column("Due", tag("a.due|uk_date"), 2.3),
            Column(
                "Status",
                f'{{% cellbg "{OVERDUE_FILL}" if a.overdue else "FFFFFF" %}}'
                + tag('"Overdue" if a.overdue else a.status'),
                1.9,
            ),
            Column("Carried forward", tag("a.carried_forward"), 2.1),
        ],
        empty="No open actions.",
    )
    statement(document, "if p.cancelled_actions")
    text(document, "Cancelled actions", style="Field label")
    list_table(
        document,
        "a in p.cancelled_actions",
        [
            Column("Action ID", tag("a.action_id"), 3.0),
            Column("Action", tag("a.action"), 6.5),
            Column("Agency", tag("a.agency"), 2.5),
            Column("Why not done", tag("a.reason"), 5.0),
        ],
    )
    statement(document, "endif")
    statement(document, "endfor")
    statement(document, "endif")
    # Room for seven items and six cases on one page, the confidentiality statement
    # included; set on each heading, as the pack's merge keeps the cover's heading style.
    for paragraph in document.paragraphs:
        if paragraph.style is not None and paragraph.style.name == "Heading 1":
            paragraph.paragraph_format.space_before = Pt(8)
    save(document, path)
