"""ccp serve's safety: the one-time token, Host, CSRF, headers, downloads, hostile uploads."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from web_client import PORT, Client, text, upload

from workflow.web.app import MAX_UPLOAD_BYTES, SECURITY_HEADERS

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'"
)


def test_token_becomes_an_httponly_strict_cookie_and_leaves_the_address_bar(app):
    browser = Client(app)
    assert browser.get("/").status_code == 403  # no cookie yet

    response = browser.login()

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert browser.keys.token not in cookie
    assert "Dashboard" in text(browser.get("/"))


def test_the_link_works_once(app):
    Client(app).login()
    second = Client(app)
    response = second.login()
    assert response.status_code == 403
    assert "used already" in text(response)
    assert second.get("/").status_code == 403


def test_a_wrong_token_or_cookie_is_refused(app):
    browser = Client(app)
    assert browser.get("/?token=guess").status_code == 403
    assert browser.get("/?token=%C3%A9t%C3%A9").status_code == 403  # not ASCII: no 500
    assert "not the link ccp serve printed" in text(browser.get("/?token=guess"))
    browser.client.set_cookie("ccp_session", "guess", domain="127.0.0.1")
    assert browser.get("/").status_code == 403


@pytest.mark.parametrize(
    "host",
    ["evil.example", f"evil.example:{PORT}", "127.0.0.1:80", f"192.168.1.5:{PORT}"],
    ids=["rebound-name", "rebound-name-port", "other-port", "other-interface"],
)
def test_a_request_for_another_host_is_refused(client, host):
    response = client.get("/", base_url=f"http://{host}")
    assert response.status_code == 421
    assert "Dashboard" not in text(response)


def test_localhost_is_the_same_app(client):
    # The cookie is per host name: this browser logged in at 127.0.0.1, so localhost asks.
    assert client.get("/", base_url=f"http://localhost:{PORT}").status_code == 403


@pytest.mark.parametrize(
    "url",
    ["/actions/update", "/actions/remind", "/referrals", "/progress", "/verify", "/reports"],
)
def test_a_post_without_the_csrf_token_is_refused(client, workspace, url):
    before = workspace.register_file.read_bytes()
    response = client.post(url, {"action_id": "CCP-2027-001-A1", "status": "Completed"}, False)
    assert response.status_code == 400
    assert "did not come from ccp" in text(response)
    wrong = client.post(url, {"csrf_token": "x" * 43}, csrf=False)
    assert wrong.status_code == 400
    assert client.post(url, {"csrf_token": "é" * 43}, csrf=False).status_code == 400
    assert workspace.register_file.read_bytes() == before


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/referrals",
        "/cases",
        "/meetings",
        "/meetings/2027-03-11",
        "/actions",
        "/progress",
        "/reports",
        "/verify",
        "/access-log",
        "/files/panel.yaml",
        "/static/ccp.css",
        "/no-such-page",
        "/files/../panel.yaml",
    ],
)
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response.headers["Content-Security-Policy"] == CSP
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name
    assert response.headers["Cache-Control"] == "no-store"


def test_refused_requests_carry_the_headers_too(app):
    response = Client(app).get("/")
    assert response.status_code == 403
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_workspace_file_downloads_as_it_is(client, workspace):
    response = client.get("/files/panel.yaml")
    assert response.status_code == 200
    assert response.data == workspace.panel_file.read_bytes()
    assert "attachment" in response.headers["Content-Disposition"]


@pytest.mark.parametrize(
    "url",
    [
        "/files/../panel.yaml",
        "/files/%2e%2e/%2e%2e/etc/passwd",
        "/files/cases/..%2f..%2fpanel.yaml",
        "/files//etc/passwd",
        "/files/..\\..\\etc\\passwd",
        "/files/.register.xlsx.lock",
        "/files/backups",
        "/files/no-such-file.txt",
    ],
    ids=["dotdot", "encoded", "encoded-slash", "absolute", "backslash", "hidden", "dir", "none"],
)
def test_downloads_never_leave_the_workspace(client, workspace, url):
    (workspace.root / ".register.xlsx.lock").write_text("x")
    # Werkzeug first merges a doubled slash (308) into a path inside the workspace.
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 404
    assert b"Testshire" not in response.data


def test_a_symlink_out_of_the_workspace_is_not_followed(client, workspace, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the browser")
    (workspace.root / "link.txt").symlink_to(secret)
    assert client.get("/files/link.txt").status_code == 404


def test_an_upload_over_the_limit_is_refused(app, client, workspace):
    assert app.config["MAX_CONTENT_LENGTH"] == MAX_UPLOAD_BYTES
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = client.post("/verify", {"document": (io.BytesIO(b"x" * 8192), "big.pdf")})
    assert response.status_code == 413
    assert "too large" in text(response)


def test_a_referral_of_the_wrong_type_is_refused_and_nothing_written(client, workspace):
    response = client.post(
        "/referrals", {"do": "add", "referral": (io.BytesIO(b"MZ\x90\x00"), "referral.exe")}
    )
    assert response.status_code == 400
    assert "a referral must be one of .docx, .json, .yaml, .yml" in text(response)
    assert not (workspace.root / "cases" / "CCP-2027-001").exists()


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (300 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (zip_bomb, "refused"),
        (lambda: b"%PDF-1.7\nnot a form", "is a PDF"),
        (lambda: b"just some text", "is not a Word .docx file"),
    ],
    ids=["zip-bomb", "pdf-named-docx", "text-named-docx"],
)
def test_a_hostile_docx_referral_is_refused_by_the_library_check(
    client, workspace, content, expected
):
    response = client.post(
        "/referrals", {"do": "add", "referral": (io.BytesIO(content()), "referral.docx")}
    )
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert expected in page
    assert not (workspace.root / "cases" / "CCP-2027-001").exists()
    # The private upload folder is emptied whatever happened.
    assert not any((workspace.root / ".web-uploads").iterdir())


def test_excel_holding_the_register_shows_a_banner_and_refuses_writes(client, workspace, inbox):
    (workspace.root / "~$register.xlsx").write_bytes(b"lock")
    page = text(client.get("/"))
    assert "The register is open elsewhere" in page
    assert "register.xlsx is open in Excel: close it and run the command again" in page

    papers = [
        upload(inbox / "papers" / name) for name in ("chronology.docx", "risk-assessment.pdf")
    ]
    response = client.post(
        "/referrals",
        {"do": "add", "referral": upload(inbox / "referral.yaml"), "papers": papers},
    )
    assert response.status_code == 409
    assert "register.xlsx is open in Excel" in text(response)
    assert not (workspace.root / "cases" / "CCP-2027-001").exists()


@pytest.mark.parametrize(
    "url",
    ["/referrals", "/meetings/2027-03-11", "/actions", "/progress", "/reports", "/verify"],
)
def test_every_post_form_on_a_page_carries_the_csrf_token(client, url):
    page = text(client.get(url))
    forms = re.findall(r'<form method="post".*?</form>', page, re.S)
    assert forms
    for form in forms:
        assert f'name="csrf_token" value="{client.keys.csrf}"' in form


def test_a_refused_page_gives_away_no_csrf_token(app):
    response = Client(app).get("/referrals")
    assert response.status_code == 403
    assert app.config["CCP_SECRETS"].csrf not in text(response)
