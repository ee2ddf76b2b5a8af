"""The web app as a browser sees it: a Flask test client that logs in and sends CSRF tokens."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from workflow.web.app import Secrets

PORT = 5999
BASE = f"http://127.0.0.1:{PORT}"


class Client:
    """Flask's test client as the browser that opened the one-time link: every request to
    127.0.0.1:PORT, with the session cookie, and each POST with the page's CSRF token."""

    def __init__(self, app: Any):
        self.app = app
        self.keys: Secrets = app.config["CCP_SECRETS"]
        self.client = app.test_client()

    def login(self) -> Any:
        return self.get(f"/?token={self.keys.token}")

    def get(self, url: str, **kwargs: Any) -> Any:
        return _read(self.client.get(url, base_url=kwargs.pop("base_url", BASE), **kwargs))

    def post(self, url: str, data: dict[str, Any] | None = None, csrf: bool = True) -> Any:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.keys.csrf)
        return _read(
            self.client.post(url, base_url=BASE, data=form, content_type="multipart/form-data")
        )


def _read(response: Any) -> Any:
    """Buffer the body and close the response, so no file it streamed stays open."""
    response.get_data()
    response.close()
    return response


def upload(path: Path, name: str | None = None) -> tuple[io.BytesIO, str]:
    return io.BytesIO(path.read_bytes()), name or path.name


def text(response: Any) -> str:
    return response.get_data(as_text=True)
