"""The dashboard, downloads, Verify and the access log."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from flask import Blueprint, render_template, request

from workflow.cases.actions import list_actions
from workflow.core.dates import today
from workflow.core.errors import CcpError
from workflow.meetings.agenda import agenda_for
from workflow.meetings.pack import readiness_of
from workflow.meetings.signing import verify_document
from workflow.meetings.timeliness import lateness
from workflow.register import Register
from workflow.register.audit_years import latest_audit
from workflow.web.access import ACCESS_LOG, read_access_log
from workflow.web.app import workspace
from workflow.web.uploads import download, save_upload, upload_folder
from workflow.web.views.common import issues_of

blueprint = Blueprint("home", __name__)

AUDIT_SHOWN = 10


@blueprint.get("/")
def dashboard() -> str:
    ws = workspace().require()
    panel = ws.panel
    now = today()
    register = Register.load(ws.register_file)
    upcoming = [day for day in panel.meeting_dates() if day >= now]
    meeting: dict[str, Any] | None = None
    if upcoming:
        agenda = agenda_for(ws, upcoming[0], register)
        meeting = {
            "date": agenda.meeting,
            "deadline": agenda.meeting - timedelta(days=panel.referral_deadline_days),
            "referrals": agenda.new_referrals,
            "reviews": agenda.progress_reviews,
            "readiness": readiness_of(agenda),
        }
    overdue = list_actions(register, as_of=now, overdue_only=True)
    by_agency: dict[str, list[Any]] = defaultdict(list)
    for item in overdue.items:
        by_agency[str(item.row.get("agency") or "No agency recorded")].append(item)
    open_cases = {
        row.get("case_id") for row in register.rows("Cases") if row.get("status") == "open"
    }
    awaiting = [
        row
        for row in register.rows("Progress")
        if row.get("case_id") in open_cases and not row.get("received_on")
    ]
    found = lateness(register, panel, now)
    # By time, not file order: the administrator may have sorted the sheet in Excel.
    audit = latest_audit(register, AUDIT_SHOWN)
    # The Audit holds the computer login; the person's name where panel.yaml maps it.
    logins = {str(row.get("who") or "") for row in audit}
    names = {login: panel.name_of(login) or login for login in logins}
    return render_template(
        "dashboard.html",
        title="Dashboard",
        panel=panel,
        today=now,
        meeting=meeting,
        by_agency=dict(sorted(by_agency.items())),
        overdue_count=overdue.overdue_count,
        awaiting=awaiting,
        late=found.late_lines(),
        rag=found.actions.counts,
        audit=audit,
        names=names,
        warnings=overdue.warnings,
    )


@blueprint.get("/files/<path:relative>")
def file(relative: str) -> Any:
    return download(workspace().require(), relative)


@blueprint.route("/verify", methods=["GET", "POST"])
def verify() -> tuple[str, int] | str:
    result = None
    issues = []
    status = 200
    if request.method == "POST":
        ws = workspace().require()
        with upload_folder(ws) as folder:
            try:
                saved = save_upload(request.files.get("document"), folder, what="File to verify")
                result = verify_document(ws, saved)
            except CcpError as err:
                issues = issues_of(err, "document")
                status = 400
    return render_template("verify.html", title="Verify", result=result, issues=issues), status


@blueprint.get("/access-log")
def access_log() -> str:
    ws = workspace().require()
    rows = read_access_log(ws)
    return render_template("access_log.html", title="Access log", rows=rows[::-1], file=ACCESS_LOG)
