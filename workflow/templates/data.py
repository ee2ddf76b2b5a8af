"""What each Word template receives: every variable, its shape and what it means.

The one statement of each template's data, beside the code that builds it (the context
functions named per template below). `ccp templates check` checks edited templates against
it and `docs/templates.md` is generated from it; a test runs every command of the demo and
compares the contexts they really render with this, so the two cannot drift apart.
Descriptions come from the models' field titles and descriptions wherever a value is a
model's field.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from workflow.contract import Attendee, MinutesCase, MinutesRecord, Person, Professional, Referral
from workflow.contract.progress import ProgressReport
from workflow.core.resources import (
    AGENDA_TEMPLATE,
    ANNUAL_REPORT_TEMPLATE,
    COVER_TEMPLATE,
    EXTRACT_TEMPLATE,
    MINUTES_TEMPLATE,
    PROGRESS_TEMPLATE,
    REFERRAL_TEMPLATE,
)
from workflow.meetings.agenda import StrategicItem
from workflow.reports.tables import TABLE_KEYS


@dataclass(frozen=True)
class Var:
    """A value a template receives: plain, a mapping with named fields, or a list of items."""

    description: str
    fields: Mapping[str, Var] | None = None
    items: Var | None = None  # a list: what each item is
    rich: bool = False  # a docxtpl RichText ({{r }}); ccp passes none: text stays text

    @property
    def is_list(self) -> bool:
        return self.items is not None


def leaf(description: str) -> Var:
    return Var(description)


def record(description: str, **fields: Var) -> Var:
    return Var(description, fields=fields)


def many(description: str, item: Var) -> Var:
    return Var(description, items=item)


def from_model(model: type[BaseModel], description: str, **overrides: Var) -> Var:
    """A mapping with one field per model field, described by the model's own words."""
    fields: dict[str, Var] = {}
    for name, info in model.model_fields.items():
        words = ": ".join(part for part in (info.title, info.description) if part)
        fields[name] = overrides.get(name) or _from_annotation(info.annotation, words)
    for name, var in overrides.items():
        fields.setdefault(name, var)
    return Var(description, fields=fields)


def _from_annotation(annotation: Any, words: str) -> Var:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(options) == 1:
            return _from_annotation(options[0], words)
        return Var(words)
    if origin is typing.Annotated:
        return _from_annotation(typing.get_args(annotation)[0], words)
    if origin is list:
        [item] = typing.get_args(annotation) or [Any]
        return Var(words, items=_from_annotation(item, words))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return from_model(annotation, words)
    return Var(words)


# --- pieces several templates share ----------------------------------------------------------


def _panel() -> Var:
    return record(
        "The panel (panel.yaml); only panel-level data belongs in a header or footer.",
        name=leaf("Panel name, e.g. Northshire Complex Child Panel."),
        authority=leaf("The council or partnership the panel serves (may be empty)."),
        protective_marking=leaf("Printed in the header of every document (panel.yaml)."),
        confidentiality_statement=leaf(
            "Read by the chair at the start of every meeting (panel.yaml)."
        ),
    )


def _person(description: str) -> Var:
    return from_model(Person, description)


def _meeting(**more: Var) -> Var:
    return record(
        "The meeting (panel.yaml meetings).",
        date=leaf("Meeting date."),
        time=leaf("Start time, e.g. 10:00-13:00 (may be empty)."),
        venue=leaf("Where the panel meets (may be empty)."),
        **more,
    )


def _signed() -> Var:
    return record(
        "Who signed the minutes as a true record; empty on a draft.",
        name=leaf("The chair or deputy who signed."),
        role=leaf("Chair or Deputy chair."),
        date=leaf("The day they signed."),
    )


def _open_action() -> Var:
    return record(
        "An open action of the case (register, Actions sheet).",
        action_id=leaf("Action ID, e.g. CCP-2027-004-A2."),
        action=leaf("What will be done."),
        agency=leaf("The agency that owns it."),
        owner=leaf("The named professional."),
        due=leaf("Due date."),
        status=leaf("Open, In progress, Completed or Cancelled."),
        overdue=leaf("True when past its due date."),
        carried_forward=leaf("How many meetings it has been carried forward to (0 if none)."),
    )


# --- each template ---------------------------------------------------------------------------


