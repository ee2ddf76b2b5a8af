"""Shared fixtures: a fixed 'today', a CLI runner, a workspace copied from tests/data."""

from __future__ import annotations

import copy
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from testdata import DATA, TODAY, skip_posix_only_on_windows

# `windows_like`: ccp's file handling as Windows runs it (issue 20).
pytest_plugins = ["windows_sim"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    skip_posix_only_on_windows(items, sys.platform)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs on 20 February 2027, three weeks before the 11 March panel."""
    monkeypatch.setenv("CCP_TODAY", TODAY)
    monkeypatch.setenv("CCP_USER", "test-user")
    monkeypatch.delenv("CCP_WORKSPACE", raising=False)
    return TODAY


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def referral_data() -> dict[str, Any]:
    """A valid referral as a practitioner would type it (a fresh copy per test)."""
    return copy.deepcopy(yaml.safe_load((DATA / "referral.yaml").read_text(encoding="utf-8")))


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A folder holding the test referral and its papers, as received by email."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(DATA / "referral.yaml", folder / "referral.yaml")
    shutil.copytree(DATA / "papers", folder / "papers")
    return folder


@pytest.fixture
def workspace(tmp_path: Path) -> Any:
    """A new panel workspace using tests/data/panel.yaml."""
    from workflow.workspace.initialise import init_workspace
    from workflow.workspace.paths import Workspace

    root = tmp_path / "panel"
    init_workspace(root, panel_yaml=(DATA / "panel.yaml").read_text(encoding="utf-8"))
    return Workspace(root)


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, built once per test process on the fixed day; copy it before changing it."""
    from workflow.demo.build import build_demo

    root = tmp_path_factory.mktemp("built-demo") / "demo"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CCP_TODAY", TODAY)
        patch.setenv("CCP_USER", "test-user")
        patch.delenv("CCP_WORKSPACE", raising=False)
        build_demo(root)
    return root
