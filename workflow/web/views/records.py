"""The records page: what the retention schedule makes due, and the legal holds."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request

from workflow.rights.retention import COPY_KINDS, retention_report
from workflow.web.app import workspace
from workflow.web.views.common import Issue

blueprint = Blueprint("records", __name__)


@blueprint.get("/retention")
def retention() -> Any:
    """What `ccp retention report` prints, as a table; read only (holds and disposals are
    decisions a named person records at the command line)."""
    ws = workspace().require()
    typed = (request.args.get("as_of") or "").strip()
    as_of = None
    if typed:
        try:
            as_of = date.fromisoformat(typed)
        except ValueError:
            issue = Issue("As of: give a date as YYYY-MM-DD, for example 2030-01-31", "as_of")
            page = render_template(
                "retention.html", title="Retention", report=None, typed=typed, issues=[issue]
            )
            return page, 400
    report = retention_report(ws, as_of)
    # Years of backups make hundreds of rows: one group per class, its files folded away.
    copies: dict[str, list[Any]] = {}
    for item in report.items:
        if item.kind in COPY_KINDS:
            copies.setdefault(item.kind, []).append(item)
    records = [item for item in report.items if item.kind not in COPY_KINDS]
    return render_template(
        "retention.html",
        title="Retention",
        report=report,
        records=records,
        copies=copies,
        typed=typed or report.as_of.isoformat(),
    )
