"""The GitHub Actions workflow (issue 20): it cannot run here, so its shape is checked."""

from __future__ import annotations

from pathlib import Path

import yaml

WORKFLOW = Path(__file__).parent.parent / ".github" / "workflows" / "ci.yml"


def load() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_the_workflow_runs_on_push_and_pull_requests():
    data = load()
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"push", "pull_request"}


def test_linux_and_windows_with_the_oldest_and_newest_python():
    job = load()["jobs"]["test"]
    assert job["runs-on"] == "${{ matrix.os }}"
    assert job["strategy"]["matrix"] == {
        "os": ["ubuntu-latest", "windows-latest"],
        "python": ["3.11", "3.13"],
    }
    assert job["strategy"]["fail-fast"] is False


def test_libreoffice_is_installed_on_both_then_the_test_command_runs():
    steps = load()["jobs"]["test"]["steps"]
    runs = [(step.get("if"), step.get("run", "")) for step in steps]
    linux = [run for condition, run in runs if condition == "runner.os == 'Linux'"]
    windows = [run for condition, run in runs if condition == "runner.os == 'Windows'"]
    assert any("apt-get install" in run and "libreoffice-writer-nogui" in run for run in linux)
    assert any("choco install libreoffice-fresh" in run and " -y" in run for run in windows)
    test_step = next(step for step in steps if step.get("run", "").strip() == "bash scripts/test")
    assert test_step["shell"] == "bash"  # Git Bash on the Windows runner
    assert "if" not in test_step
    assert not test_step.get("continue-on-error")
    order = [step.get("run", "") for step in steps]
    installs = [i for i, run in enumerate(order) if "install" in run and "libreoffice" in run]
    assert max(installs) < order.index(test_step["run"])
    setup = next(step for step in steps if step.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "${{ matrix.python }}"
