"""templates/referral.docx: the formal referral, the ToR 13.ii contents in their order.

The blank Word form (workflow.forms.word) numbers its sections as this document does.
"""

from __future__ import annotations

from pathlib import Path

from .house import (
    Column,
    bullets,
    heading,
    label_table,
    list_table,
    new_document,
    page_footer,
    page_header,
    save,
    summary_table,
    tag,
    text,
)

R = "referral"
CHILD = f"{R}.child"


def build(path: Path) -> None:
    """The formal referral, from the accepted data."""
    document = new_document(f"Complex Child Panel referral {tag('case_id')}")
    page_header(document, "Referral")
    page_footer(document, f"Case {tag('case_id')}")

    text(document, "Complex Child Panel referral", style="Title")
    text(document, tag("panel.name"), style="Panel name")
    summary_table(
        document,
        [
            ("Case ID", tag("case_id")),
            ("Panel meeting", tag(f"{R}.meeting|uk_date")),
            ("Referring agency", tag("referring_agency")),
            ("Accepted on", tag("accepted_on|uk_date")),
        ],
    )

    heading(document, "1. The child and family")
    label_table(
        document,
        [
            ("Name", tag(f"{CHILD}.name")),
            ("Preferred name", tag(f'{CHILD}.preferred_name|blank("Not given")')),
            (
                "Date of birth",
                f"{tag(f'{CHILD}.date_of_birth|uk_date')} (aged "
                f"{tag(f'{CHILD}.date_of_birth|age({R}.meeting)')} on the panel date)",
            ),
            ("Gender", tag(f"{CHILD}.gender")),
            ("Ethnicity", tag(f"{CHILD}.ethnicity|blank")),
            ("Local case number", tag(f"{CHILD}.local_id")),
            ("Living situation", tag(f"{CHILD}.living_situation|words")),
            ("Placement location", tag(f"{CHILD}.placement_location|blank")),
            ("Placed out of area", tag(f"{CHILD}.out_of_area|yesno")),
            ("Legal status", tag(f"{CHILD}.legal_status|words")),
            ("Legal status since", tag(f"{CHILD}.legal_status_since|uk_date|blank")),
        ],
    )
    text(document, "Family and network", style="Field label")
    text(document, tag(f"{R}.family"))

    heading(document, "2. Relevant history")
    text(document, tag(f"{R}.history"))

    heading(document, "3. Assessments")
    list_table(
        document,
        f"a in {R}.assessments",
        [
            Column("Assessment", tag("a.title"), 3.5),
            Column("Date", tag("a.date|uk_date"), 3.1),
            Column("Author", tag("a.author"), 3.4),
            Column("Summary", tag("a.summary"), 7.0),
        ],
    )

    heading(document, "4. Professionals involved")
    list_table(
        document,
        f"p in {R}.professionals",
        [
            Column("Name", tag("p.name"), 3.2),
            Column("Role", tag("p.role"), 3.2),
            Column("Agency", tag("p.agency"), 4.0),
            Column("Contact", tag('[p.email, p.phone]|select|join("\\n")|blank("Not given")'), 4.4),
            Column("Key worker", tag('p.key_worker|yesno("Yes", "")'), 2.2),
        ],
    )

    heading(document, "5. Current risks")
    text(
        document,
        "Known risks, and risks that are unknown or only suspected, as the referrer sees them.",
        style="Intro",
    )
    list_table(
        document,
        f"k in {R}.risks",
        [
            Column("Category", tag("k.category|words"), 3.2),
            Column("Description", tag("k.description"), 7.4),
            Column("Level", tag("k.level|words"), 2.3),
            Column(
                "Known or suspected", tag('k.known|yesno("Known", "Unknown or suspected")'), 4.1
            ),
        ],
    )

    heading(document, "6. Obstacles to effective planning")
    list_table(
        document,
        f"o in {R}.obstacles",
        [
            Column("Obstacle", tag("o.type|words"), 4.0),
            Column("Detail", tag("o.detail"), 13.0),
        ],
    )

    heading(document, "7. Criteria met")
    bullets(document, f"c in {R}.criteria", tag("c|words"))
    text(document, "How the criteria are met", style="Field label")
    text(document, tag(f"{R}.criteria_detail"))

    heading(document, "8. Processes already tried")
    list_table(
        document,
        f"t in {R}.processes_tried",
        [
            Column("Process", tag("t.process|words"), 4.4),
            Column("Date", tag("t.date|uk_date"), 3.1),
            Column("Outcome", tag("t.outcome"), 9.5),
        ],
    )

    heading(document, "9. Benefits sought from the panel")
    text(document, tag(f"{R}.benefits"))

    heading(document, "10. Outcomes sought")
    bullets(document, f"o in {R}.outcomes_sought", tag("o"))

    heading(document, "11. The child's views")
    text(document, tag(f"{R}.child_views"), style="Child's views")

    heading(document, "12. Consultation and authorisation")
    referrer = f"{R}.referrer"
    social_worker = f"{R}.key_social_worker"
    manager = f"{R}.authorised_by"
    iro = f"{R}.iro"
    label_table(
        document,
        [
            (
                "Referrer",
                f"{tag(f'{referrer}.name')}, {tag(f'{referrer}.role')}, "
                f"{tag(f'{referrer}.agency')}\n"
                + tag(f'[{referrer}.email, {referrer}.phone]|select|join("  ·  ")'),
            ),
            (
                "Key social worker",
                f"{tag(f'{social_worker}.name')}, {tag(f'{social_worker}.team')}"
                + tag(f'("\\n" ~ {social_worker}.email) if {social_worker}.email else ""'),
            ),
            ("Key social worker consulted", tag(f"{social_worker}.consulted_on|uk_date")),
            ("IRO or independent chair", tag(f'{iro}.name if {iro} else "Not applicable"')),
            (
                "IRO consulted",
                tag(f'{iro}.consulted_on|uk_date if {iro} else "Not applicable"'),
            ),
            (
                "Authorised by",
                f"{tag(f'{manager}.name')}, {tag(f'{manager}.role')}, {tag(f'{manager}.agency')}",
            ),
            ("Date authorised", tag(f"{manager}.date|uk_date")),
            ("Family aware of the referral", tag(f"{R}.family_aware|yesno")),
            f"if {R}.late_accepted_by",
            ("Late referral accepted by", f"{tag(f'{R}.late_accepted_by')} (panel chair)"),
            "endif",
        ],
    )

    heading(document, "13. Special invitations")
    list_table(
        document,
        f"s in {R}.special_invitations",
        [
            Column("Name", tag("s.name"), 3.3),
            Column("Role", tag("s.role"), 3.2),
            Column("Agency", tag("s.agency"), 3.3),
            Column("Reason", tag("s.reason"), 7.2),
        ],
    )

    heading(document, "14. Papers for circulation")
    papers = f"{R}.attachments"
    label_table(
        document,
        [
            (title, tag(f'"Supplied" if {papers}.{name} else "Not supplied"'))
            for title, name in (
                ("Chronology", "chronology"),
                ("Current risk assessment", "risk_assessment"),
                ("Last review report", "last_review_report"),
            )
        ],
    )
    save(document, path)
