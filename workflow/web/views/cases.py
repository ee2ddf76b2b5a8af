"""Cases (the list and one case's page) and progress reports back to the panel."""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Blueprint, abort, render_template, request, send_file

from workflow.cases.access import restrictions
from workflow.cases.disclosures import disclosures_for_case
from workflow.cases.progress import add_progress, check_progress
from workflow.cases.progress_form import write_progress_template
from workflow.contract.terms import CASE_ID, CASE_STATUSES
from workflow.core.errors import CcpError
from workflow.register import Register
from workflow.reports.case_history import case_history
from workflow.web.access import record_view
from workflow.web.app import workspace
from workflow.web.uploads import listed, save_upload, upload_folder
from workflow.web.views.common import issues_of, status_for

blueprint = Blueprint("cases", __name__)

FILTERS = ("status", "risk", "meeting", "agency")


def _text(value: Any) -> str:
    return str(value or "").strip()


def _agencies(row: dict[str, Any]) -> list[str]:
    # `referral add` joins them with "; "; a hand edit in Excel may use commas.
    parts = re.split(r"[;,]", _text(row.get("agencies")))
    return [part.strip() for part in parts if part.strip()]


def _matches(row: dict[str, Any], chosen: dict[str, str]) -> bool:
    if chosen["status"] and _text(row.get("status")).casefold() != chosen["status"].casefold():
        return False
    if chosen["risk"] and _text(row.get("risk_latest")).casefold() != chosen["risk"].casefold():
        return False
    meeting = row.get("meeting")
    shown = meeting.isoformat() if hasattr(meeting, "isoformat") else _text(meeting)
    if chosen["meeting"] and shown != chosen["meeting"]:
        return False
    agencies = [part.casefold() for part in _agencies(row)]
    agency = chosen["agency"].casefold()
    referrer = _text(row.get("referring_agency")).casefold()
    return not agency or agency in agencies or agency == referrer


@blueprint.get("/cases")
def cases() -> str:
    ws = workspace().require()
    rows = Register.load(ws.register_file, ["Cases"]).rows("Cases")
    chosen = {name: request.args.get(name, "").strip() for name in FILTERS}
    shown = [row for row in rows if row.get("case_id") and _matches(row, chosen)]
    options = {
        "status": list(CASE_STATUSES),
        "risk": sorted({_text(r.get("risk_latest")) for r in rows} - {""}),
        "meeting": sorted(
            {r["meeting"].isoformat() for r in rows if hasattr(r.get("meeting"), "isoformat")}
        ),
        "agency": sorted({agency for row in rows for agency in _agencies(row)}),
    }
    return render_template(
        "cases.html", title="Cases", rows=shown, chosen=chosen, options=options, total=len(rows)
    )


def _case_id(case_id: str) -> str:
    # Only a case ID ever reaches a path, the access log or a page title.
    if not CASE_ID.fullmatch(case_id):
        abort(404)
    return case_id


@blueprint.get("/cases/<case_id>")
def case(case_id: str) -> str:
    ws = workspace().require()
    history = case_history(ws, _case_id(case_id))
    record_view(ws, history.case_id)
    documents = listed(ws, ws.case_dir(history.case_id))
    documents += [
        path
        for path in listed(ws, ws.output_dir, f"{history.case_id}-*")
        if "/reminders/" not in path
    ]
    register = Register.load(ws.register_file, ["Cases"])
    return render_template(
        "case.html",
        title=history.case_id,
        history=history,
        documents=documents,
        restriction=restrictions(register).get(history.case_id),
        sent=disclosures_for_case(ws, history.case_id),
    )


@blueprint.get("/progress")
def progress() -> str:
    return _progress_page()[0]


def _progress_page(status: int = 200, **shown: Any) -> tuple[str, int]:
    ws = workspace().require()
    rows = Register.load(ws.register_file, ["Cases"]).rows("Cases")
    open_cases = [
        _text(r.get("case_id"))
        for r in rows
        if _text(r.get("status")) == "open" and r.get("case_id")
    ]
    shown.setdefault("issues", [])
    return render_template(
        "progress.html", title="Progress reports", open_cases=open_cases, **shown
    ), status


@blueprint.get("/progress/<case_id>/progress-form.docx")
def progress_form(case_id: str) -> Any:
    ws = workspace().require()
    with upload_folder(ws) as folder:
        out = folder / f"progress-{_case_id(case_id)}.docx"
        data = write_progress_template(ws, case_id, "docx", out).read_bytes()
    return send_file(io.BytesIO(data), as_attachment=True, download_name=out.name)


@blueprint.post("/progress")
def progress_upload() -> tuple[str, int]:
    ws = workspace().require()
    with upload_folder(ws) as folder:
        try:
            saved = save_upload(request.files.get("report"), folder, what="Progress report")
            if request.form.get("do") == "add":
                return _progress_page(added=add_progress(ws, saved))
            return _progress_page(checked=check_progress(ws, saved), name=saved.name)
        except CcpError as err:
            return _progress_page(status_for(err), issues=issues_of(err, "report"))
