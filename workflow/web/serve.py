"""Running the app: waitress on a loopback port, the one-time link, the browser opened."""

from __future__ import annotations

import contextlib
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.core.errors import ConversionFailed
from workflow.documents.office import WarmOffice, find_office_python
from workflow.documents.pdf import find_soffice, keep_running
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
    """Serve until Ctrl+C, with one LibreOffice kept running for the PDFs."""
    running = make_server(root, port)
    office = None
    # Ctrl+C ends the run: waitress stops its loop on it (and so do we, wherever it lands).
    with contextlib.suppress(KeyboardInterrupt):
        try:
            say(f"ccp is running at {running.url}")
            say("Stop it with Ctrl+C in this window.")
            office = warm_office(say)
            with keep_running(office):
                if open_browser:
                    webbrowser.open(running.url)
                running.server.run()
        finally:
            running.server.close()
            if office is not None:
                office.close()
    say("ccp serve stopped.")


def warm_office(say: Callable[[str], None]) -> WarmOffice | None:
    """A LibreOffice starting in the background, or None (each PDF step starts its own),
    with one line saying which."""
    soffice = find_soffice()
    if soffice is None:
        return None  # the pages that make PDFs say what to install
    python = find_office_python(soffice)
    if python.path is None:
        say(f"PDFs: LibreOffice will start for each pack ({python.reason}).")
        return None
    office = WarmOffice(python.path, soffice=soffice)

    def start() -> None:
        try:
            office.start()
        except ConversionFailed as err:
            say(f"PDFs: {err}; the next pack will try again.")

    threading.Thread(target=start, name="ccp-office-start", daemon=True).start()
    say("PDFs: LibreOffice is kept running while ccp serve runs, so packs do not wait for it.")
    return office
