"""Recording minutes: checking a completed record and merging its decisions into the register.

Recording merges, it never replaces: an action keeps its ID for life (an action a later
version drops is Cancelled, with its typed status and notes kept); statuses, completion
dates, notes, resource confirmations and rows typed by hand survive; and what a later
meeting decided (a case's latest risk, its next progress report) is never rolled back by
recording or amending an earlier one. The register is the single source of truth: which
version is current, and whether it is signed, is read from it under its lock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from workflow.cases.actions import append_note
from workflow.contract import LABELS, MinutesRecord, PanelConfig
from workflow.contract.rules import minutes_problems
from workflow.contract.terms import ACTION_ID, OPEN_ACTION_STATUSES, RECORDED_MEETING_STATUSES
from workflow.core import files
from workflow.core.dates import today, uk_date, uk_date_as_typed
from workflow.core.errors import FormInvalid, MinutesLocked, Problem
from workflow.forms.loading import read_data, validate
from workflow.meetings.records import (
    escalating_meetings,
    load_recorded,
    meeting_row,
    record_digest,
    roll_forward,
    signature_rows,
    stage_path,
    version_of,
)
from workflow.workspace.paths import Workspace
from workflow.workspace.privacy import file_mode
from workflow.workspace.transaction import transaction


@dataclass
class Recorded:
    meeting: date
    version: int
    action_ids: list[str]
    written: list[Path]


def check_minutes(workspace: Workspace, path: Path, register: Any) -> MinutesRecord:
    panel = workspace.panel

    def rules(record: MinutesRecord) -> list[Problem]:
        # The record's cases must exist: searched for, not 6,000 rows read.
        named = [case.case_id for case in record.cases]
        known = {str(row.get("case_id")) for row in register.select("Cases", "case_id", named)}
        return minutes_problems(record, panel, known)

    return validate(MinutesRecord, read_data(path), path, rules=rules)


def record_minutes(workspace: Workspace, path: Path) -> Recorded:
    """Validate a completed record and merge its decisions into the register.

    Recording again before signing updates the same version; after signing it is refused
    (use amend_minutes).
    """
    return _record(workspace, Path(path), amending=False)


def amend_minutes(workspace: Workspace, meeting: date, path: Path) -> Recorded:
    """A corrected record for a signed meeting: a new version with its change log."""
    return _record(workspace, Path(path), amending=True, meeting=meeting)


def _record(
    workspace: Workspace, path: Path, *, amending: bool, meeting: date | None = None
) -> Recorded:
    command = "minutes amend" if amending else "minutes record"
    with transaction(workspace, command) as change:
        register = change.register
        record = check_minutes(workspace, path, register)
        if meeting is not None and record.meeting != meeting:
            raise FormInvalid(
                path, [Problem("meeting", f"must be {meeting.isoformat()}, the meeting amended")]
            )
        roll_forward(workspace, register, record.meeting)
        row = meeting_row(register, record.meeting)
        current = version_of(row)
        signed = {entry["version"]: entry for entry in signature_rows(register, record.meeting)}
        changes: list[str] = []
        if amending:
            if current not in signed:
                raise MinutesLocked(
                    f"the {uk_date(record.meeting)} minutes are not signed yet: correct them "
                    "with `ccp minutes record` instead"
                )
            previous = load_recorded(workspace, record.meeting, current).record
            changes = change_log(previous, record)
            version = current + 1
        else:
            if current in signed:
                entry = signed[current]
                raise MinutesLocked(
                    f"the {uk_date(record.meeting)} minutes were signed by {entry['signed_by']} "
                    f"on {uk_date_as_typed(entry['signed_on'])} and are locked; correct them with "
                    "`ccp minutes amend`"
                )
            version = current or 1
        first_recording = current == 0
        record = apply_minutes(
            register,
            record,
            version,
            workspace.panel,
            first_recording=first_recording,
            source=path,
            escalated_elsewhere=lambda case_id: bool(
                escalating_meetings(workspace, register, case_id, besides=record.meeting)
            ),
        )
        if amending and not changes:
            raise FormInvalid(path, [Problem("", "nothing differs from the signed version")])
        payload = json.dumps(
            {
                "version": version,
                "changes": changes,
                "record": record.model_dump(mode="json"),
            },
            indent=2,
            ensure_ascii=False,
        ).encode("utf-8")
        row = meeting_row(register, record.meeting)
        row["record_sha256"] = record_digest(payload)
        target = workspace.recorded_minutes(record.meeting, version)
        # Stage, commit the register, publish: a kill in between is rolled forward by the
        # next command, because the register names the staged file's hash.
        staged = stage_path(target)
        files.write_bytes(staged, payload, mode=file_mode(workspace))
        try:
            change.commit()
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        files.publish(staged, target)
    ids = [action.action_id or "" for case in record.cases for action in case.actions] + [
        action.action_id or "" for item in record.strategic_items for action in item.actions
    ]
    return Recorded(record.meeting, version, ids, [target, workspace.register_file])


def change_log(before: MinutesRecord, after: MinutesRecord) -> list[str]:
    """One line per field that differs: 'cases[1].risk_level: high -> very_high'."""
    lines: list[str] = []

    def walk(old: Any, new: Any, where: str) -> None:
        if isinstance(old, dict) and isinstance(new, dict):
            for key in dict.fromkeys([*old, *new]):
                if key == "action_id":
                    continue  # given by the register, not a change anyone made
                walk(old.get(key), new.get(key), f"{where}.{key}" if where else key)
        elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
            for index, (a, b) in enumerate(zip(old, new, strict=True)):
                walk(a, b, f"{where}[{index + 1}]")
        elif old != new:
            lines.append(f"{where}: {_short(old)} -> {_short(new)}")

    walk(before.model_dump(mode="json"), after.model_dump(mode="json"), "")
    return lines


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    text = text.replace("\n", " ")
    return text if len(text) <= 80 else text[:77] + "..."


# --- the merge ---------------------------------------------------------------------------


def apply_minutes(
    register: Any,
    record: MinutesRecord,
    version: int,
    panel: PanelConfig,
    *,
    first_recording: bool = True,
    source: Path | None = None,
    escalated_elsewhere: Callable[[str], bool] = lambda case_id: False,
) -> MinutesRecord:
    """Merge the record's decisions into the register; returns the record with action IDs.

    ``escalated_elsewhere(case_id)``: whether another meeting's minutes escalated the case.
    """
    meeting = record.meeting
    verb = "minutes record" if version == 1 else "minutes amend"
    # Only this meeting's cases' actions are read (by their IDs, which begin with the case
    # ID), with those of cases an earlier version minuted, not ten years of actions.
    minuted = {case.case_id for case in record.cases}
    keys = [*minuted, *sorted(_minuted_before(register, meeting) - minuted)]
    actions = register.select(
        "Actions",
        "action_id",
        [f"{key}-A" for key in keys] + [f"SI-{meeting.isoformat()}-A"],
        prefix=True,
    )
    used: dict[str, int] = {}
    for row in actions:
        match = ACTION_ID.match(str(row.get("action_id") or ""))
        if match:
            used[match.group(1)] = max(used.get(match.group(1), 0), int(match.group(2)))
    problems: list[Problem] = []
    cases = []
    for index, case in enumerate(record.cases, start=1):
        ids = _merge_actions(
            register,
            actions,
            meeting,
            case.case_id,
            case.actions,
            used,
            version,
            problems,
            f"cases[{index}].actions",
        )
        cases.append(
            case.model_copy(
                update={
                    "actions": [
                        action.model_copy(update={"action_id": action_id})
                        for action, action_id in zip(case.actions, ids, strict=True)
                    ]
                }
            )
        )
    strategic_key = f"SI-{meeting.isoformat()}"
    strategic_actions = [action for item in record.strategic_items for action in item.actions]
    strategic_ids = _merge_actions(
        register,
        actions,
        meeting,
        None,
        strategic_actions,
        used,
        version,
        problems,
        "strategic_items.actions",
        owner_key=strategic_key,
    )
    if problems:
        raise FormInvalid(source or Path("minutes.yaml"), problems)
    iterator = iter(strategic_ids)
    items = [
        item.model_copy(
            update={
                "actions": [
                    action.model_copy(update={"action_id": next(iterator)})
                    for action in item.actions
                ]
            }
        )
        for item in record.strategic_items
    ]
    # A case minuted in an earlier version but not in this one: its actions are dropped too.
    for row in actions:
        if (
            row.get("meeting") == meeting
            and row.get("case_id")
            and row.get("case_id") not in minuted
            and ACTION_ID.match(str(row.get("action_id") or ""))
        ):
            _drop(row, version)
    merged = record.model_copy(update={"cases": cases, "strategic_items": items})

    _merge_resources(register, merged, version)
    latest = _latest_decisions(register, merged)
    _merge_progress(register, merged, latest)
    case_rows = register.select("Cases", "case_id", [case.case_id for case in merged.cases])
    for case in merged.cases:
        for row in (row for row in case_rows if row.get("case_id") == case.case_id):
            # Escalation is a fact of the case's history, whichever meeting decided it: a
            # later meeting that does not escalate again leaves it standing.
            if case.escalate_to_partnership:
                row["escalated"] = True
            elif row.get("escalated") is True and not escalated_elsewhere(case.case_id):
                row["escalated"] = False  # an amendment took back the only escalation
            if case.case_id not in latest:
                continue  # a later meeting has decided since: its decisions stand
            row["risk_latest"] = LABELS[case.risk_level]
            row["next_progress_due"] = (
                case.progress_report.due_meeting if case.progress_report else None
            )
            row["status"] = "closed" if case.close_case else "open"
            row["closed_on"] = meeting if case.close_case else None
    carried = _carry_forward(register, meeting) if first_recording else []

    rows = register.find("Meetings", meeting=meeting)
    row = rows[0] if rows else register.append("Meetings", {"meeting": meeting})
    row.update(
        {
            "status": "minuted" if version == 1 else "amended",
            "chair": merged.chair,
            "present": "; ".join(f"{p.name} ({p.agency})" for p in merged.present),
            "apologies": "; ".join(f"{p.name} ({p.agency})" for p in merged.apologies) or None,
            "cases": ", ".join(case.case_id for case in merged.cases) or None,
            "version": version,
        }
    )
    ids = [a.action_id for c in merged.cases for a in c.actions] + list(strategic_ids)
    detail = f"{len(merged.cases)} case(s); actions {_listed(ids)}"
    if carried:
        detail += f"; carried forward {_listed(carried)}"
    register.audit(
        command=verb,
        action=f"recorded minutes version {version}",
        target=meeting.isoformat(),
        detail=detail,
        # The day ccp runs as of: the timeliness of the minutes is measured from it.
    )
    return merged


def _listed(ids: list[str], shown: int = 100) -> str:
    """IDs for an Audit row: a busy panel carries thousands of actions forward, and a cell
    holds at most 32,767 characters (the register has each action's count)."""
    if not ids:
        return "none"
    if len(ids) <= shown:
        return ", ".join(ids)
    return f"{len(ids):,}: {', '.join(ids[:shown])} and {len(ids) - shown:,} more"


def _merge_actions(
    register: Any,
    actions: list[dict[str, Any]],
    meeting: date,
    case_id: str | None,
    wanted: list[Any],
    used: dict[str, int],
    version: int,
    problems: list[Problem],
    where: str,
    *,
    owner_key: str | None = None,
) -> list[str]:
    """Match each action to its register row (by ID, then wording, then order); new ones
    get the next unused number; rows no longer minuted are Cancelled, never deleted."""
    key = owner_key or case_id or ""
    existing = [
        row
        for row in actions
        if row.get("meeting") == meeting
        and (row.get("case_id") or None) == case_id
        and (m := ACTION_ID.match(str(row.get("action_id") or "")))
        and m.group(1) == key
    ]
    by_id = {row["action_id"]: row for row in existing}
    matched: dict[int, dict[str, Any]] = {}
    taken: set[int] = set()
    for index, action in enumerate(wanted):
        if action.action_id:
            row = by_id.get(action.action_id)
            if row is None:
                problems.append(
                    Problem(
                        f"{where}[{index + 1}].action_id",
                        f"{action.action_id} is not an action of {key} agreed at this meeting",
                    )
                )
                continue
            if id(row) in taken:
                problems.append(
                    Problem(f"{where}[{index + 1}].action_id", f"{action.action_id} is repeated")
                )
                continue
            matched[index] = row
            taken.add(id(row))
    for index, action in enumerate(wanted):
        if index in matched or action.action_id:
            continue
        for row in existing:
            if id(row) not in taken and row.get("action") == action.description:
                matched[index] = row
                taken.add(id(row))
                break
    left_rows = [row for row in existing if id(row) not in taken]
    left_actions = [i for i, a in enumerate(wanted) if i not in matched and not a.action_id]
    if left_rows and len(left_rows) == len(left_actions):
        # Reworded in place: the same number of actions, in the same order.
        for index, row in zip(left_actions, left_rows, strict=True):
            matched[index] = row
            taken.add(id(row))
    ids: list[str] = []
    for index, action in enumerate(wanted):
        row = matched.get(index)
        if row is None:
            used[key] = used.get(key, 0) + 1
            action_id = f"{key}-A{used[key]}"
            register.append(
                "Actions",
                {
                    "action_id": action_id,
                    "case_id": case_id,
                    "meeting": meeting,
                    "action": action.description,
                    "agency": action.agency,
                    "owner": action.owner,
                    "due": action.due,
                    "status": "Open",
                    "carried_forward": 0,
                },
            )
            ids.append(action_id)
            continue
        # The minutes own what was agreed; status, completion and notes are the register's.
        for field_key, value in (
            ("action", action.description),
            ("agency", action.agency),
            ("owner", action.owner),
            ("due", action.due),
        ):
            if row.get(field_key) != value:
                row[field_key] = value
        if row.get("status") == "Cancelled" and _dropped_note(row):
            row["status"] = "Open"  # minuted again after an earlier version dropped it
            if _dropped_with_reason(row):
                row["reason_not_done"] = None  # the drop's reason, not a person's
            append_note(row, today(), f"restored by version {version} of the minutes")
        ids.append(str(row["action_id"]))
    for row in existing:
        if id(row) not in taken:
            _drop(row, version)
    return ids


_DROPPED = "of the minutes dropped this action"
_DROP_REASON = "; reason not done: circumstances changed"


def _dropped_note(row: dict[str, Any]) -> bool:
    return _DROPPED in str(row.get("notes") or "")


def _dropped_with_reason(row: dict[str, Any]) -> bool:
    """The last drop gave the reason not done (a person had not): restoring takes it back."""
    notes = str(row.get("notes") or "")
    last = notes[notes.rfind(_DROPPED) :]
    return last.startswith(_DROPPED + _DROP_REASON)


def _drop(row: dict[str, Any], version: int) -> None:
    if row.get("status") == "Cancelled":
        return
    row["status"] = "Cancelled"
    note = f"version {version} {_DROPPED}"
    if not row.get("reason_not_done"):
        row["reason_not_done"] = "circumstances changed"
        note += _DROP_REASON
    append_note(row, today(), note)


def _merge_resources(register: Any, record: MinutesRecord, version: int) -> None:
    meeting = record.meeting
    rows = register.select("Resources", "case_id", [case.case_id for case in record.cases])
    for case in record.cases:
        existing = [
            r for r in rows if r.get("meeting") == meeting and r.get("case_id") == case.case_id
        ]
        taken: set[int] = set()
        for resource in case.resources:
            row = next(
                (
                    r
                    for r in existing
                    if id(r) not in taken
                    and r.get("agency") == resource.agency
                    and r.get("description") == resource.description
                ),
                None,
            )
            if row is None:
                register.append(
                    "Resources",
                    {
                        "case_id": case.case_id,
                        "meeting": meeting,
                        "agency": resource.agency,
                        "description": resource.description,
                        "amount": resource.amount,
                        "confirmed": resource.confirmed,
                    },
                )
                continue
            taken.add(id(row))
            if resource.amount is not None and row.get("amount") != resource.amount:
                row["amount"] = resource.amount
            # A confirmation typed into the register stands; the minutes can only add one.
            if resource.confirmed and row.get("confirmed") is not True:
                row["confirmed"] = True
        for row in existing:
            if id(row) not in taken and "no longer in the minutes" not in str(
                row.get("notes") or ""
            ):
                append_note(row, today(), f"no longer in the minutes (version {version})")


def _minuted_before(register: Any, meeting: date) -> set[str]:
    """The cases the meeting's row says an earlier recording minuted."""
    row = meeting_row(register, meeting)
    return {
        case_id for case_id in re.split(r"[,;\s]+", str((row or {}).get("cases") or "")) if case_id
    }


def _latest_decisions(register: Any, record: MinutesRecord) -> set[str]:
    """The cases whose latest recorded discussion is this meeting's (no later one decided)."""
    later: dict[str, date] = {}
    for row in register.rows("Meetings"):
        day = row.get("meeting")
        if not isinstance(day, date) or day <= record.meeting:
            continue
        if str(row.get("status") or "") not in RECORDED_MEETING_STATUSES:
            continue
        for case_id in re.split(r"[,;\s]+", str(row.get("cases") or "")):
            if case_id:
                later[case_id] = max(later.get(case_id, day), day)
    return {case.case_id for case in record.cases if case.case_id not in later}


def _merge_progress(register: Any, record: MinutesRecord, latest: set[str]) -> None:
    meeting = record.meeting
    note = f"requested at the {meeting.isoformat()} meeting"
    rows = register.select("Progress", "case_id", [case.case_id for case in record.cases])
    for case in record.cases:
        wanted = case.progress_report.due_meeting if case.progress_report else None
        if case.case_id in latest:
            # A request this meeting made earlier and no longer makes, untouched since and
            # not yet answered, goes: it would keep the case on the wrong agenda.
            for row in list(rows):
                if (
                    row.get("case_id") == case.case_id
                    and row.get("notes") == note
                    and not row.get("received_on")
                    and not row.get("file")
                    and row.get("due_meeting") != wanted
                ):
                    register.remove("Progress", row)
                    rows.remove(row)
        if case.progress_report is None:
            continue
        found = [
            row
            for row in rows
            if row.get("case_id") == case.case_id and row.get("due_meeting") == wanted
        ]
        label = LABELS[case.progress_report.format]
        if found:
            if found[0].get("format") != label and not found[0].get("received_on"):
                found[0]["format"] = label
            continue
        if case.case_id not in latest:
            continue
        register.append(
            "Progress",
            {"case_id": case.case_id, "due_meeting": wanted, "format": label, "notes": note},
        )


def _carry_forward(register: Any, meeting: date) -> list[str]:
    """Actions agreed at an earlier meeting and still open at this one: counted once each."""
    earlier = [
        row
        for row in register.select("Actions", "status", OPEN_ACTION_STATUSES)
        if isinstance(row.get("meeting"), date)
        and row["meeting"] < meeting
        and row.get("status") in OPEN_ACTION_STATUSES
    ]
    # Only those actions' cases are looked up (most of ten years' cases are closed).
    named = sorted({str(row.get("case_id")) for row in earlier if row.get("case_id")})
    closed = {
        str(row.get("case_id"))
        for row in register.select("Cases", "case_id", named)
        if str(row.get("status") or "").lower() == "closed"
    }
    carried = []
    for row in earlier:
        if str(row.get("case_id")) not in closed:
            count = row.get("carried_forward")
            row["carried_forward"] = (count if isinstance(count, int) else 0) + 1
            carried.append(str(row.get("action_id")))
    return carried
