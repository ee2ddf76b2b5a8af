"""The Flask app: its factory and the safety every request passes (token, Host, CSRF)."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, current_app, g, redirect, render_template, request
from werkzeug.exceptions import HTTPException

from workflow.core.dates import uk_date_as_typed
from workflow.core.errors import CcpError, RegisterLocked
from workflow.register.lock import refuse_if_open
from workflow.web.jobs import Jobs
from workflow.workspace.paths import Workspace

COOKIE = "ccp_session"
# A Word pack with its papers, or a referral with three papers, fits well inside this.
MAX_UPLOAD_BYTES = 60 * 1024 * 1024

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    # Every page may hold a child's details: nothing is kept by the browser or a proxy.
    "Cache-Control": "no-store",
}


@dataclass
class Secrets:
    """The one-time start-up token and the session it is exchanged for (this run only)."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    session: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    token_spent: bool = False


def create_app(root: Path, *, port: int, app_secrets: Secrets | None = None) -> Flask:
    """The app for one workspace, answering only as 127.0.0.1:PORT or localhost:PORT."""
    from workflow.web.views import register_views

    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        CCP_ROOT=Path(root).resolve(),
        CCP_PORT=port,
        CCP_SECRETS=app_secrets or Secrets(),
        CCP_JOBS=Jobs(),
    )
    app.jinja_env.autoescape = True
    app.jinja_env.filters["uk"] = uk_date_as_typed
    app.before_request(_guard)
    app.after_request(_headers)
    app.context_processor(_page_context)
    app.register_error_handler(CcpError, _library_error)
    app.register_error_handler(413, _too_large)
    app.register_error_handler(HTTPException, _http_error)
    register_views(app)
    return app


def set_port(app: Flask, port: int) -> None:
    """The port is known only once waitress has bound its socket."""
    app.config["CCP_PORT"] = port


def workspace() -> Workspace:
    """A Workspace read afresh for this request: the register is never cached between them."""
    if "workspace" not in g:
        g.workspace = Workspace(current_app.config["CCP_ROOT"])
    return g.workspace


def _secrets() -> Secrets:
    return current_app.config["CCP_SECRETS"]


def _allowed_hosts() -> set[str]:
    port = current_app.config["CCP_PORT"]
    return {f"127.0.0.1:{port}", f"localhost:{port}"}


def _guard() -> Response | None:
    # A page on another site can resolve its own name to 127.0.0.1 (DNS rebinding): its
    # requests then carry that name in Host, which is refused.
    if request.host not in _allowed_hosts():
        abort(421, "This address is not the one ccp serve is running at.")
    keys = _secrets()
    token = request.args.get("token")
    if token is not None:
        if not _same(token, keys.token):
            abort(403, "This is not the link ccp serve printed: open that link.")
        if keys.token_spent:
            abort(403, "This link has been used already: start ccp serve again for a new one.")
        keys.token_spent = True
        # The token leaves the address bar (and history) at once; the cookie carries on.
        response = redirect(request.path)
        response.set_cookie(
            COOKIE, keys.session, httponly=True, samesite="Strict", secure=False, path="/"
        )
        return response
    if request.endpoint == "static":
        return None
    if not _same(request.cookies.get(COOKIE, ""), keys.session):
        abort(403, "Open ccp from the link ccp serve printed when it started.")
    g.authenticated = True
    if request.method == "POST":
        sent = request.form.get("csrf_token", "")
        if not _same(sent, keys.csrf):
            abort(400, "This form is out of date or did not come from ccp: reload the page.")
    return None


def _same(given: str, secret: str) -> bool:
    # compare_digest refuses non-ASCII text (a TypeError, a 500); bytes compare any input.
    return hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8"))


def _headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response


def register_open() -> str | None:
    """The CLI's words when Excel or LibreOffice holds the register, else None."""
    try:
        refuse_if_open(workspace().register_file)
    except RegisterLocked as err:
        return str(err)
    return None


def _page_context() -> dict[str, Any]:
    # A refused request's page (no cookie, a foreign Host) learns nothing: no CSRF token,
    # no register state, no navigation.
    if not g.get("authenticated"):
        return {"csrf_token": "", "register_open": None, "bare": True}
    return {"csrf_token": _secrets().csrf, "register_open": register_open()}


def _library_error(err: CcpError) -> tuple[str, int]:
    """A library error on a page that has no form of its own to show it against."""
    status = 409 if err.exit_code == 3 else 400
    return render_template("error.html", title="Not done", lines=err.lines()), status


def _too_large(_err: Any) -> tuple[str, int]:
    limit = MAX_UPLOAD_BYTES // (1024 * 1024)
    lines = [f"The file is too large: files up to {limit} MB can be uploaded."]
    return render_template("error.html", title="File too large", lines=lines), 413


def _http_error(err: HTTPException) -> tuple[str, int]:
    """Refusals (403, 404, 421...) as ccp pages: one main landmark, no stack or paths."""
    lines = [err.description or err.name]
    page = render_template("error.html", title=err.name, lines=lines)
    return page, err.code or 500
