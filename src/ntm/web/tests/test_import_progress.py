"""An import's progress lives in the cache, so the page's poll reads it on any application
server (design decision 8): in-process LocMem for one server, Redis for several. The history
names every action an import or a past-record load writes, in Vietnamese and in English."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.fixtures import Settings

from ntm.accounts.testing import Personas
from ntm.audit.models import AuditLog
from ntm.criteria.loader import load_set
from ntm.exchange.workbook import template_columns
from ntm.jobs import Progress
from ntm.values.models import ImportJob, ImportState, Value
from ntm.values.services import (
    ACTION_LABELS,
    Entry,
    PastApproval,
    PastDeclaration,
    PastValue,
    imports,
    load_history,
    value_history,
)
from ntm.values.services import imports as importing
from ntm.values.services.imports import PROGRESS
from ntm.web import views_entry as views

pytestmark = pytest.mark.django_db

SET = "vn-ntm-xa-2016-2020"
YEAR = 2020
INCOME = "income_per_capita"
HTMX = {"HX-Request": "true"}
REDIS_URL = "redis://127.0.0.1:6379/1"


def _redis_down() -> str | None:
    """Why the Redis variant cannot run here, or None when a server answers."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError as exc:
        return f"no Redis server answers at {REDIS_URL} ({exc}); the LocMem variant still runs"
    return None


class Backend:
    """The cache under test and a look at what it holds, from outside this process for Redis."""

    def __init__(self, name: str, settings: Settings) -> None:
        self.name = name
        self.prefix = f"ntm-test-{uuid.uuid4().hex}"  # one namespace per test: runs never meet
        if name == "redis":
            settings.CACHES = {
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": REDIS_URL,
                    "KEY_PREFIX": self.prefix,
                }
            }
            self.server: redis.Redis | None = redis.Redis.from_url(REDIS_URL)
        else:
            settings.CACHES = {
                "default": {
                    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                    "LOCATION": self.prefix,
                }
            }
            self.server = None

    def on_server(self) -> int:
        """Keys of this test on the Redis server, read by a client of its own (another
        process would see the same)."""
        assert self.server is not None
        return len(list(self.server.scan_iter(f"{self.prefix}:*")))

    def close(self) -> None:
        if self.server is not None:
            keys = list(self.server.scan_iter(f"{self.prefix}:*"))
            if keys:
                self.server.delete(*keys)
            self.server.close()
        else:
            cache.clear()


@pytest.fixture(params=["locmem", "redis"])
def backend(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Backend]:
    if request.param == "redis" and (why := _redis_down()) is not None:
        pytest.skip(why)
    b = Backend(request.param, settings)
    yield b
    b.close()


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _job(p: Personas, income: str) -> ImportJob:
    """A pending job of officer A over a CSV with commune 99001's income."""
    headers = ["unit"] + [
        c.machine for c in template_columns(load_set(SET)) if c.role != "identity" and c.kind
    ]
    row = ["99001"] + [income if h == INCOME else "" for h in headers[1:]]
    job = ImportJob(
        original_name="xa.csv",
        set_id=SET,
        period=YEAR,
        created_by=p.officer_a,
        created_at=timezone.now(),
    )
    job.file.save("import.csv", ContentFile(f"{','.join(headers)}\n{','.join(row)}\n"), save=False)
    job.save()
    return job


def _poll(client: Client, job: ImportJob) -> str:
    url = reverse("values:import_job", args=[job.pk])
    return client.get(url, headers=HTMX).content.decode()


