"""Meetings: the agenda, the pack, the minutes (draft, record, sign, amend), versions."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from workflow.core.errors import CcpError
from workflow.meetings.agenda import agenda_for
from workflow.meetings.minutes import draft_minutes
from workflow.meetings.pack import build_pack, readiness_of
from workflow.meetings.recording import amend_minutes, check_minutes, record_minutes
from workflow.meetings.records import meeting_dir
from workflow.meetings.signing import sign_minutes, verify_document
from workflow.register import Register
from workflow.web.app import workspace
from workflow.web.jobs import Job, Jobs
from workflow.web.uploads import listed, save_upload, upload_folder
from workflow.web.views.common import Issue, issues_of, status_for
from workflow.workspace.paths import Workspace

blueprint = Blueprint("meetings", __name__)


def _day(meeting: str) -> date:
    try:
        day = date.fromisoformat(meeting)
    except ValueError:
        abort(404)
    if workspace().require().panel.meeting(day) is None:
        abort(404)
    return day


@blueprint.get("/meetings")
def meetings() -> str:
    ws = workspace().require()
    rows = Register.load(ws.register_file, ["Meetings"]).rows("Meetings")
    status = {row["meeting"]: row for row in rows if isinstance(row.get("meeting"), date)}
    return render_template(
        "meetings.html",
        title="Meetings",
        meetings=[(day, status.get(day)) for day in ws.panel.meeting_dates()],
    )


def _versions(day: date, register: Register) -> list[dict[str, Any]]:
    """Every signed file of the meeting, verified against the register as `ccp verify` does."""
    ws = workspace()
    shown = []
    for row in register.rows("Signatures"):
        if row.get("meeting") != day or not row.get("file"):
            continue
        path = ws.root / str(row["file"])
        try:
            message = verify_document(ws, path).message
        except CcpError as err:
            message = "; ".join(err.lines())
        shown.append({"row": row, "message": message, "present": path.is_file()})
    return shown


def _meeting_page(day: date, status: int = 200, **shown: Any) -> tuple[str, int]:
    ws = workspace().require()
    register = Register.load(ws.register_file)
    agenda = agenda_for(ws, day, register)
    row = next((r for r in register.rows("Meetings") if r.get("meeting") == day), None)
    shown.setdefault("issues", [])
    page = render_template(
        "meeting.html",
        title=f"Meeting {day.isoformat()}",
        day=day,
        agenda=agenda,
        row=row,
        readiness=readiness_of(agenda),
        outputs=listed(ws, ws.meeting_output(day)),
        records=listed(ws, meeting_dir(ws, day)),
        versions=_versions(day, register),
        signatories=ws.panel.signatories(),
        building=_building(day),
        **shown,
    )
    return page, status


def _building(day: date) -> Job | None:
    job = _jobs().get(f"pack-{day.isoformat()}")
    return job if job is not None and job.running else None


def _failed(day: date, err: CcpError, anchor: str) -> tuple[str, int]:
    return _meeting_page(day, status_for(err), issues=issues_of(err, anchor))


@blueprint.get("/meetings/<meeting>")
def meeting(meeting: str) -> tuple[str, int]:
    return _meeting_page(_day(meeting))


def _jobs() -> Jobs:
    return current_app.config["CCP_JOBS"]


@blueprint.post("/meetings/<meeting>/pack")
def pack(meeting: str) -> Any:
    day = _day(meeting)
    ws = workspace()
    with_pdf = request.form.get("no_pdf") != "yes"
    # The work gets its own Workspace: this request's ends before the pack is built.
    root = ws.root
    _jobs().start(f"pack-{day.isoformat()}", lambda: build_pack(Workspace(root), day, pdf=with_pdf))
    return redirect(url_for("meetings.pack_status", meeting=day.isoformat()), code=303)


@blueprint.get("/meetings/<meeting>/pack")
def pack_status(meeting: str) -> tuple[str, int]:
    day = _day(meeting)
    job = _jobs().get(f"pack-{day.isoformat()}")
    if job is None:
        return _meeting_page(day)
    if job.running:
        page = render_template(
            "pack_status.html", title=f"Building the {day.isoformat()} pack", day=day, job=job
        )
        return page, 200
    if job.error is not None:
        return _failed(day, job.error, "build-pack")
    if job.crashed:
        return _meeting_page(
            day, 500, issues=[Issue("Building the pack failed: see ccp's window", "build-pack")]
        )
    result = job.result
    done = [f"Built the pack in {job.seconds} s: {len(result.written)} file(s) written"]
    if result.pdf_skipped:
        done.append(result.pdf_skipped)
    return _meeting_page(day, done=done)


@blueprint.post("/meetings/<meeting>/draft")
def draft(meeting: str) -> tuple[str, int]:
    day = _day(meeting)
    ws = workspace()
    try:
        drafted = draft_minutes(ws, day, force=request.form.get("force") == "yes")
    except CcpError as err:
        return _failed(day, err, "force")
    return _meeting_page(day, done=[f"Wrote {ws.relative(path)}" for path in drafted.written])


@blueprint.post("/meetings/<meeting>/minutes")
def minutes(meeting: str) -> tuple[str, int]:
    day = _day(meeting)
    ws = workspace()
    amending = request.form.get("do") == "amend"
    anchor = "amended" if amending else "minutes"
    with upload_folder(ws) as folder:
        try:
            saved = save_upload(request.files.get(anchor), folder, what="Minutes file")
            if amending:
                recorded = amend_minutes(ws, day, saved)
            else:
                # This page is one meeting's: another meeting's minutes sent here are
                # refused rather than recorded against the meeting they name.
                record = check_minutes(ws, saved, Register.load(ws.register_file))
                if record.meeting != day:
                    other = f"{saved.name}: these are the minutes of {record.meeting}"
                    return _meeting_page(day, 400, issues=[Issue(other, anchor)])
                if request.form.get("do") != "record":
                    return _meeting_page(day, done=[f"{saved.name}: ready to record"])
                recorded = record_minutes(ws, saved)
        except CcpError as err:
            return _failed(day, err, anchor)
    done = [
        f"Recorded version {recorded.version} of the {recorded.meeting} minutes: "
        f"{len(recorded.action_ids)} action(s)"
    ]
    return _meeting_page(day, done=done)


@blueprint.route("/meetings/<meeting>/sign", methods=["GET", "POST"])
def sign(meeting: str) -> tuple[str, int] | str:
    day = _day(meeting)
    ws = workspace()
    signer = request.values.get("signer", "")
    if signer not in ws.panel.signatories():
        abort(404)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        issues = []
        if request.method == "POST":
            issues = [Issue(f"Tick the box to confirm you are {signer}", "confirm")]
        page = render_template(
            "sign.html",
            title=f"Sign the {day.isoformat()} minutes",
            day=day,
            signer=signer,
            issues=issues,
        )
        return page, 400 if issues else 200
    try:
        signed = sign_minutes(ws, day, signer)
    except CcpError as err:
        return _failed(day, err, "sign")
    done = [f"Signed version {signed.version} of the {day} minutes as {signed.signed_by}"]
    return _meeting_page(day, done=done + signed.warnings)
