"""The demo's weeks between two meetings: actions updated, reminders, progress reports.

Every person and event here is fictional. Called by `ccp demo` after the first meeting's
minutes are signed and before the second meeting's pack is built.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from workflow.cases.actions import update_action
from workflow.cases.progress import add_progress
from workflow.cases.progress_form import write_progress_template
from workflow.cases.reminders import draft_reminders
from workflow.core.dates import as_date, as_of
from workflow.core.files import write_text
from workflow.demo.word_filler import Filler
from workflow.forms.loading import dump_yaml, parse_yaml
from workflow.register import Register
from workflow.workspace.paths import Workspace
from workflow.workspace.transaction import transaction

REPORTER_1 = {
    "name": "Dana Fictional",
    "role": "Social worker",
    "agency": "Children's social care",
    "email": "dana.fictional@example.org",
}
REPORTER_2 = {
    "name": "Noor Testcase",
    "role": "Social worker",
    "agency": "Children's social care",
    "email": "noor.testcase@example.org",
}


def _demo_cases(workspace: Workspace, meeting: date) -> list[str]:
    register = Register.load(workspace.register_file, ["Cases"])
    return sorted(
        str(row["case_id"])
        for row in register.rows("Cases")
        if row.get("case_id") and as_date(row.get("meeting")) == meeting
    )


def _hand_edit(workspace: Workspace, action_id: str, changes: dict[str, Any]) -> None:
    """What the administrator types into register.xlsx in Excel, through the Register API."""
    with transaction(workspace, "demo") as change:
        [row] = change.register.find("Actions", action_id=action_id)
        row.update(changes)
        change.commit()


def _report_answers(reporter: dict[str, str], written: date, **answers: Any) -> dict[str, Any]:
    return {"reported_by": reporter, "date": written.isoformat(), **answers}


def _filled_word_report(
    workspace: Workspace, case_id: str, out: Path, answers: dict[str, Any], actions: list[dict]
) -> Path:
    """The practitioner opens the pre-filled Word form, types, saves: as Word stores it."""
    blank = write_progress_template(
        workspace, case_id, "docx", out.with_name(f".{out.stem}-blank.docx"), force=True
    )
    try:
        filler = Filler(blank, paragraphs=True)
        filler.fill(answers)
        filler.fill_table("actions", actions)
        return filler.save(out)
    finally:
        blank.unlink(missing_ok=True)


def _yaml_report(
    workspace: Workspace, case_id: str, out: Path, answers: dict[str, Any], actions: list[dict]
) -> Path:
    """The practitioner fills in the pre-filled YAML template."""
    template = write_progress_template(workspace, case_id, "yaml", out, force=True)
    data = parse_yaml(template.read_text(encoding="utf-8"), template.name)
    by_id = {entry["action_id"]: entry for entry in actions}
    for entry in data["actions"]:
        entry.update(by_id.get(entry["action_id"], {}))
    data.update(answers)
    header = f"# Progress report on {case_id}: fictional, every person and event is invented.\n"
    return write_text(out, header + dump_yaml(data))


def demo_interval(workspace: Workspace, first: date, second: date, result: Any) -> None:
    """Walk the weeks between the meetings: the register kept up to date, owners reminded,
    two progress reports received (a Word form and YAML), one case's report not sent."""
    cases = _demo_cases(workspace, first)
    kai, riley = cases[0], cases[1]
    updates = []
    with as_of(first + timedelta(days=8)):
        updates.append(
            update_action(
                workspace,
                f"{kai}-A2",
                status="Completed",
                completed_on=first + timedelta(days=6),
                note="Disruption plan shared with the school and youth justice.",
            ).summary()
        )
    with as_of(first + timedelta(days=10)):
        _hand_edit(
            workspace,
            f"{riley}-A2",
            {"status": "In progress", "notes": "Funding panel on the 20th (typed in Excel)."},
        )
        updates.append(f"{riley}-A2: In progress (edited by hand in register.xlsx)")
    with as_of(first + timedelta(days=12)):
        updates.append(
            update_action(
                workspace,
                f"{kai}-A1",
                status="In progress",
                note="Two candidates interviewed; no start date yet.",
            ).summary()
        )
    result.sections.append(("Actions updated between the meetings", updates))

    with as_of(first + timedelta(days=16)):
        reminders = draft_reminders(workspace, days=14)
    result.add(
        "Action reminders (e-mail drafts and the administrator's summary)", reminders.written
    )

    inbox = workspace.root / "inbox"
    written = second - timedelta(days=21)
    with as_of(written + timedelta(days=1)):
        word = _filled_word_report(
            workspace,
            kai,
            inbox / f"progress-{kai}.docx",
            _report_answers(
                REPORTER_1,
                written,
                risk_level="high",
                risk_rationale="No missing episodes for five weeks.\n"
                "Still in contact with the older peer group.",
                changes="Kai moved to a new supported flat nearer his brothers and started a "
                "college taster course. Police disrupted two addresses in Easttown.",
                child_views='"The new flat is better. I still see the lads sometimes."',
                plan_revised=True,
                iro_informed_on=(written - timedelta(days=4)).isoformat(),
                still_needed="A specialist exploitation worker: none has started yet.",
                recommendation="continue",
                recommendation_reason="Progress is real but fragile while no specialist "
                "worker is in place.",
            ),
            [
                {
                    "action_id": f"{kai}-A1",
                    "status": "in_progress",
                    "progress": "Two candidates interviewed; funding agreed; no start date.",
                },
                {
                    "action_id": f"{kai}-A2",
                    "status": "completed",
                    "progress": "Plan shared with the school and youth justice.",
                    "completed_on": (first + timedelta(days=6)).isoformat(),
                },
            ],
        )
        added = [add_progress(workspace, word)]
    with as_of(written + timedelta(days=3)):
        yaml_file = _yaml_report(
            workspace,
            riley,
            inbox / f"progress-{riley}.yaml",
            _report_answers(
                REPORTER_2,
                written + timedelta(days=2),
                risk_level="very_high",
                risk_rationale="One ligature incident since the panel; the placement ends "
                "next month.",
                changes="An in-county therapeutic placement has been identified; the health "
                "share of the funding is confirmed.",
                child_views='Riley says: "I want to be nearer Nan. Will I still see Dr Sketch?"',
                plan_revised=True,
                still_needed="A decision on the placement start date, and CAMHS crisis cover "
                "during the move.",
                recommendation="escalate",
                recommendation_reason="The placement cannot start before the current one "
                "ends without the Director's agreement.",
            ),
            [
                {
                    "action_id": f"{riley}-A1",
                    "status": "in_progress",
                    "progress": "Placement identified; start date under negotiation.",
                },
                {
                    "action_id": f"{riley}-A2",
                    "status": "completed",
                    "progress": "Health share confirmed at the funding panel.",
                    "completed_on": (first + timedelta(days=20)).isoformat(),
                },
            ],
        )
        added.append(add_progress(workspace, yaml_file))
    result.add(
        "Progress reports received (a filled Word form and a YAML file)",
        [word, yaml_file, *(added[0].written[:1] + added[1].written[:1])],
    )