def _referral() -> dict[str, Var]:
    """workflow.cases.store.case_context"""
    attachments = record(
        "Papers actually stored with the case (a path, or empty where not supplied).",
        chronology=leaf("The chronology, if supplied."),
        risk_assessment=leaf("The current risk assessment, if supplied."),
        last_review_report=leaf("The last case review report, if supplied."),
    )
    return {
        "case_id": leaf("The case ID, e.g. CCP-2027-004."),
        "accepted_on": leaf("The day the administrator accepted the referral."),
        "panel": _panel(),
        "referral": from_model(Referral, "The referral as accepted.", attachments=attachments),
        "referring_agency": leaf("The referrer's agency."),
    }


def _agenda() -> dict[str, Var]:
    """workflow.meetings.pack.agenda_context"""
    paper = record(
        "A paper for circulation.",
        title=leaf("Chronology, Risk assessment or Last review report."),
        supplied=leaf("True when it was supplied."),
    )
    return {
        "panel": _panel(),
        "meeting": _meeting(),
        "chair": _person("The panel's chair (panel.yaml)."),
        "previous": leaf("The previous meeting's date (may be empty)."),
        "next": leaf("The next meeting's date (may be empty)."),
        "last_minutes_available": leaf("True when the last meeting's signed minutes are in."),
        "new_referrals": many(
            "New referrals accepted for this meeting.",
            record(
                "A new referral.",
                case_id=leaf("Case ID."),
                referring_agency=leaf("The referring agency."),
                risk_level=leaf("Highest risk level given, in words."),
                late_accepted_by=leaf("The chair who accepted it late (may be empty)."),
                presenter=leaf("Who presents the case."),
                time=leaf("Its time slot on a timed agenda (may be empty)."),
                missing_papers=many("Papers not supplied, in words.", leaf("A paper.")),
                papers=many("Each paper for circulation.", paper),
            ),
        ),
        "progress_reviews": many(
            "Earlier cases whose progress reports are due at this meeting.",
            record(
                "A progress review.",
                case_id=leaf("Case ID."),
                referred_by=leaf("The referring agency."),
                presenter=leaf("Who presents the case."),
                time=leaf("Its time slot (may be empty)."),
                risk_latest=leaf("The risk level the panel last agreed, in words."),
                status=leaf("Red, Amber or Green."),
                report_received=leaf("True when the progress report is in."),
                overdue_count=leaf("How many of its actions are overdue."),
                carried_count=leaf("How many of its open actions were carried forward."),
                open_actions=many("Its open actions.", _open_action()),
                cancelled_actions=many(
                    "Its cancelled actions (register, Actions sheet).",
                    record(
                        "A cancelled action.",
                        action_id=leaf("Action ID."),
                        action=leaf("What was to be done."),
                        agency=leaf("The agency that owned it."),
                        reason=leaf(
                            "Why it was not done, in words: Circumstances changed, Not "
                            "undertaken by the agency, or No reason recorded."
                        ),
                    ),
                ),
            ),
        ),
        "strategic_items": many(
            "Strategic items (meetings/DATE/strategic.yaml).",
            from_model(
                StrategicItem,
                "A strategic item.",
                time=leaf("Its time slot (may be empty)."),
            ),
        ),
        "timed": leaf("True when the agenda gives each item a time."),
        "restricted_cases": many(
            "Cases on the agenda this copy leaves out (restricted to named agencies).",
            record(
                "A restricted case, named only.",
                case_id=leaf("Case ID."),
                kind=leaf('"new" (a new referral) or "review" (a progress review).'),
            ),
        ),
    }


def _cover() -> dict[str, Var]:
    """workflow.meetings.pack.cover_context"""
    return {
        "panel": _panel(),
        "meeting": _meeting(),
        "prepared_on": leaf("The day the pack was built."),
        "administrator": _person("The panel administrator (panel.yaml)."),
        "case_count": leaf("How many new referrals the pack holds."),
        "review_count": leaf("How many progress reviews."),
        "outstanding": many("What readiness found missing.", leaf("One missing item.")),
    }


def _minutes() -> dict[str, Var]:
    """workflow.meetings.minutes.minutes_context"""
    return {
        "panel": _panel(),
        "meeting": _meeting(next_date=leaf("The next meeting's date (may be empty).")),
        "record": from_model(
            MinutesRecord,
            "The minutes record.",
            minute_taker=leaf("Who took the minutes (may be empty)."),
        ),
        "attending": many(
            "Who attended for one item only: each case's presenter.",
            record(
                "One person attending for an item.",
                name=leaf("Who presented the case, and their role."),
                item=leaf("The agenda item: its number and case ID."),
            ),
        ),
        "draft": leaf("True on the note-taker's draft."),
        "version": leaf("The minutes version (empty on a draft)."),
        "signed": _signed(),
        "changes": many("What this version changed (an amendment).", leaf("One change.")),
        "restricted_cases": many(
            "Cases this limited version leaves out (restricted to named agencies).",
            leaf("A case ID."),
        ),
    }


