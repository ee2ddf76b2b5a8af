"""Running the app: waitress on a loopback port, the one-time link, the browser opened."""

from __future__ import annotations

import contextlib
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.web.app import Secrets, create_app, set_port

LOOPBACK = "127.0.0.1"  # never another interface: the pages hold children's details


@dataclass
class Running:
    server: Any  # a waitress server, bound and listening
    url: str  # the one-time link, token included

    @property
    def port(self) -> int:
        return int(self.server.effective_port)


def make_server(root: Path, port: int = 0) -> Running:
    """Bind 127.0.0.1:PORT (0: a free one) and build the app for that port."""
    from waitress.server import create_server

    keys = Secrets()
    app = create_app(root, port=port, app_secrets=keys)
    # Eight threads: two browser tabs and a pack being built never wait on each other;
    # every write still goes through the register lock.
    server = create_server(app, host=LOOPBACK, port=port, threads=8, ident="ccp")
    set_port(app, int(server.effective_port))
    url = f"http://{LOOPBACK}:{server.effective_port}/?token={keys.token}"
    return Running(server, url)


def serve(
    root: Path, *, port: int = 0, open_browser: bool = True, say: Callable[[str], None] = print
) -> None:
    """Serve until Ctrl+C."""
    running = make_server(root, port)
    # Ctrl+C ends the run: waitress stops its loop on it (and so do we, wherever it lands).
    with contextlib.suppress(KeyboardInterrupt):
        try:
            say(f"ccp is running at {running.url}")
            say("Stop it with Ctrl+C in this window.")
            if open_browser:
                webbrowser.open(running.url)
            running.server.run()
        finally:
            running.server.close()
    say("ccp serve stopped.")
