"""Jobs run beside a web request — file imports (`ntm.values`) and report files
(`ntm.reports`) — and the progress a page polls while one runs.

A job is a database row that holds its state and outcome, and a function of the row's id that
runs it. Its progress goes to the shared cache, so that a poll served by any application
server reads it (the job's own transaction hides what it writes to the database until the
end). `launch` runs the function in a daemon thread of the web process for now; design
decision 8 moves jobs to django-tasks workers, and then only `launch` changes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Refreshed at every report and deleted when the job ends; the expiry only clears the entry
# of a job whose process died.
PROGRESS_TIMEOUT = 6 * 3600

log = logging.getLogger(__name__)


class JobState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """The row of a job: its state, who asked for it and when, and when it ended. A kind of
    job adds what it works on and what it made."""

    state = models.CharField(max_length=20, choices=JobState.choices, default=JobState.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ("-created_at", "-id")

    @property
    def running(self) -> bool:
        return self.state in (JobState.PENDING, JobState.RUNNING)


@dataclass(frozen=True)
class Progress:
    phase: str  # an English msgid, translated where it is shown
    done: int
    total: int

    @property
    def percent(self) -> int | None:
        return int(100 * self.done / self.total) if self.total else None


ProgressCallback = Callable[[Progress], None]


class ProgressStore:
    """The progress of one kind of job in the shared cache. Progress is only shown, so a
    cache that fails is logged and stops no job."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def _key(self, job_id: int) -> str:
        return f"{self.kind}.progress:{job_id}"

    def callback(self, job_id: int) -> ProgressCallback:
        """The progress callback of job `job_id`: it writes to the shared cache."""
        key = self._key(job_id)

        def write(p: Progress) -> None:
            try:
                cache.set(key, asdict(p), PROGRESS_TIMEOUT)
            except Exception:
                log.warning(
                    "%s %s: progress not written to the cache", self.kind, job_id, exc_info=True
                )

        return write

    def read(self, job_id: int) -> Progress | None:
        """The last progress of a running job, whichever process runs it; None before the
        first report, after the end, or when the cache fails (logged)."""
        try:
            found = cache.get(self._key(job_id))
        except Exception:
            log.warning("%s %s: progress not read from the cache", self.kind, job_id, exc_info=True)
            return None
        return Progress(**found) if isinstance(found, dict) else None

    def forget(self, job_id: int) -> None:
        """Drop a finished job's progress (its outcome is on its row)."""
        try:
            cache.delete(self._key(job_id))
        except Exception:
            log.warning(
                "%s %s: progress not removed from the cache", self.kind, job_id, exc_info=True
            )


def finish(model: type[Job], job_id: int, outcome: dict[str, Any], store: ProgressStore) -> None:
    """Record a job's outcome (its state and what it made) and its end, then drop its
    progress — in that order, so that a poll in between still sees one of them."""
    model._default_manager.filter(pk=job_id).update(finished_at=timezone.now(), **outcome)
    store.forget(job_id)


def _thread_main(run: Callable[[int], None], job_id: int) -> None:
    try:
        run(job_id)
    finally:
        connections.close_all()


def launch(run: Callable[[int], None], job_id: int) -> None:
    """Run `run(job_id)` beside the request, so that the page can show its progress."""
    threading.Thread(target=_thread_main, args=(run, job_id), daemon=True).start()
