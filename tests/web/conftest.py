"""Fixtures for the web app: a logged-in Flask test client on a workspace from tests/data."""

from __future__ import annotations

from typing import Any

import pytest
from web_client import PORT, Client

from workflow.web.app import create_app


@pytest.fixture
def app(workspace: Any) -> Any:
    return create_app(workspace.root, port=PORT)


@pytest.fixture
def client(app: Any) -> Client:
    browser = Client(app)
    assert browser.login().status_code == 302
    return browser
