"""Actions (filter, update, reminder drafts) and the annual report."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from workflow.cases.actions import list_actions, update_action
from workflow.cases.reminders import draft_reminders
from workflow.contract.terms import ACTION_STATUSES, REASONS_NOT_DONE
from workflow.core.dates import today
from workflow.core.errors import CcpError
from workflow.register import Register
from workflow.reports.counting import panel_period
from workflow.reports.files import write_annual_report
from workflow.web.app import workspace
from workflow.web.uploads import listed
from workflow.web.views.common import FieldInvalid, form_date, issues_of, status_for, text_or_none

blueprint = Blueprint("actions", __name__)

FILTERS = ("case", "agency", "owner")
# A page a person can read and the browser draws at once; ten years hold ~900 open actions.
PER_PAGE = 100


def _actions_page(status: int = 200, **shown: Any) -> tuple[str, int]:
    ws = workspace().require()
    register = Register.load(ws.register_file, ["Cases", "Actions"])
    chosen = {name: request.args.get(name, "").strip() for name in FILTERS}
    overdue_only = request.args.get("overdue") == "yes"
    listing = list_actions(
        register,
        overdue_only=overdue_only,
        file=ws.register_file.name,
        **{name: value or None for name, value in chosen.items()},
    )
    rows = register.rows("Actions")
    options = {
        key: sorted({str(row.get(key) or "").strip() for row in rows} - {""}) for key in FILTERS
    }
    shown.setdefault("issues", [])
    pages = max(1, -(-len(listing.items) // PER_PAGE))
    number = min(_page_number(), pages)
    first = (number - 1) * PER_PAGE
    page = render_template(
        "actions.html",
        title="Actions" if pages == 1 else f"Actions, page {number} of {pages}",
        listing=listing,
        items=listing.items[first : first + PER_PAGE],
        first=first,
        page=number,
        pages=pages,
        # The filters again, so the next page is the next page of the same list.
        query={
            **{name: value for name, value in chosen.items() if value},
            **({"overdue": "yes"} if overdue_only else {}),
        },
        chosen=chosen,
        overdue_only=overdue_only,
        options=options,
        statuses=ACTION_STATUSES,
        reasons=REASONS_NOT_DONE,
        **shown,
    )
    return page, status


def _page_number() -> int:
    """The page asked for; anything but a whole number from 1 up is the first page."""
    asked = request.args.get("page", "1").strip()
    return int(asked) if asked.isdigit() and 0 < len(asked) < 6 and int(asked) > 0 else 1


@blueprint.get("/actions")
def actions() -> tuple[str, int]:
    return _actions_page()


@blueprint.post("/actions/update")
def update() -> tuple[str, int]:
    ws = workspace().require()
    action_id = request.form.get("action_id", "")
    try:
        updated = update_action(
            ws,
            action_id,
            status=request.form.get("status", ""),
            note=text_or_none(request.form.get("note")),
            completed_on=form_date(request.form.get("completed_on"), "Completed on"),
            reason=text_or_none(request.form.get("reason")),
        )
    except CcpError as err:
        return _actions_page(status_for(err), issues=issues_of(err, "status"))
    return _actions_page(done=[updated.summary()])


@blueprint.post("/actions/remind")
def remind() -> tuple[str, int]:
    ws = workspace().require()
    try:
        days = int(request.form.get("days", "14"))
    except ValueError:
        return _actions_page(400, issues=issues_of(FieldInvalid("Days: a whole number"), "days"))
    try:
        reminders = draft_reminders(ws, as_of=today(), days=days)
    except CcpError as err:
        return _actions_page(status_for(err), issues=issues_of(err, "days"))
    done = [f"{len(reminders.owners)} owner(s) with actions due by {reminders.until} or overdue"]
    done += reminders.warnings
    for owner in reminders.without_email:
        ask = owner.ask.describe() if owner.ask else "the chair"
        done.append(f"{owner.owner}: no e-mail address, so no reminder drafted; ask {ask}")
    files = [ws.relative(path) for path in reminders.written if path.is_file()]
    return _actions_page(done=done, reminder_files=files)


@blueprint.route("/reports", methods=["GET", "POST"])
def reports() -> tuple[str, int]:
    ws = workspace().require()
    issues = []
    done: list[str] = []
    status = 200
    year = request.form.get("year", str(today().year))
    if request.method == "POST":
        try:
            if not year.strip().isdigit():
                raise FieldInvalid(f"Year: {year!r} is not a year like 2027")
            period = panel_period(ws.panel, int(year))
            result = write_annual_report(ws, period, pdf=request.form.get("no_pdf") != "yes")
            small, hidden = result.hidden_counts
            done.append(
                f"Annual report {period.label} ({result.figures.period.words}): {small} figure(s) "
                f'shown as "fewer than {result.figures.threshold}", {hidden} not shown'
            )
        except CcpError as err:
            issues = issues_of(err, "year")
            status = status_for(err)
    files = listed(ws, ws.output_dir / "annual")
    page = render_template(
        "reports.html", title="Reports", issues=issues, done=done, year=year, files=files
    )
    return page, status
