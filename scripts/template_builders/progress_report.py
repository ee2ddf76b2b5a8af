"""templates/progress-report.docx: a case's progress report back to the panel.

The context is `workflow.cases.progress.report_context`: the case's actions with their status and
progress, the risk then and now, what changed, the child's views, what is still needed,
and the recommendation (ToR 12 and 14).
"""

from __future__ import annotations

from pathlib import Path

from .house import (
    Column,
    heading,
    label_table,
    list_table,
    new_document,
    page_footer,
    page_header,
    save,
    summary_table,
    text,
)


def build(path: Path) -> None:
    document = new_document("Complex Child Panel progress report {{ case_id }}")
    page_header(document, "Progress report")
    page_footer(document, "Case {{ case_id }}, progress report")

    text(document, "Progress report", style="Title")
    text(document, "{{ panel.name }}", style="Panel name")
    summary_table(
        document,
        [
            ("Case ID", "{{ case_id }}"),
            ("For the panel of", "{{ meeting|uk_date }}"),
            ("Reported by", "{{ reporter.name }}, {{ reporter.role }}, {{ reporter.agency }}"),
            ("Date of report", "{{ report_date|uk_date }}"),
            ("Email", "{{ reporter.email }}"),
            ("Received", "{{ received_on|uk_date }}"),
        ],
    )

    heading(document, "1. Actions agreed by the panel")
    text(
        document,
        "{{ actions|length }} action{{ '' if actions|length == 1 else 's' }}: "
        "{{ counts.completed }} completed, {{ counts.open }} still open"
        "{{ (', ' ~ counts.overdue ~ ' overdue') if counts.overdue else '' }}"
        "{{ (', ' ~ counts.cancelled ~ ' cancelled') if counts.cancelled else '' }}.",
        style="Intro",
    )
    list_table(
        document,
        "a in actions",
        [
            Column("Action ID", "{{ a.action_id }}", 2.9),
            Column(
                "Action",
                "{{ a.action }}\n{{ a.owner }}, {{ a.agency }}; due {{ a.due|uk_date }}",
                5.2,
            ),
            Column(
                "Status",
                "{{ a.status }}{{ ' (overdue)' if a.overdue else '' }}"
                "{{ ('\\n' ~ a.completed_on|uk_date) if a.completed_on else '' }}"
                "{{ '\\npreviously ' ~ a.was if a.was else '' }}",
                2.6,
            ),
            Column("Progress", '{{ a.progress|blank("Not reported.") }}', 6.3),
        ],
        empty="The panel agreed no actions for this case.",
    )

    heading(document, "2. Risk then and now")
    summary_table(
        document,
        [
            ("At referral", '{{ risk.at_referral|blank("Not recorded") }}'),
            ("Agreed by the panel", '{{ risk.agreed|blank("Not recorded") }}'),
            ("Now", "{{ risk.now }}"),
            ("Change", "{{ risk.change }}"),
        ],
    )
    text(document, "Why that level", style="Field label")
    text(document, "{{ report.risk_rationale }}")

    heading(document, "3. What has changed since the last panel")
    text(document, "{{ report.changes }}")

    heading(document, "4. The child's views")
    text(document, "{{ report.child_views }}", style="Child's views")

    heading(document, "5. The child's plan")
    label_table(
        document,
        [
            ("Plan revised since the panel", "{{ report.plan_revised|yesno }}"),
            (
                "IRO or independent chair told",
                '{{ report.iro_informed_on|uk_date if report.iro_informed_on else "Not yet" }}',
            ),
        ],
    )

    heading(document, "6. What is still needed from the panel")
    text(document, "{{ report.still_needed }}")

    heading(document, "7. Recommendation")
    text(document, "{{ recommendation }}", style="Field label")
    text(document, "{{ report.recommendation_reason }}")
    text(
        document,
        "A recommendation is for the panel to decide: only the panel closes or escalates a "
        "case, through its minutes.",
        style="Note",
    )
    save(document, path)
