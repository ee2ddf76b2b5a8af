"""The pages, one module per area of the panel's work."""

from __future__ import annotations

from flask import Flask


def register_views(app: Flask) -> None:
    from workflow.web.views import actions, cases, home, meetings, records, referrals

    for module in (home, referrals, cases, meetings, actions, records):
        app.register_blueprint(module.blueprint)
