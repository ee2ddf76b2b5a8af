"""Referrals: the blank Word form, checking an uploaded referral, accepting it."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, render_template, request, send_file

from workflow.cases.referrals import READERS, add_referral, check_referral, write_referral_template
from workflow.core.dates import today
from workflow.core.errors import CcpError
from workflow.web.app import workspace
from workflow.web.uploads import place_papers, save_upload, upload_folder
from workflow.web.views.common import Issue, form_date, issues_of, status_for, text_or_none

blueprint = Blueprint("referrals", __name__)


def _page(status: int = 200, **shown: Any) -> tuple[str, int]:
    ws = workspace().require()
    meetings = [day for day in ws.panel.meeting_dates() if day >= today()]
    shown.setdefault("issues", [])
    shown.setdefault("form", {})
    page = render_template(
        "referrals.html", title="Referrals", meetings=meetings, panel=ws.panel, **shown
    )
    return page, status


@blueprint.get("/referrals")
def referrals() -> tuple[str, int]:
    return _page()


@blueprint.get("/referrals/referral-form.docx")
def blank_form() -> Any:
    ws = workspace().require()
    with upload_folder(ws) as folder:
        written = write_referral_template(folder / "referral-form.docx", "docx", workspace=ws)
        data = written.read_bytes()
    return send_file(io.BytesIO(data), as_attachment=True, download_name="referral-form.docx")


@blueprint.post("/referrals")
def upload() -> tuple[str, int]:
    ws = workspace().require()
    form = {
        "meeting": request.form.get("meeting", ""),
        "late_accepted_by": request.form.get("late_accepted_by", ""),
    }
    accept = request.form.get("do") == "add"
    try:
        meeting = form_date(form["meeting"], "Meeting")
    except CcpError as err:
        return _page(400, issues=issues_of(err, "meeting"), form=form)
    late = text_or_none(form["late_accepted_by"])
    with upload_folder(ws) as folder:
        try:
            saved = save_upload(request.files.get("referral"), folder, what="Referral file")
            reader = READERS.get(saved.suffix.lower())
            if reader is not None:
                # Read only to learn where the referral expects its papers (an unreadable
                # file fails here as it would in the check); the library reads it again and
                # checks everything, the papers' content included.
                place_papers(reader(saved), request.files.getlist("papers"), folder)
            if accept:
                accepted = add_referral(ws, saved, meeting=meeting, late_accepted_by=late)
                return _page(accepted=accepted, form={})
            checked = check_referral(saved, workspace=ws, meeting=meeting, late_accepted_by=late)
            return _page(checked=checked, name=saved.name, form=form)
        except CcpError as err:
            issues: list[Issue] = issues_of(err, "referral")
            return _page(status_for(err), issues=issues, form=form)