def test_the_poll_reads_what_the_jobs_callback_wrote(
    backend: Backend, client: Client, p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _job(p, "47")
    p.login(client, "officer_a")
    assert "Đang chờ bắt đầu…" in _poll(client, job)
    polls: list[tuple[Progress, str, int | None]] = []
    real_import = imports.import_file

    def import_and_poll(*args: Any, progress: Any, **kwargs: Any) -> Any:
        """The job's own callback, then a poll while the import's transaction is open."""

        def report(step: Progress) -> None:
            progress(step)
            stored = backend.on_server() if backend.name == "redis" else None
            polls.append((step, _poll(client, job), stored))

        return real_import(*args, progress=report, **kwargs)

    monkeypatch.setattr(views, "import_file", import_and_poll)
    views.run_job(job.pk)

    reading = next(html for step, html, _ in polls if step.phase == importing.READING)
    assert "Đang đọc và kiểm tra tệp" in reading and "Đang chờ bắt đầu" not in reading
    writing = next(html for step, html, _ in polls if step.phase == importing.WRITING)
    assert "Đang ghi số liệu: 1/1" in writing and 'value="100"' in writing
    assert all('hx-trigger="every 1s"' in html for _, html, _ in polls)
    if backend.name == "redis":
        assert all(stored == 1 for _, _, stored in polls)
    # The outcome is on the job; the progress is gone from the cache.
    job.refresh_from_db()
    assert job.state == ImportState.DONE and job.summary["changed"] == 1
    assert PROGRESS.read(job.pk) is None
    if backend.name == "redis":
        assert backend.on_server() == 0
    done = _poll(client, job)
    assert "Đã nhập 1 giá trị của 1 xã" in done and "hx-trigger" not in done


def test_progress_written_elsewhere_is_shown_with_vietnamese_numbers(
    backend: Backend, client: Client, p: Personas
) -> None:
    job = _job(p, "47")
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.RUNNING)
    PROGRESS.callback(job.pk)(Progress(importing.WRITING, 400, 1000))
    p.login(client, "officer_a")
    html = _poll(client, job)
    assert "Đang ghi số liệu: 400/1.000" in html and 'value="40"' in html
    # The phase in the reader's language, whoever wrote it.
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Writing the values: 400/1.000" in _poll(client, job)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "vi"
    # Only the job's owner sees it.
    p.login(client, "officer_b")
    assert client.get(reverse("values:import_job", args=[job.pk])).status_code == 404


def test_a_rejected_file_leaves_its_problems_on_the_job_and_no_progress(
    backend: Backend, client: Client, p: Personas
) -> None:
    job = _job(p, "bốn mươi")
    views.run_job(job.pk)
    job.refresh_from_db()
    assert job.state == ImportState.FAILED
    assert len(job.problems) == 1 and "ô số chứa chữ" in job.problems[0]["vi"]
    assert "row 2" in job.problems[0]["en"]
    assert PROGRESS.read(job.pk) is None and not Value.objects.exists()
    p.login(client, "officer_a")
    assert "Tệp bị từ chối (1 lỗi); không ghi số liệu nào" in _poll(client, job)


def test_a_failing_cache_neither_stops_the_import_nor_the_poll(
    settings: Settings, client: Client, p: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    # Nothing listens on port 1: every cache call fails at once.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    job = _job(p, "47")
    p.login(client, "officer_a")
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.RUNNING)
    assert "Đang chờ bắt đầu…" in _poll(client, job)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.PENDING)
    views.run_job(job.pk)
    job.refresh_from_db()
    assert job.state == ImportState.DONE
    assert Value.objects.get().claimed_value == 47.0
    assert "Đã nhập 1 giá trị của 1 xã" in _poll(client, job)
    assert "progress not written to the cache" in caplog.text
    assert "progress not read from the cache" in caplog.text


def test_every_action_of_an_import_and_a_past_record_is_named(p: Personas) -> None:
    cset = load_set(SET)
    at = dt.datetime(2020, 6, 30, tzinfo=dt.UTC)
    load_history(
        [cset],
        [PastValue(p.commune_a, INCOME, YEAR, Entry(value=40.0), at)],
        [PastDeclaration(p.commune_a, YEAR, SET, 1, "met", at)],
        [PastApproval(p.commune_a, YEAR, SET, at + dt.timedelta(days=1))],
        reason="Sổ theo dõi năm 2020",
        actor="test",
        stages=("claimed",),
    )
    actions = set(
        AuditLog.objects.filter(action__startswith="values.").values_list("action", flat=True)
    )
    assert actions == {"values.load_history", "values.import", "values.declare", "values.approve"}
    assert actions <= ACTION_LABELS.keys()
    labels = {a: str(ACTION_LABELS[a]) for a in actions}
    assert labels["values.declare"] == "Khai báo kết quả tiêu chí"
    assert labels["values.load_history"] == "Nạp số liệu lịch sử"
    with translation.override("en"):
        assert str(ACTION_LABELS["values.declare"]) == "Declare a criterion status"
        assert str(ACTION_LABELS["values.load_history"]) == "Load a past record"
        english = [h.action for h in value_history(Value.objects.get())]
    assert english == ["Import from a file", "Approve"]
    assert [h.action for h in value_history(Value.objects.get())] == ["Nhập từ tệp", "Duyệt"]