def _extract() -> dict[str, Var]:
    """workflow.meetings.minutes.extract_context"""
    return {
        "panel": _panel(),
        "meeting": record("The meeting.", date=leaf("Meeting date.")),
        "chair": leaf("Who chaired the meeting."),
        "present": many("Who was present.", from_model(Attendee, "A person present.")),
        "case": from_model(MinutesCase, "This child's case as minuted."),
        "child": record(
            "The child: in the body only, never in a header or footer.",
            name=leaf("The child's full name."),
            local_id=leaf("The case-management number."),
        ),
        "key_worker": from_model(Professional, "The child's key worker or lead professional."),
        "version": leaf("The minutes version."),
        "signed": _signed(),
    }


def _progress() -> dict[str, Var]:
    """workflow.cases.progress.report_context"""
    report = from_model(ProgressReport, "The progress report as received.")
    assert report.fields is not None
    return {
        "panel": _panel(),
        "case_id": leaf("Case ID."),
        "meeting": leaf("The panel meeting it reports to."),
        "report_date": leaf("The report's date."),
        "received_on": leaf("The day the administrator added it."),
        "reporter": report.fields["reported_by"],
        "report": report,
        "actions": many(
            "Every action of the case, as the register and the report give it.",
            record(
                "An action.",
                action_id=leaf("Action ID."),
                action=leaf("What was to be done."),
                agency=leaf("The owning agency."),
                owner=leaf("The named professional."),
                due=leaf("Due date."),
                status=leaf("Status now."),
                was=leaf("Its status before this report, where it changed."),
                completed_on=leaf("When completed (completed actions only)."),
                overdue=leaf("True when past its due date and open."),
                progress=leaf("The reporter's words on it."),
            ),
        ),
        "counts": record(
            "How many actions are in each state.",
            completed=leaf("Completed."),
            open=leaf("Open or in progress."),
            overdue=leaf("Overdue."),
            cancelled=leaf("Cancelled."),
        ),
        "risk": record(
            "The level of risk over time, in words.",
            at_referral=leaf("At referral."),
            agreed=leaf("Last agreed by the panel."),
            now=leaf("As the reporter sees it now."),
            change=leaf("Higher, Lower or Unchanged."),
        ),
        "recommendation": leaf("Continue, close or escalate, in words."),
    }


def _annual() -> dict[str, Var]:
    """workflow.reports.files.report_context"""
    table = record(
        "A table of figures (the workbook has the same table as a sheet).",
        title=leaf("The table's title."),
        label=leaf("Heading of the first column."),
        columns=many("Headings of the figure columns.", leaf("A heading.")),
        rows=many(
            "Its rows, the total last.",
            record(
                "A row.",
                label=leaf("What the row counts."),
                cells=many(
                    'Its figures as published: a number, "fewer than N" or "not shown".',
                    leaf("A figure."),
                ),
                total=leaf("True for the total row."),
            ),
        ),
        note=leaf("How each figure is counted."),
        chart=leaf("Where its chart goes: print it alone in a paragraph (empty if none)."),
    )

    return {
        "panel": _panel(),
        "chair": _person("The panel's chair, who signs the report."),
        "year": leaf("The year the report's year starts in, e.g. 2026."),
        "year_label": leaf('The report\'s year as the report names it, e.g. "2027" or "2026/27".'),
        "workbook": leaf("The file name of the figures workbook, e.g. annual-2026-27.xlsx."),
        "period": record(
            "The period the figures cover.",
            start=leaf("First day."),
            end=leaf("Last day."),
        ),
        "as_of": leaf("Statuses (actions overdue, reports received) are as on this day."),
        "prepared_on": leaf("The day the report was made."),
        "threshold": leaf("The small-number threshold (panel.yaml small_number_threshold)."),
        "fewer_than": leaf('What a small count shows as, e.g. "fewer than 5".'),
        "suppression_note": leaf(
            'Why some figures read "fewer than N" or "not shown", in plain words: print it '
            "in the introduction or the notes."
        ),
        "summary": many(
            "The year in figures.",
            record("A figure.", label=leaf("What it counts."), value=leaf("The figure.")),
        ),
        "tables": record(
            "Every table of the report, by name.",
            **{key: Var(f"{title}.", fields=table.fields) for key, title in TABLE_KEYS.items()},
        ),
        "median_wait": leaf("Median days from referral to first discussion (may be empty)."),
        "commentary": record(
            "The chair's commentary (empty until the chair's file is given).",
            commentary=many("The chair's commentary, a paragraph each.", leaf("A paragraph.")),
            impact=many("Impact for children, a paragraph each.", leaf("A paragraph.")),
            themes=many(
                "The chair's comment on each theme.",
                record(
                    "A theme.",
                    theme=leaf("The theme."),
                    comment=many("The comment, a paragraph each.", leaf("A paragraph.")),
                ),
            ),
            recommendations=many(
                "Recommendations to the Board, in order.",
                record(
                    "A recommendation.",
                    recommendation=leaf("What the panel recommends."),
                    owner=leaf("Who should act (may be empty)."),
                    by=leaf("By when, as a date in words (may be empty)."),
                ),
            ),
        ),
    }


