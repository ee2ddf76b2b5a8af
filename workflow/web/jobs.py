"""Long work (a pack through LibreOffice) run beside the pages, so a page can say how far
it has got instead of leaving the browser waiting with nothing to read."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workflow.core.errors import CcpError


@dataclass
class Job:
    started: datetime = field(default_factory=datetime.now)
    finished: datetime | None = None
    result: Any = None
    error: CcpError | None = None
    crashed: bool = False  # a bug: its traceback went to the server's window
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.finished is None

    @property
    def seconds(self) -> int:
        return int(((self.finished or datetime.now()) - self.started).total_seconds())


class Jobs:
    """At most one job per key (one pack per meeting) at a time; the latest kept to show."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}

    def get(self, key: str) -> Job | None:
        with self._lock:
            return self._jobs.get(key)

    def start(self, key: str, work: Callable[[], Any]) -> Job:
        with self._lock:
            current = self._jobs.get(key)
            if current is not None and current.running:
                return current
            job = Job()
            job.thread = threading.Thread(
                target=self._run, args=(job, work), name=f"ccp-{key}", daemon=True
            )
            self._jobs[key] = job
        job.thread.start()
        return job

    @staticmethod
    def _run(job: Job, work: Callable[[], Any]) -> None:
        try:
            job.result = work()
        except CcpError as err:
            job.error = err
        except BaseException:
            job.crashed = True
            raise
        finally:
            job.finished = datetime.now()
