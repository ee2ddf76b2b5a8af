"""What the panel holds about one child, as the parts of a subject access bundle: the
referral, the register's rows, each meeting's minute of the case, progress reports, the
changes recorded and the disclosures. Read by case ID only: no other child's row is read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from workflow.cases.store import CaseRecord
from workflow.contract import LABELS
from workflow.core.dates import as_date, uk_date
from workflow.meetings.records import current_record
from workflow.register import Register
from workflow.workspace.paths import Workspace

NO_DISCLOSURES = "No disclosures recorded."


@dataclass
class Section:
    """One part of the bundle: a heading, label/value lines, and tables."""

    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    tables: list[tuple[list[str], list[list[str]]]] = field(default_factory=list)
    note: str = ""
    # Sub-parts under their own heading: a meeting's minute, one progress report.
    groups: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)


def words(value: Any) -> str:
    if value is None or value == "":
        return "Not recorded"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date | datetime):
        return uk_date(value)
    if isinstance(value, list):
        return "; ".join(words(item) for item in value) or "None"
    if isinstance(value, str):
        return LABELS.get(value, value)
    return str(value)


def person(value: Any) -> str:
    if not value:
        return "Not recorded"
    parts = [value.get(key) for key in ("name", "role", "agency", "team", "email", "phone")]
    return ", ".join(str(part) for part in parts if part)


def referral_section(record: CaseRecord) -> Section:
    referral = record.referral.model_dump(mode="python")
    child = referral["child"]
    section = Section("The referral")
    section.lines += [
        ("Case ID", record.case_id),
        ("Accepted on", uk_date(record.accepted_on)),
        ("Panel meeting", uk_date(referral["meeting"])),
    ]
    for key, label in (
        ("name", "Name"),
        ("preferred_name", "Preferred name"),
        ("date_of_birth", "Date of birth"),
        ("gender", "Gender"),
        ("ethnicity", "Ethnicity"),
        ("local_id", "Local ID"),
        ("living_situation", "Living situation"),
        ("placement_location", "Placement"),
        ("out_of_area", "Out of area"),
        ("legal_status", "Legal status"),
        ("legal_status_since", "Legal status since"),
    ):
        section.lines.append((label, words(child.get(key))))
    for key, label in (
        ("family", "Family"),
        ("history", "History"),
        ("criteria", "Criteria"),
        ("criteria_detail", "Criteria detail"),
        ("benefits", "What the panel could add"),
        ("outcomes_sought", "Outcomes sought"),
        ("child_views", "Your views"),
        ("family_aware", "Family aware of the referral"),
    ):
        section.lines.append((label, words(referral.get(key))))
    for key, label in (
        ("referrer", "Referred by"),
        ("key_social_worker", "Key social worker"),
        ("authorised_by", "Authorised by"),
        ("iro", "Independent reviewing officer"),
    ):
        section.lines.append((label, person(referral.get(key))))
    section.tables.append(
        (
            ["Assessment", "Date", "By", "Summary"],
            [
                [a["title"], words(a["date"]), a["author"], a["summary"]]
                for a in referral["assessments"]
            ],
        )
    )
    section.tables.append(
        (
            ["Professional", "Role", "Agency", "Key worker"],
            [
                [p["name"], p["role"], p["agency"], words(p["key_worker"])]
                for p in referral["professionals"]
            ],
        )
    )
    section.tables.append(
        (
            ["Risk", "Level", "Known", "Description"],
            [
                [words(r["category"]), words(r["level"]), words(r["known"]), r["description"]]
                for r in referral["risks"]
            ],
        )
    )
    section.tables.append(
        (
            ["Obstacle", "Detail"],
            [[words(o["type"]), o["detail"]] for o in referral["obstacles"]],
        )
    )
    section.tables.append(
        (
            ["Process tried", "Date", "Outcome"],
            [
                [words(p["process"]), words(p["date"]), p["outcome"]]
                for p in referral["processes_tried"]
            ],
        )
    )
    return section


def case_row_section(row: dict[str, Any] | None) -> Section:
    section = Section("The panel's register entry")
    if row is None:
        section.note = "The register holds no row for this case."
        return section
    from workflow.register.schema import SHEETS

    for column in SHEETS["Cases"]:
        section.lines.append((column.header, words(row.get(column.key))))
    return section


def minutes_sections(
    workspace: Workspace, register: Register, case_id: str
) -> tuple[Section, list[tuple[str, str]], set[str]]:
    """Each meeting's minute of this case (never the rest of the minutes)."""
    section = Section("Panel discussions and decisions")
    texts: list[tuple[str, str]] = []
    people: set[str] = set()
    meetings = sorted(
        (as_date(row.get("meeting")), row)
        for row in register.rows("Meetings")
        if case_id in str(row.get("cases") or "") and as_date(row.get("meeting"))
    )
    for meeting, _row in meetings:
        record = current_record(workspace, register, meeting)
        if record is None:
            continue
        for case in record.cases:
            if case.case_id != case_id:
                continue
            where = f"minutes of {uk_date(meeting)}"
            manager = case.accountable_manager
            people.update([case.presented_by, manager.name, record.chair])
            people.update(attendee.name for attendee in record.present)
            people.update(action.owner for action in case.actions)
            fields = [
                ("Meeting", uk_date(meeting)),
                ("Presented by", case.presented_by),
                ("Discussion", case.discussion),
                ("Agreed risk level", words(case.risk_level)),
                ("Why", case.risk_rationale),
                ("Accountable manager", f"{manager.name}, {manager.role}, {manager.agency}"),
                ("Risk management plan", case.risk_management_plan),
                ("Contingencies", case.contingencies),
                ("Communication", case.communication),
                ("Monitoring", case.monitoring),
                (
                    "Progress report",
                    f"{words(case.progress_report.format)}, to the "
                    f"{uk_date(case.progress_report.due_meeting)} panel"
                    if case.progress_report
                    else "None asked for",
                ),
                ("Escalated to the Safeguarding Partnership", words(case.escalate_to_partnership)),
                ("Why escalated", words(case.escalation_reason)),
                ("Case closed", words(case.close_case)),
                ("Why closed", words(case.closure_reason)),
            ]
            section.groups.append((f"Panel of {uk_date(meeting)}", fields[1:]))
            for label, text in fields[2:]:
                texts.append((f"{where}: {label.lower()}", text))
    if not section.groups:
        section.note = "The case has not been discussed in recorded minutes."
    return section, texts, people


