"""`ccp serve` as a user starts it: a real process, waitress on a loopback port."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.fixture
def started(workspace):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "workflow", "-w", str(workspace.root), "serve", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    first = process.stdout.readline()
    second = process.stdout.readline()
    yield process, first, second
    process.send_signal(signal.SIGINT)
    try:
        process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


def test_serve_prints_the_one_time_link_and_how_to_stop(started):
    _, first, second = started
    found = re.fullmatch(
        r"ccp is running at http://127\.0\.0\.1:(\d+)/\?token=([\w-]{40,})\n", first
    )
    assert found, first
    assert second == "Stop it with Ctrl+C in this window.\n"


def test_the_link_logs_in_and_the_server_listens_on_loopback_only(started):
    _, first, _ = started
    port, token = re.search(r":(\d+)/\?token=([\w-]+)", first).groups()
    connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
    connection.request("GET", f"/?token={token}")
    response = connection.getresponse()
    response.read()
    assert response.status == 302
    assert response.getheader("Location") == "/"
    cookie = response.getheader("Set-Cookie").split(";")[0]
    connection.request("GET", "/", headers={"Cookie": cookie})
    page = connection.getresponse()
    assert page.status == 200
    assert "Testshire Complex Child Panel" in page.read().decode()
    connection.close()
    assert page.getheader("Server") is None or "ccp" in page.getheader("Server")
    listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, check=False)
    if listening.returncode == 0:
        mine = [line for line in listening.stdout.splitlines() if f":{port} " in line]
        assert mine
        assert all(f"127.0.0.1:{port}" in line for line in mine)


def test_ctrl_c_stops_it_and_says_so(started):
    process, _, _ = started
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "ccp serve stopped." in out


def test_serve_outside_a_workspace_says_so(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "workflow", "-w", str(tmp_path), "serve", "--no-browser"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "not a panel workspace (no panel.yaml)" in result.stderr


def _warm_offices_of(pid: int) -> list[int]:
    """The LibreOffice processes `ccp serve` (process `pid`) started with its own profile."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if b"ccp-lo-warm-" in command and b"--accept=pipe" in command and parent == pid:
            found.append(int(entry.name))
    return found


@pytest.mark.libreoffice
@pytest.mark.posix_only  # /proc
def test_serve_keeps_one_libreoffice_running_and_stops_it_with_itself(started):
    process, _, _ = started
    third = process.stdout.readline()
    assert third == (
        "PDFs: LibreOffice is kept running while ccp serve runs, so packs do not wait for it.\n"
    )
    deadline = time.monotonic() + 60
    while not (offices := _warm_offices_of(process.pid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(offices) == 1
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "ccp serve stopped." in out
    assert not Path(f"/proc/{offices[0]}").exists()


def test_serve_without_a_python_bridge_says_packs_start_libreoffice(workspace):
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "CCP_OFFICE_PYTHON": sys.executable}
    process = subprocess.Popen(
        [sys.executable, "-m", "workflow", "-w", str(workspace.root), "serve", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines = [process.stdout.readline() for _ in range(3)]
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert lines[2] == (
        f"PDFs: LibreOffice will start for each pack (CCP_OFFICE_PYTHON={sys.executable} "
        "cannot `import uno`).\n"
    )
