"""One LibreOffice kept running while the web app runs, so a pack does not wait for it to start.

A cold `soffice --convert-to` spends most of its time starting LibreOffice and making a
profile. `ccp serve` starts one LibreOffice at launch instead, listening on a private pipe
(a random name; on Linux a socket only its owner may open; never a TCP port), with its own
throwaway profile, and drives it through LibreOffice's own Python, which carries the UNO
bridge (`office_worker.py`, a separate process, as unoserver does). It is restarted if it
dies, and stopped with the app. The command line keeps its one cold conversion per step:
a process that ends after one pack has nothing to keep warm.
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from workflow.core.errors import ConversionFailed
from workflow.documents.pdf import DEFAULT_TIMEOUT, require_soffice

WORKER = Path(__file__).with_name("office_worker.py")
# LibreOffice's first start makes its profile; a loaded machine has taken 20 s.
START_TIMEOUT = 120.0
UNO_HINT = (
    "install LibreOffice's Python bridge (`sudo apt-get install python3-uno` on Debian or "
    "Ubuntu; the Windows installer includes it) or set CCP_OFFICE_PYTHON to a Python that "
    "can `import uno`"
)


@dataclass(frozen=True)
class OfficePython:
    """A Python that can talk to LibreOffice, or why there is none."""

    path: Path | None
    reason: str = ""


def find_office_python(soffice: Path | None = None) -> OfficePython:
    """CCP_OFFICE_PYTHON if set; else the Python inside the LibreOffice installation
    (Windows, macOS, the tarball builds); else the system Python 3 with Debian's python3-uno."""
    configured = os.environ.get("CCP_OFFICE_PYTHON")
    if configured:
        candidates = [Path(configured)]
    else:
        candidates = []
        if soffice is not None:
            program = soffice.resolve().parent
            candidates += [
                program / "python.exe",
                program / "python",
                program.parent / "Resources" / "python",
            ]
        if sys.platform != "win32":
            candidates += [Path("/usr/bin/python3")]
    for candidate in candidates:
        if candidate.is_file() and _imports_uno(candidate):
            return OfficePython(candidate)
    where = f"CCP_OFFICE_PYTHON={configured} cannot `import uno`" if configured else None
    return OfficePython(None, where or f"no Python with LibreOffice's UNO bridge: {UNO_HINT}")


def _imports_uno(python: Path) -> bool:
    try:
        result = subprocess.run(
            [str(python), "-c", "import uno"], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


class WarmOffice:
    """LibreOffice and its UNO worker, started once, restarted when either has died.

    Conversions are one at a time (one LibreOffice, one document open at once); callers in
    other threads wait their turn.
    """

    def __init__(self, python: Path, *, soffice: Path | None = None) -> None:
        self.python = python
        self.soffice = soffice or require_soffice()
        self.starts = 0  # how many times LibreOffice was started (a restart counts)
        self.conversions = 0
        self._lock = threading.Lock()
        self._office: subprocess.Popen[bytes] | None = None
        self._worker: subprocess.Popen[str] | None = None
        self._replies: queue.Queue[str | None] = queue.Queue()
        self._profile: Path | None = None

    # -- life cycle --------------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            self._start()

    def close(self) -> None:
        with self._lock:
            self._stop()

    def __enter__(self) -> WarmOffice:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return _alive(self._office) and _alive(self._worker)

    @property
    def office_pid(self) -> int | None:
        return self._office.pid if self._office is not None else None

    def _start(self) -> None:
        self._stop()
        self._profile = Path(tempfile.mkdtemp(prefix="ccp-lo-warm-"))  # owner-only (mkdtemp)
        pipe = f"ccp-{secrets.token_hex(16)}"
        owner_only = {"umask": 0o077} if os.name == "posix" else {}
        self._office = subprocess.Popen(
            [
                str(self.soffice),
                f"-env:UserInstallation={self._profile.as_uri()}",
                "--headless",
                "--invisible",
                "--norestore",
                "--nologo",
                "--nodefault",
                f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            **owner_only,
        )
        self._worker = subprocess.Popen(
            [str(self.python), str(WORKER), pipe],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            **owner_only,
        )
        self._replies = queue.Queue()
        assert self._worker.stdout is not None
        threading.Thread(
            target=_read_lines,
            args=(self._worker.stdout, self._replies),
            name="ccp-office-replies",
            daemon=True,
        ).start()
        self.starts += 1
        reply = self._reply(START_TIMEOUT, "start")
        if not reply.get("ready"):
            self._stop()
            raise ConversionFailed("LibreOffice did not start for the web app")

    def _stop(self) -> None:
        for process in (self._worker, self._office):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=30)
        if self._worker is not None and self._worker.stdin is not None:
            self._worker.stdin.close()
        self._office = self._worker = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    # -- conversions -------------------------------------------------------------------

    def convert(
        self,
        pairs: Sequence[tuple[Path, Path]],
        options: dict[str, Any],
        *,
        filter_name: str = "writer_pdf_Export",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Convert each (source, output) pair; start or restart LibreOffice if needed."""
        request = json.dumps(
            {
                "files": [[str(source.resolve()), str(out.resolve())] for source, out in pairs],
                "filter": filter_name,
                "options": options,
            }
        )
        with self._lock:
            for attempt in (1, 2):
                if not self.running:
                    self._start()
                try:
                    reply = self._ask(request, timeout)
                except ConversionFailed:
                    if attempt == 2 or self.running:
                        raise
                    continue  # LibreOffice died under this conversion: once more, restarted
                if reply.get("ok"):
                    self.conversions += 1
                    return
                if attempt == 2 or self.running:
                    raise ConversionFailed(f"LibreOffice could not convert: {reply.get('error')}")

    def _ask(self, request: str, timeout: float) -> dict[str, Any]:
        worker = self._worker
        if worker is None or worker.stdin is None:
            raise ConversionFailed("LibreOffice is not running")
        try:
            worker.stdin.write(request + "\n")
            worker.stdin.flush()
        except OSError as err:
            self._stop()
            raise ConversionFailed(f"LibreOffice stopped: {err}") from err
        return self._reply(timeout, "conversion")

    def _reply(self, timeout: float, what: str) -> dict[str, Any]:
        try:
            line = self._replies.get(timeout=timeout)
        except queue.Empty:
            self._stop()
            raise ConversionFailed(
                f"LibreOffice did not finish the {what} in {timeout:.0f} s"
            ) from None
        if line is None:  # the worker's output closed: it or LibreOffice died
            self._stop()
            raise ConversionFailed(f"LibreOffice stopped during the {what}")
        return dict(json.loads(line))


def _alive(process: subprocess.Popen[Any] | None) -> bool:
    return process is not None and process.poll() is None


def _read_lines(stream: IO[str], into: queue.Queue[str | None]) -> None:
    with stream:  # closed here, by its only reader, once the worker has gone
        for line in stream:
            if line.strip():
                into.put(line)
    into.put(None)