def rows_section(
    title: str, sheet: str, rows: list[dict[str, Any]], skip: tuple[str, ...] = ("case_id",)
) -> Section:
    from workflow.register.schema import SHEETS

    columns = [column for column in SHEETS[sheet] if column.key not in skip]
    section = Section(title)
    if not rows:
        section.note = "None."
        return section
    section.tables.append(
        (
            [column.header for column in columns],
            [[words(row.get(column.key)) for column in columns] for row in rows],
        )
    )
    return section


def audit_section(rows: list[dict[str, Any]]) -> Section:
    """The register's record of each change made to the case and its actions."""
    section = Section("Changes recorded to your case")
    if not rows:
        section.note = "None."
        return section
    section.tables.append(
        (
            ["When", "Who", "What", "About"],
            [
                [
                    words(row.get("when")),
                    str(row.get("who") or ""),
                    " ".join(str(row.get(k) or "") for k in ("action", "detail")).strip(),
                    str(row.get("target") or ""),
                ]
                for row in sorted(rows, key=lambda row: str(row.get("when") or ""))
            ],
        )
    )
    return section


def progress_sections(workspace: Workspace, case_id: str) -> tuple[Section, list, set[str]]:
    from workflow.contract.progress import ProgressReport
    from workflow.forms.loading import read_text

    section = Section("Progress reports")
    texts: list[tuple[str, str]] = []
    people: set[str] = set()
    for file in sorted((workspace.case_dir(case_id) / "progress").glob("progress-*.json")):
        report = ProgressReport.model_validate_json(read_text(file))
        where = f"progress report for {uk_date(report.meeting)}"
        people.add(report.reported_by.name)
        fields = [
            ("Report to the panel of", uk_date(report.meeting)),
            ("Reported by", person(report.reported_by.model_dump())),
            ("Date", uk_date(report.date)),
            ("Risk level now", words(report.risk_level)),
            ("Why", report.risk_rationale),
            ("What has changed", report.changes),
            ("Your views", report.child_views),
            ("Plan revised", words(report.plan_revised)),
            ("Still needed from the panel", report.still_needed),
            ("Recommendation", words(report.recommendation)),
            ("Why", report.recommendation_reason),
        ]
        for label, text in fields[4:]:
            texts.append((f"{where}: {label.lower()}", text))
        for action in report.actions:
            if action.progress:
                fields.append((f"Action {action.action_id}", action.progress))
                texts.append((f"{where}: action {action.action_id}", action.progress))
        section.groups.append(
            (f"Progress report to the panel of {uk_date(report.meeting)}", fields[1:])
        )
    if not section.groups:
        section.note = "None received."
    return section, texts, people


def disclosures_section(rows: list[dict[str, Any]] | None) -> Section:
    section = Section("Who the panel has sent your information to")
    if not rows:
        section.note = NO_DISCLOSURES
        return section
    keys = [key for key in rows[0] if key not in ("case_ids",)]
    section.tables.append(
        (
            [key.replace("_", " ").capitalize() for key in keys],
            [[words(row.get(k)) for k in keys] for row in rows],
        )
    )
    return section
