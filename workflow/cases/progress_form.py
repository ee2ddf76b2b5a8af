"""A case's progress report form, pre-filled from the register: commented YAML or Word."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path
from typing import Any

from workflow.cases.actions import (
    status_of,
)
from workflow.cases.progress import (
    BLANK_ANSWER,
    PROGRESS_FORM,
    WORDS_TO_STATUS,
    CaseFacts,
    case_facts,
    closed_message,
    due_meeting,
)
from workflow.contract.progress import ProgressReport
from workflow.contract.terms import COMPLETED
from workflow.core.dates import as_date, today, uk_date
from workflow.core.errors import (
    FileUnreadable,
    WorkspaceError,
)
from workflow.core.files import publish, staging_dir, write_text
from workflow.forms.loading import dump_yaml
from workflow.forms.word import write_form
from workflow.forms.word.prefill import FormEditor
from workflow.register import Register
from workflow.workspace.paths import Workspace

# Boxes ccp fills in and the reporter must not change.
LOCKED_BOXES = ("case_id", "meeting", "actions[].action_id")


def _status_code(row: dict[str, Any]) -> str | None:
    return WORDS_TO_STATUS.get(status_of(row) or "")


def prefill(workspace: Workspace, facts: CaseFacts, meeting: date) -> dict[str, Any]:
    """The report's answers ccp knows: case, meeting, each action with its status now."""
    return {
        "case_id": facts.case_id,
        "meeting": meeting,
        "reported_by": {"name": None, "role": None, "agency": None, "email": None},
        "date": None,
        "actions": [
            {
                "action_id": str(row.get("action_id") or ""),
                "status": _status_code(row),
                "progress": None,
                "completed_on": as_date(row.get("completed_on"))
                if status_of(row) == COMPLETED
                else None,
            }
            for row in facts.actions
            if row.get("action_id")
        ],
        "risk_level": None,
        "risk_rationale": None,
        "changes": None,
        "child_views": None,
        "plan_revised": None,
        "iro_informed_on": None,
        "still_needed": None,
        "recommendation": None,
        "recommendation_reason": None,
    }


def _action_line(row: dict[str, Any]) -> str:
    due = as_date(row.get("due"))
    who = ", ".join(str(row.get(key)) for key in ("agency", "owner") if row.get(key))
    text = " ".join(str(row.get("action") or "").split())
    when = f"due {uk_date(due)}" if due else "no due date"
    return f"{row.get('action_id')}: {text} ({who}; {when}; {status_of(row) or row.get('status')})"


def progress_yaml(workspace: Workspace, facts: CaseFacts, meeting: date) -> str:
    """The pre-filled report as commented YAML."""
    data = prefill(workspace, facts, meeting)
    panel = workspace.panel
    lines = [
        f"# Progress report on {facts.case_id} to the {panel.name}, {uk_date(meeting)}.",
        f"# Pre-filled from the register on {uk_date(today())}. Complete every field not",
        "# marked (optional), then check it with:  ccp progress check THIS_FILE",
        "# Dates are ISO: 2027-05-13. For several lines write | after the colon and the",
        "# lines below it, indented. Text with a colon or a # goes in quotes.",
        "",
    ]
    by_id = {str(row.get("action_id")): row for row in facts.actions}
    for name, info in ProgressReport.model_fields.items():
        extra = {
            "actions": " Each action: status open, in_progress, completed or cancelled; "
            "progress (required while open); completed_on (only when completed).",
            "risk_level": " One of: low, medium, high, very_high.",
            "recommendation": " A close recommendation does not close the case: the panel "
            "decides at the meeting.",
            "plan_revised": " true or false.",
        }.get(name, "")
        optional = "" if info.is_required() else " (optional)"
        comment = f"{info.title}: {info.description}{extra}{optional}"
        lines += [f"# {line}" for line in textwrap.wrap(comment, 86)]
        if name == "actions":
            if not data["actions"]:
                lines.append("actions: []  # the panel agreed no actions for this case")
                continue
            lines.append("actions:")
            for entry in data["actions"]:
                lines.append(f"  # {_action_line(by_id[entry['action_id']])}".replace("\n", " "))
                lines += [f"  {line}" for line in dump_yaml([entry]).rstrip("\n").splitlines()]
            continue
        lines += dump_yaml({name: data[name]}).rstrip("\n").splitlines()
    # A blank answer is left blank, as in the referral template, rather than "null".
    return "\n".join(BLANK_ANSWER.sub(r"\1:", line) for line in lines) + "\n"


def write_progress_template(
    workspace: Workspace, case_id: str, form_format: str, out: Path, *, force: bool = False
) -> Path:
    """`ccp progress template`: the report for the case's next due meeting, pre-filled."""
    workspace.require()
    out = Path(out)
    if out.exists() and not force:
        raise FileUnreadable(f"{out}: already exists; choose another name or pass --force")
    register = Register.load(workspace.register_file, ["Cases", "Actions", "Progress"])
    facts = case_facts(register, case_id)
    if facts.closed:
        raise WorkspaceError(closed_message(facts))
    meeting = due_meeting(workspace, facts)
    if form_format == "docx":
        return write_progress_form(workspace, facts, meeting, out)
    return write_text(out, progress_yaml(workspace, facts, meeting))


def write_progress_form(workspace: Workspace, facts: CaseFacts, meeting: date, out: Path) -> Path:
    """The Word form (generated from the model like the referral's), with ccp's answers in."""

    answers = prefill(workspace, facts, meeting)
    with staging_dir(out) as staging:
        blank = write_form(
            staging / "blank.docx",
            PROGRESS_FORM,
            protective_marking=workspace.panel.protective_marking,
            panel_name=workspace.panel.name,
        )
        filler = FormEditor(blank)
        filler.put(filler.only("case_id"), answers["case_id"])
        filler.put(filler.only("meeting"), answers["meeting"].isoformat())
        actions = [
            {
                key: (value.isoformat() if isinstance(value, date) else value)
                for key, value in a.items()
            }
            for a in answers["actions"]
        ]
        if actions:
            filler.fill_table("actions", actions)
        _finish_form(
            filler,
            {
                str(row["action_id"]): _action_lines(row)
                for row in facts.actions
                if row.get("action_id")
            },
        )

        return publish(filler.save(staging / "filled.docx"), out)


def _action_lines(row: dict[str, Any]) -> list[str]:
    """What the panel agreed, who does it and by when: under the action's ID, in its row."""
    due = as_date(row.get("due"))
    who = ", ".join(str(row.get(key)) for key in ("owner", "agency") if row.get(key))
    text = " ".join(str(row.get("action") or "").split())
    return [
        text,
        f"{who or 'No owner recorded'}; {f'due {uk_date(due)}' if due else 'no due date'}",
    ]


def _finish_form(filler: Any, actions: dict[str, list[str]]) -> None:
    """Lock ccp's own answers, drop the spare action rows, say what each action is."""
    for tag in LOCKED_BOXES:
        filler.lock(tag)
    filler.drop_spare_rows("actions", "action_id")
    if actions:
        # In the action's own row: its words, owner and due date beside the answer.
        filler.lines_in_rows("actions", "action_id", actions)
    else:
        filler.lines_above_table("actions", ["The panel agreed no actions for this case."])