# Templates by file name: what each is, and what it receives.
TEMPLATES: dict[str, tuple[str, Any]] = {
    REFERRAL_TEMPLATE: ("The formal referral, written when a referral is accepted.", _referral),
    AGENDA_TEMPLATE: ("The meeting's agenda, first part of the circulation pack.", _agenda),
    COVER_TEMPLATE: ("The circulation pack's cover (its header is the pack's).", _cover),
    MINUTES_TEMPLATE: ("The minutes: the note-taker's draft and the signed record.", _minutes),
    EXTRACT_TEMPLATE: ("One child's case from the signed minutes.", _extract),
    PROGRESS_TEMPLATE: ("A progress report received for a case.", _progress),
    ANNUAL_REPORT_TEMPLATE: ("The chair's annual report to the Board.", _annual),
}

# Names a template may use besides its data: Jinja's own, and the filters ccp adds.
BUILTINS = frozenset({"loop", "range", "namespace", "dict", "lipsum", "cycler", "joiner"})


@dataclass
class TemplateData:
    name: str
    description: str
    builder: str  # the function that builds the context, for the docs
    variables: dict[str, Var] = field(default_factory=dict)


def template_data(name: str) -> TemplateData | None:
    entry = TEMPLATES.get(name)
    if entry is None:
        return None
    description, make = entry
    return TemplateData(name, description, (make.__doc__ or "").strip(), make())


def markdown() -> str:
    """docs/templates.md: what each template receives (scripts/build_template_docs.py)."""
    lines = [
        "# What each Word template receives",
        "",
        "Generated from `workflow/template_data.py` by `python scripts/build_template_docs.py`;",
        "a test keeps it in sync. Edit a template in your workspace with",
        "`ccp templates copy NAME`, then check it with `ccp templates check`.",
        "",
        "Values are printed with `{{ name }}`; a list is repeated with `{%p for x in list %}`",
        "(paragraphs) or `{%tr for x in list %}` (table rows), closed by `{%p endfor %}` or",
        "`{%tr endfor %}`. Filters: `uk_date` (14 January 2027), `words` (a code in words),",
        "`yesno`, `blank` (a stand-in for an empty value), `age` (years between two dates).",
        "Headers and footers may only hold panel, meeting and case-reference data.",
        "",
    ]
    for name in TEMPLATES:
        data = template_data(name)
        assert data is not None
        lines += [f"## {name}", "", f"{data.description} Built by `{data.builder}`.", ""]
        lines += ["| variable | what it is |", "|---|---|"]
        for key, var in data.variables.items():
            lines += _rows(key, var)
        lines.append("")
    return "\n".join(lines)


def _rows(path: str, var: Var, depth: int = 0) -> list[str]:
    shown = f"`{path}`" + (" (list)" if var.is_list else "")
    words = var.description.replace("|", "\\|").replace("\n", " ")
    rows = [f"| {shown} | {words} |"]
    if depth > 6:
        return rows
    children = list((var.fields or {}).values())
    if len(children) > 1 and all(c.fields is children[0].fields is not None for c in children):
        # Many entries of one shape (the annual report's tables): the shape is listed once.
        rows += [f"| `{path}.{key}` | {child.description} |" for key, child in var.fields.items()]
        shape = Var("", fields=children[0].fields)
        for key, child in (shape.fields or {}).items():
            rows += _rows(f"{path}.NAME.{key}", child, depth + 1)
    elif var.fields:
        for key, child in var.fields.items():
            rows += _rows(f"{path}.{key}", child, depth + 1)
    elif var.items is not None and var.items.fields:
        for key, child in var.items.fields.items():
            rows += _rows(f"{path}[].{key}", child, depth + 1)
    return rows
