"""Benchmark of the pages: server time of the demo's pages, beside a plain reference.

Run: .venv/bin/python benchmarks/pages.py [--requests N] [--cold R] [--save-rounds S]
                                         [--dir DIR] [--rebuild] [--no-history]
                                         [--profile KEY ...]

The data are the demo's: Lạng Sơn's real units and events with SIMULATED values 2011-2020,
as `ntm run --no-serve` builds them (migrate, the real units, the bundled Lạng Sơn events,
the demo province, the demo users), in SQLite files of their own under DIR (default
var/bench-pages; DATABASE_URL is ignored, so a real database is never touched), built in a
child process. A built file is reused while it is current: its stamp is a digest of what
builds it (the migrations, the demo, the loaders, the bundled data, the history builder
below); `--rebuild` builds it again. Every run works on a copy, so its saves never reach
the built file.

Measured in this process with Django's test `Client` (in-process: `get()` around the whole
request and response, no network), DEBUG off, the in-process cache. Every time is printed
as wall clock (what a user waits for) and, beside it, this process's CPU time, which a
machine loaded by others disturbs far less; the load average and the CPU pressure are
printed with every measurement.

  * pages: the province overview live, as of 30/06/2020, approved only, re-based onto the
    units of today (those of 01/07/2025 on); its map; a commune page; the entry grid; the
    central view; the API's province statistics. For each, cold times (the read layer's
    caches emptied before the request; the first one is also the process's first request
    of that page, which compiles its templates), then p50 and p95 over N warm requests, in
    rounds in which every page is requested once, so that a burst of load from another
    process falls on all of them alike;
  * the reference, in the cold rounds: the stored values read with one query (the live
    `Value` rows, or the version rows held at the as-of moment; the declarations with
    another), evaluated by `ntm.evaluation.evaluate` and rolled up by
    `ntm.stats.rollup.statistics` directly, with no read layer. Its figures (X/Y, the
    average, every criterion) must equal the page's, live and as of 30/06/2020, and the
    API's (the whole `Figures`) the live ones;
  * save + reload: the province office reopens one commune's 2020; then the appraiser saves
    one verified yes/no value in the entry grid (its HTMX cell), alternately 0 and 1, and
    the province overview is reloaded: it must show the commune leaving (and joining again)
    the communes at the standard. Printed: the reload after a save minus a plain reload;
  * history length: a second database whose record holds 4x the version rows (each entry of
    the demo preceded by three earlier versions, a week apart, of other contents; the final
    record identical), and the as-of overview cold and warm on both, alternately; the pages
    must be identical. The record read alone (the only part that reads version rows) is
    timed too, as of 30/06/2020 and live.

Targets (printed, never failed on): every page p95 <= 150 ms; a reload after a save at most
50 ms slower than a plain reload; no cost growing with the history (4x / 1x <= 1.25, the
noise of a shared machine). `--profile` prints cProfile's top costs of the pages named
(cold, then warm) or of the reloads after a save (`save`).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import html
import importlib.metadata
import inspect
import io
import json
import math
import os
import platform
import pstats
import re
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from django.http import HttpResponse
    from django.test import Client

    from ntm.criteria.schema import CriteriaSet, Measure
    from ntm.stats.rollup import Statistics
    from ntm.units.models import Unit
    from ntm.values.services import Entry, PastValue

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
# Bump when the way the databases are built changes (the stamp then differs: rebuilt).
BUILD_FORMAT = "pages-1"
# What builds the databases: a change to any of these makes a built file stale.
BUILD_INPUTS = (
    "src/ntm/demo",
    "src/ntm/units/data",
    "src/ntm/units/loader.py",
    "src/ntm/units/event_import.py",
    "src/ntm/criteria/sets",
    "src/ntm/criteria/measures.yaml",
    "src/ntm/values/services",
    "src/ntm/values/record.py",
    "src/ntm/accounts/services.py",
)
HISTORY = 4  # the long record: every entry preceded by HISTORY - 1 earlier versions
HISTORY_STEP = dt.timedelta(days=7)
TARGET_P95_S = 0.150
TARGET_SAVE_S = 0.050
FLAT = 1.25  # a 4x / 1x ratio within the noise of a shared machine

PROVINCE_CODE = "20"  # Lạng Sơn, the demo province
COMMUNE_2020 = "van linh"  # the demo officer's commune as it stood in 2020 (name key)
SET_2016 = "vn-ntm-xa-2016-2020"
YEAR = 2020
AS_OF = dt.date(2020, 6, 30)
AS_OF_QUERY = "?period=2020&baseline=2011&as_of=30/06/2020"
OFFICE, APPRAISER, CENTRAL = "vanphong.tinh", "thamdinh", "trunguong"


# ------------------------------------------------------------------------------ small helpers


def load_average() -> str:
    """The load average, and the share of time some task waited for a CPU (Linux PSI): on a
    machine others load, the wall-clock times below grow with it."""
    text = "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    pressure = Path("/proc/pressure/cpu")
    if pressure.exists():
        found = re.search(r"some avg10=([0-9.]+)", pressure.read_text())
        if found:
            text += f", CPU pressure {float(found.group(1)):.0f} %"
    return text


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def p95(times: Sequence[float]) -> float:
    """Nearest rank: the smallest time at least 95 % of the requests took at most."""
    ordered = sorted(times)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


@dataclass
class Samples:
    """The times of one contender: the wall clock (what a user waits for) and this process's
    CPU time (all its threads), which a busy machine disturbs far less."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def time(self, fn: Callable[[], T]) -> T:
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        self.wall.append(time.perf_counter() - wall)
        self.cpu.append(time.process_time() - cpu)
        return result

    @property
    def p50(self) -> float:
        return statistics.median(self.wall)

    @property
    def p95(self) -> float:
        return p95(self.wall)

    @property
    def cpu50(self) -> float:
        return statistics.median(self.cpu)


def machine() -> str:
    import django
    import polars as pl

    cpu = platform.processor() or "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"CPU {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, Django {django.__version__}, Polars {pl.__version__}; "
        f"{platform.system()} {platform.release()}"
    )


# ------------------------------------------------------------------------------ databases


def configure(work: Path) -> None:
    """The environment of the run, before Django is set up: a database and a var directory
    of its own, DEBUG off (with a throwaway key), any host, the in-process cache."""
    work.mkdir(parents=True, exist_ok=True)
    # WhiteNoise serves the apps' folders (no collectstatic here); an empty root keeps it quiet.
    (work / "static").mkdir(exist_ok=True)
    os.environ["NTM_VAR_DIR"] = str(work)
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'run.sqlite3'}"
    os.environ["NTM_DEBUG"] = "0"
    os.environ["NTM_SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["NTM_ALLOWED_HOSTS"] = "*"
    os.environ.pop("NTM_CACHE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ntm.settings"


def use_database(path: Path) -> None:
    """Point the default connection at another SQLite file (it connects on its next query;
    with CONN_MAX_AGE 0 every request connects anyway)."""
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = str(path)


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def built_path(work: Path, copies: int) -> Path:
    return work / f"demo-{copies}x.sqlite3"


def build_stamp(copies: int) -> str:
    """A digest of what builds the database: the same digest, the same database."""
    files: list[Path] = []
    for name in BUILD_INPUTS:
        path = ROOT / name
        found = sorted(path.rglob("*")) if path.is_dir() else [path]
        files += [
            f
            for f in found
            if f.is_file() and f.suffix != ".pyc" and "tests" not in f.relative_to(ROOT).parts
        ]
    files += sorted(ROOT.glob("src/ntm/*/migrations/*.py"))
    h = hashlib.sha256(f"{BUILD_FORMAT}|{copies}".encode())
    h.update(importlib.metadata.version("vietnamadminunits").encode())
    if copies > 1:  # this file's history builder
        h.update(str(HISTORY_STEP).encode())
        for fn in (alternative, earlier_versions, longer_history):
            h.update(inspect.getsource(fn).encode())
    for f in files:
        h.update(str(f.relative_to(ROOT)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def alternative(measure: Measure, entry: Entry) -> Entry:
    """Another valid content for the measure than `entry`'s (a yes/no flipped, a count or a
    numerator moved by one)."""
    from ntm.values.services import Entry, InvalidEntry, check_entry

    if measure.kind == "yesno":
        candidates = [Entry(value=1.0 - (entry.value or 0.0)), Entry(value=1.0)]
    elif measure.kind == "share":
        num, den = entry.numerator or 0.0, entry.denominator or 1.0
        candidates = [
            Entry(numerator=num - 1, denominator=den),
            Entry(numerator=num + 1, denominator=den),
            Entry(numerator=num, denominator=den + 1),
        ]
    else:
        x = entry.value or 0.0
        candidates = [Entry(value=x + 1), Entry(value=x - 1), Entry(value=x * 0.9)]
    for c in candidates:
        try:
            checked = check_entry(measure, c)
        except InvalidEntry:
            continue
        if checked != entry:
            return checked
    raise AssertionError(f"no other content for {measure.key}: {entry}")


def earlier_versions(values: Sequence[PastValue], extra: int) -> list[PastValue]:
    """`extra` versions before each entry of `values` that is a version (not equal to the
    key's entry before it), a week apart and ending a week before it: alternately another
    content and a withdrawal (an emptied entry), never equal to the version before them (an
    unchanged entry is no version) nor to the entry they precede, and never reaching back to
    the key's previous entry, so that every moment the demo records reads the same record."""
    from ntm.criteria.loader import load_measures
    from ntm.values.services import Entry, PastValue, check_entry

    catalogue = load_measures()
    by_key: dict[tuple[int, str, int], list[PastValue]] = defaultdict(list)
    for v in values:
        by_key[(v.unit.pk, v.measure, v.period)].append(v)
    out: list[PastValue] = []
    for entries in by_key.values():
        entries.sort(key=lambda v: v.at)
        before, since = Entry(), None  # the key holds nothing before its first entry
        for v in entries:
            measure = catalogue[v.measure]
            final = check_entry(measure, v.entry)
            if final == before:  # no version in the demo's record either
                continue
            options = (alternative(measure, final), Entry())
            first = 0 if options[0] != before else 1
            for k in range(extra):
                at = v.at - (extra - k) * HISTORY_STEP
                assert since is None or at > since, (v, since)
                out.append(PastValue(v.unit, v.measure, v.period, options[(first + k) % 2], at))
            before, since = final, v.at
    return out


@contextmanager
def longer_history(copies: int) -> Iterator[None]:
    """While building: every value the demo loads gets `copies - 1` earlier versions."""
    if copies == 1:
        yield
        return
    from unittest import mock

    from ntm.demo import loader as demo_loader

    real = demo_loader.load_history

    def load(sets: Any, values: Any = (), *args: Any, **kwargs: Any) -> Any:
        values = list(values)
        return real(sets, [*earlier_versions(values, copies - 1), *values], *args, **kwargs)

    with mock.patch.object(demo_loader, "load_history", load):
        yield


def build(path: Path, copies: int) -> None:
    """The demo database at `path`, as `ntm run --no-serve` builds it (with `copies` times
    the version rows)."""
    from django.core.management import call_command
    from django.db import connections

    part = path.with_name(path.name + ".part")
    remove_database(part)
    use_database(part)
    with longer_history(copies):
        call_command("run", no_serve=True, stdout=io.StringIO())
    with connections["default"].cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    use_database(path)  # closes the connection: the file is whole, without its WAL
    remove_database(path)
    part.rename(path)
    remove_database(part)
    Path(f"{path}.stamp").write_text(build_stamp(copies))


def database(work: Path, copies: int, rebuild: bool) -> Path:
    """A working copy of the demo database with `copies` times its history, built when
    missing, stale or asked for; the copy is the run's own (saves never reach the build)."""
    built = built_path(work, copies)
    stamp = Path(f"{built}.stamp")
    current = built.exists() and stamp.exists() and stamp.read_text() == build_stamp(copies)
    if rebuild or not current:
        why = "asked" if rebuild else ("stale" if built.exists() else "missing")
        print(f"building {built.name} ({why}; {load_average()}) ...", flush=True)
        # In a process of its own: the load leaves a large heap behind, which would slow
        # every garbage collection of the measured requests.
        command = [sys.executable, __file__, "--dir", str(work), "--build", str(copies)]
        took = Samples()
        took.time(lambda: subprocess.run(command, check=True))
        print(f"  built in {took.wall[0]:.0f} s ({load_average()})", flush=True)
    else:
        print(f"reusing {built} (current)")
    copy = work / f"run-{copies}x.sqlite3"
    remove_database(copy)
    shutil.copyfile(built, copy)
    return copy


def entry_versions() -> int:
    from ntm.values.models import EntryVersion

    return EntryVersion.objects.count()


def final_record() -> list[tuple[Any, ...]]:
    """Every stored value as it stands (both stages' contents), for comparing databases."""
    from ntm.values.models import Value

    fields = [
        f"{stage}_{part}"
        for stage in ("claimed", "verified")
        for part in ("value", "numerator", "denominator", "not_applicable")
    ]
    return list(
        Value.objects.order_by("unit_id", "period", "measure").values_list(
            "unit_id", "period", "measure", *fields
        )
    )


# ------------------------------------------------------------------------------ pages


@dataclass(frozen=True)
class Page:
    key: str  # for --profile
    label: str
    url: str
    user: str  # whose session; "api": the API token


@dataclass
class Timing:
    cold: Samples = field(default_factory=Samples)  # the read layer's caches emptied
    warm: Samples = field(default_factory=Samples)


def clear_caches() -> None:
    """Empty the read layer's caches (Django's cache and the recent-objects LRU). The
    process's parsed criteria sets and compiled templates stay, as in a server that has
    served a page before."""
    from django.core.cache import cache

    from ntm.results import cache as rcache

    cache.clear()
    rcache.RECENT.clear()


def get(client: Client, url: str) -> HttpResponse:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response  # type: ignore[no-any-return]


def clients(users: Sequence[str], token_user: str | None = None) -> dict[str, Client]:
    """A logged-in client per user, and "api": a client with a bearer token of `token_user`
    (`ntm api token create`'s service)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from ntm.api.tokens import create_token

    model = get_user_model()
    out = {}
    for name in users:
        c = Client()
        c.force_login(model.objects.get(username=name))
        out[name] = c
    if token_user is not None:
        _, raw = create_token(
            model.objects.get(username=token_user), name="benchmark", actor="benchmark"
        )
        out["api"] = Client(headers={"Authorization": f"Bearer {raw}"})
    return out


def body(response: HttpResponse) -> str:
    return response.content.decode()


def _strong(page: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">.*?<strong>(.*?)</strong>', page, re.S)
    assert found, name
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def page_figures(page: str) -> dict[str, Any]:
    """What the province page shows: X/Y, the average, each criterion's row (met, basically
    met, not met, missing)."""
    section = page[page.index('id="h-criteria"') : page.index('id="h-bands"')]
    rows = re.findall(
        r'<tr><th scope="row">(\d+)\. .*?</th>'
        r'<td class="num">(.*?)</td><td class="num">(.*?)</td>'
        r'<td class="num">(.*?)</td><td class="num">(.*?)</td></tr>',
        section,
        re.S,
    )
    return {
        "meeting": _strong(page, "meeting"),
        "average": _strong(page, "average"),
        "criteria": [(int(n), *(html.unescape(x) for x in rest)) for n, *rest in rows],
    }


def expected_figures(stats: Statistics) -> dict[str, Any]:
    """`page_figures` of a page showing `stats`, formatted as the page formats them."""
    from ntm.vn.numbers import format_number, format_percent

    f = stats.total.figures
    return {
        "meeting": f"{format_number(f.meeting)}/{format_number(f.communes)} "
        f"({format_percent(f.meeting, f.communes)})",
        "average": format_number(f.average_met, 2) if f.evaluated else "—",
        "criteria": [
            (
                c.criterion,
                format_number(c.met),
                format_number(c.basically_met),
                format_number(c.not_met),
                format_number(c.unknown),
            )
            for c in f.criteria
        ],
    }


def comparable_page(page: str) -> str:
    """The page without what differs between two sessions (the CSRF token)."""
    return re.sub(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]*"', r"\1", page)


# ------------------------------------------------------------------------------ reference


def reference_statistics(
    province: Unit, period: int, cset: CriteriaSet, at: dt.datetime | None
) -> Statistics:
    """The province's figures for `period` without the read layer: its communes in force at
    the period's end, the stored values (live: the `Value` rows; as of `at`: the version rows
    held then) read with one query and the declarations with another, `evaluate`, and
    `statistics` over the communes holding something."""
    import polars as pl
    from django.db.models import Q

    from ntm.criteria.loader import load_measures
    from ntm.evaluation import VALUES_SCHEMA, evaluate
    from ntm.stats.rollup import statistics as rollup
    from ntm.units.models import Unit, UnitKind
    from ntm.values.models import Declaration, DeclarationVersion, EntryVersion, Value

    day = dt.date(period, 12, 31)
    roots = Unit.objects.valid_on(day).filter(code=province.code, kind=UnitKind.PROVINCE)
    communes = list(
        Unit.objects.valid_on(day)
        .filter(kind=UnitKind.COMMUNE)
        .filter(Q(parent__in=roots) | Q(parent__parent__in=roots))
        .select_related("parent")
    )
    ids = [u.pk for u in communes]
    parts = ("value", "numerator", "denominator", "not_applicable")
    rows: list[tuple[Any, ...]] = []
    if at is None:
        stages = [f"{s}_{p}" for s in ("claimed", "verified") for p in parts]
        stored = (
            Value.objects.filter(unit_id__in=ids, period=period)
            .order_by()
            .values_list("unit_id", "measure", *stages)
        )
        for unit, measure, *fields in stored:
            for stage, (x, num, den, na) in (("claimed", fields[:4]), ("verified", fields[4:])):
                if na or x is not None or num is not None:
                    rows.append((str(unit), measure, period, x, num, den, na, stage))
        declared_rows = (
            Declaration.objects.filter(unit_id__in=ids, period=period, set_id=cset.id)
            .exclude(status="")
            .values_list("unit_id", "criterion", "status")
        )
    else:
        held = Q(effective_at__lte=at) & (Q(superseded_at__isnull=True) | Q(superseded_at__gt=at))
        filled = Q(not_applicable=True) | Q(number__isnull=False) | Q(numerator__isnull=False)
        rows = [
            (str(unit), measure, period, x, num, den, na, stage)
            for unit, measure, x, num, den, na, stage in EntryVersion.objects.filter(
                held & filled, unit_id__in=ids, period=period
            )
            .order_by()
            .values_list("unit_id", "measure", "number", *parts[1:], "stage")
        ]
        declared_rows = (
            DeclarationVersion.objects.filter(held, unit_id__in=ids, period=period, set_id=cset.id)
            .exclude(status="")
            .values_list("unit_id", "criterion", "status")
        )
    values = pl.DataFrame(rows, schema=VALUES_SCHEMA, orient="row")
    declared = pl.DataFrame(
        [(str(u), period, c, s) for u, c, s in declared_rows.order_by()],
        schema={"unit": pl.String, "period": pl.Int32, "criterion": pl.Int32, "status": pl.String},
        orient="row",
    )

    def district(u: Unit) -> tuple[str | None, str | None]:
        p = u.parent
        if p is not None and p.kind == UnitKind.DISTRICT:
            return str(p.pk), p.name
        return None, None

    units = pl.DataFrame(
        [
            (
                str(u.pk),
                province.code,
                u.region,
                u.commune_group,
                bool(u.special_difficulty),
                bool(u.safe_zone_poor_district),
            )
            for u in communes
        ],
        schema={
            "unit": pl.String,
            "province": pl.String,
            "region": pl.String,
            "commune_group": pl.String,
            "special_difficulty": pl.Boolean,
            "safe_zone_poor_district": pl.Boolean,
        },
        orient="row",
    )
    ev = evaluate(cset, units, values, years=[period], declared=declared, measures=load_measures())
    holding = pl.concat([values.select("unit"), declared.select("unit")]).unique()
    scope = pl.DataFrame(
        [(str(u.pk), u.kind, *district(u), u.name, period) for u in communes],
        schema={
            "unit": pl.String,
            "kind": pl.String,
            "child_unit": pl.String,
            "child_name": pl.String,
            "name": pl.String,
            "period": pl.Int32,
        },
        orient="row",
    )
    return rollup(
        scope,
        ev.communes.join(holding, on="unit", how="semi"),
        ev.criteria.join(holding, on="unit", how="semi"),
        period=period,
        tier=cset.tier,
        parent=str(province.pk),
        parent_name=province.name,
        bands=cset.bands,
    )


# ------------------------------------------------------------------------------ the run


@dataclass(frozen=True)
class Demo:
    province: Unit
    commune: Unit  # in force in 2020
    cset: CriteriaSet


def demo() -> Demo:
    from ntm.criteria.loader import load_set
    from ntm.demo.loader import province
    from ntm.results.scope import communes_on

    prov = province()
    found = [u for u in communes_on(prov, dt.date(YEAR, 12, 31)) if u.name_key == COMMUNE_2020]
    assert len(found) == 1, found
    return Demo(prov, found[0], load_set(SET_2016))


def pages(d: Demo) -> list[Page]:
    p, c = d.province.pk, d.commune.pk
    return [
        Page("province", "province overview, live", f"/province/{p}/", OFFICE),
        Page("as-of", "province, as of 30/06/2020", f"/province/{p}/{AS_OF_QUERY}", OFFICE),
        Page(
            "approved-only",
            "province, as of, approved only",
            f"/province/{p}/{AS_OF_QUERY}&approved_only=1",
            OFFICE,
        ),
        Page(
            "rebased",
            "province, re-based (2025 units)",
            f"/province/{p}/?geography=rebased",
            OFFICE,
        ),
        Page("map", "province map", f"/province/{p}/map/", OFFICE),
        Page("commune", "commune page (2020 commune)", f"/commune/{c}/", OFFICE),
        Page("entry", "entry grid (2020)", f"/values/commune/{c}/{SET_2016}/{YEAR}/", APPRAISER),
        Page("central", "central view", "/central/", CENTRAL),
        Page("api", "API unit statistics", f"/api/units/{p}/statistics", "api"),
    ]


def measure_pages(
    listed: Sequence[Page], by_user: dict[str, Client], cold_rounds: int, requests: int, d: Demo
) -> tuple[dict[str, Timing], dict[str, Samples]]:
    """Cold rounds (caches emptied before each page, the references beside them), the
    figures checked, then warm rounds. Returns the pages' and the references' times."""
    from ntm.results.record import moment
    from ntm.stats.jsonable import jsonable

    times = {p.key: Timing() for p in listed}
    bodies: dict[str, str] = {}
    refs = {"live": Samples(), "as-of": Samples()}
    stats: dict[str, Statistics] = {}
    print(
        f"\n== Cold: caches emptied before each request, {cold_rounds} round(s) ({load_average()})",
        flush=True,
    )
    for _ in range(cold_rounds):
        for page in listed:
            clear_caches()
            response = times[page.key].cold.time(lambda p=page: get(by_user[p.user], p.url))
            bodies.setdefault(page.key, body(response))
        for name, at in (("live", None), ("as-of", moment(AS_OF))):
            stats[name] = refs[name].time(
                lambda at=at: reference_statistics(d.province, YEAR, d.cset, at)
            )
    rows = [(p.label, times[p.key].cold) for p in listed]
    rows += [(f"reference, {name}", refs[name]) for name in refs]
    for label, t in rows:
        print(
            f"  {label:34s} first {ms(t.wall[0]):>9s}   median {ms(t.p50):>9s}   "
            f"CPU median {ms(t.cpu50):>9s}"
        )

    # The reference's figures are the page's, live and as of; the API's are the live ones.
    for key, name in (("province", "live"), ("as-of", "as-of")):
        assert page_figures(bodies[key]) == expected_figures(stats[name]), key
    api = json.loads(bodies["api"])
    assert api["statistics"]["total"]["figures"] == jsonable(stats["live"].total.figures)
    print(
        "  equal: reference == page (X/Y, average, every criterion), live and as of "
        "30/06/2020; reference == the API's figures (live)"
    )

    for page in listed:  # warm again what the cold rounds emptied
        get(by_user[page.user], page.url)
    print(f"\n== Warm: {requests} rounds, every page once per round ({load_average()})", flush=True)
    for _ in range(requests):
        for page in listed:
            times[page.key].warm.time(lambda p=page: get(by_user[p.user], p.url))
    for page in listed:
        t = times[page.key].warm
        print(
            f"  {page.label:34s} p50 {ms(t.p50):>9s}   p95 {ms(t.p95):>9s}   "
            f"max {ms(max(t.wall)):>9s}   CPU p50 {ms(t.cpu50):>9s}"
        )
    print(f"  ({load_average()})")
    return times, refs


@dataclass(frozen=True)
class Flip:
    """A verified yes/no value of a commune at the standard whose 0 takes it off."""

    measure: str
    criterion: int


def choose_flip(d: Demo) -> Flip:
    """The first yes/no condition (in the set's order) that is its indicator's only one, read
    by no other condition, cannot be not applicable, and is met by the commune's verified
    value (the commune must meet the set)."""
    from ntm.criteria.loader import load_measures
    from ntm.values.models import Value

    catalogue = load_measures()
    uses: dict[str, int] = defaultdict(int)
    for c in d.cset.criteria:
        for ind in c.indicators:
            for cond in ind.conditions:
                uses[cond.measure] += 1
    verified = dict(
        Value.objects.filter(unit=d.commune, period=YEAR).values_list("measure", "verified_value")
    )
    for c in d.cset.criteria:
        for ind in c.indicators:
            cond = ind.conditions[0]
            if (
                len(ind.conditions) == 1
                and cond.op == "yes"
                and catalogue[cond.measure].kind == "yesno"
                and uses[cond.measure] == 1
                and not ind.may_be_not_applicable
                and verified.get(cond.measure) == 1.0
            ):
                return Flip(cond.measure, c.number)
    raise AssertionError("no yes/no value to flip")


@dataclass
class SaveReload:
    flip: Flip
    saves: Samples = field(default_factory=Samples)
    after_save: Samples = field(default_factory=Samples)  # the reload after a save
    plain: Samples = field(default_factory=Samples)  # the reload after that: nothing changed

    @property
    def extra(self) -> float:
        """What a save adds to the next reload (medians)."""
        return self.after_save.p50 - self.plain.p50


def save_and_reload(
    d: Demo,
    by_user: dict[str, Client],
    rounds: int,
    url: str,
    profiler: cProfile.Profile | None = None,
) -> SaveReload:
    """The province office reopens the commune's 2020; then, `rounds` times, the appraiser
    saves its verified value 0 (then 1) in the entry grid, the overview at `url` is
    reloaded — it must show the commune off (then back at) the standard — and reloaded again
    with nothing changed.
    `profiler` profiles the reloads after a save."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from ntm.results.province import province_overview
    from ntm.values.models import Stage, Value
    from ntm.values.services import reopen

    users = get_user_model().objects
    office = users.get(username=OFFICE)
    grid = by_user[APPRAISER]
    before = province_overview(d.province, period=YEAR).figures
    out = SaveReload(choose_flip(d))
    measure, criterion = out.flip.measure, out.flip.criterion
    reopen(d.commune, YEAR, d.cset, reason="Benchmark: save and reload", acting_user=office)
    client = by_user[OFFICE]
    get(client, url)  # the reopening moved the stamp: warm the page again
    met = {c.criterion: c.met for c in before.criteria}
    for i in range(2 * rounds):
        value = 0.0 if i % 2 == 0 else 1.0
        current = Value.objects.get(unit=d.commune, measure=measure, period=YEAR)
        # Saved as the appraiser saves it: a cell of the entry grid, whose answer shows the
        # commune's new results (so they are computed by then, as for a person saving).
        cell = reverse(
            "values:save_cell", args=[d.commune.pk, d.cset.id, YEAR, measure, Stage.VERIFIED]
        )
        form = {
            "yes_no": str(int(value)),
            "version": str(current.verified_version),
            "criterion": str(criterion),
        }
        saved = out.saves.time(
            lambda cell=cell, form=form: grid.post(cell, form, headers={"HX-Request": "true"})
        )
        assert saved.status_code == 200, saved.status_code
        stored = Value.objects.get(pk=current.pk).verified_version
        assert stored == current.verified_version + 1, "the grid did not save the cell"
        if profiler is not None:
            profiler.enable()
        response = out.after_save.time(lambda: get(client, url))
        if profiler is not None:
            profiler.disable()
        # The new figure, never a stale one: the commune is off the standard after a 0.
        shown, off = page_figures(body(response)), int(value == 0.0)
        x = before.meeting - off
        assert shown["meeting"].startswith(f"{x}/{before.communes} "), (shown["meeting"], x)
        row = next(r for r in shown["criteria"] if r[0] == criterion)
        assert row[1] == str(met[criterion] - off), (row, met[criterion], off)
        out.plain.time(lambda: get(client, url))
    return out


@dataclass
class History:
    versions: dict[int, int] = field(default_factory=dict)  # copies -> entry version rows
    cold: dict[int, Samples] = field(default_factory=lambda: defaultdict(Samples))
    warm: dict[int, Samples] = field(default_factory=lambda: defaultdict(Samples))
    read: dict[int, Samples] = field(default_factory=lambda: defaultdict(Samples))
    read_live: dict[int, Samples] = field(default_factory=lambda: defaultdict(Samples))
    load: list[str] = field(default_factory=list)


def history_length(paths: dict[int, Path], page: Page, cold_rounds: int, requests: int) -> History:
    """The as-of overview, cold and warm, on each database (copies -> path), alternately;
    the final records and the pages must be identical. Also the record read alone
    (`ntm.results.record.values_frame`: the only part that reads version rows), as of the
    page's moment and live."""
    from ntm.results.record import moment, values_frame
    from ntm.results.scope import communes_on

    out = History(load=[load_average()])
    by_db: dict[int, Client] = {}
    records, seen = {}, {}
    for copies, path in paths.items():
        use_database(path)
        out.versions[copies] = entry_versions()
        records[copies] = final_record()
        by_db[copies] = clients([page.user])[page.user]
    assert len({str(r) for r in records.values()}) == 1, "the final records differ"
    d = demo()
    ids = [u.pk for u in communes_on(d.province, dt.date(YEAR, 12, 31))]
    as_of = moment(AS_OF)
    for _ in range(cold_rounds):
        for copies, path in paths.items():
            use_database(path)
            clear_caches()
            response = out.cold[copies].time(lambda c=copies: get(by_db[c], page.url))
            seen.setdefault(copies, comparable_page(body(response)))
    assert len(set(seen.values())) == 1, "the as-of page differs between the histories"
    for copies, path in paths.items():  # both warm before the warm rounds
        use_database(path)
        get(by_db[copies], page.url)
    for _ in range(requests):
        for copies, path in paths.items():
            use_database(path)
            out.warm[copies].time(lambda c=copies: get(by_db[c], page.url))
            out.read[copies].time(lambda: values_frame(ids, YEAR, at=as_of))
            out.read_live[copies].time(lambda: values_frame(ids, YEAR))
    out.load.append(load_average())
    return out


def print_profile(title: str, profiler: cProfile.Profile, top: int = 40) -> None:
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs().sort_stats("cumulative")
    stats.print_stats(top)
    text.write("\n-- by own time --\n")
    stats.sort_stats("tottime").print_stats(20)
    print(f"\n== Profile: {title} ({load_average()})\n{text.getvalue()}")


def profile_page(page: Page, client: Client, requests: int) -> None:
    """cProfile of one cold request of the page (caches emptied), then of warm ones."""
    profiler = cProfile.Profile()
    clear_caches()
    profiler.runcall(get, client, page.url)
    print_profile(f"{page.label}, cold", profiler)
    profiler = cProfile.Profile()
    for _ in range(requests):
        profiler.runcall(get, client, page.url)
    print_profile(f"{page.label}, warm x{requests}", profiler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="warm requests per page")
    parser.add_argument("--cold", type=int, default=3, help="cold requests per page")
    parser.add_argument("--save-rounds", type=int, default=10, help="saves of 0 then 1")
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench-pages")
    parser.add_argument("--rebuild", action="store_true", help="build the databases again")
    parser.add_argument("--no-history", action="store_true", help="skip the 4x history")
    parser.add_argument(
        "--profile",
        nargs="*",
        default=[],
        metavar="KEY",
        help="cProfile these pages, cold and warm (province, as-of, approved-only, rebased, "
        "map, commune, entry, central, api), or the reloads after a save (save)",
    )
    parser.add_argument("--build", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    work = args.dir.resolve()
    configure(work)
    import django

    django.setup()
    if args.build:  # the child process of `database`
        build(built_path(work, args.build), args.build)
        return 0
    started = load_average()
    print("Pages of the demo (Lạng Sơn, SIMULATED values 2011-2020): server time")
    print(f"Machine: {machine()}; {started}")
    print(f"Databases in {work}")
    paths = {1: database(work, 1, args.rebuild)}
    if not args.no_history:
        paths[HISTORY] = database(work, HISTORY, args.rebuild)
    use_database(paths[1])
    d = demo()
    listed = pages(d)
    by_user = clients(sorted({p.user for p in listed if p.user != "api"}), OFFICE)
    print(
        f"Province {d.province} (pk {d.province.pk}); commune {d.commune} (pk {d.commune.pk}, "
        f"in force in {YEAR}); {entry_versions():,} entry version rows"
    )
    if args.requests < 30:
        print(f"(only {args.requests} warm requests per page: the p95 means little)")

    times, refs = measure_pages(listed, by_user, args.cold, args.requests, d)

    print(
        f"\n== Save + reload: {args.save_rounds} rounds of two saves ({load_average()})", flush=True
    )
    profiler = cProfile.Profile() if "save" in args.profile else None
    saved = save_and_reload(d, by_user, args.save_rounds, listed[0].url, profiler)
    print(
        f"  flipped: {saved.flip.measure} (criterion {saved.flip.criterion}) of "
        f"{d.commune}, verified, after reopening {YEAR}; every reload showed the new figure"
    )
    for label, t in (
        ("save (the service)", saved.saves),
        ("reload after a save", saved.after_save),
        ("plain reload", saved.plain),
    ):
        print(
            f"  {label:22s} median {ms(t.p50):>9s}   p95 {ms(t.p95):>9s}   "
            f"CPU median {ms(t.cpu50):>9s}"
        )
    print(f"  {'difference (medians)':22s} {ms(saved.extra):>16s}   ({load_average()})")
    if profiler is not None:
        print_profile("reloads after a save", profiler)

    hist = None
    if len(paths) > 1:
        print(
            f"\n== History length: the as-of overview at 1x and {HISTORY}x, alternately "
            f"({load_average()})",
            flush=True,
        )
        hist = history_length(paths, listed[1], args.cold, args.requests)
        v1, v4 = hist.versions[1], hist.versions[HISTORY]
        print(
            f"  entry version rows: {v1:,} and {v4:,} ({v4 / v1:.2f}x); the final records "
            "and the as-of pages identical"
        )
        for label, got, fn in (
            ("as-of page, cold (median)", hist.cold, lambda s: s.p50),
            ("as-of page, warm p50", hist.warm, lambda s: s.p50),
            ("as-of page, warm p95", hist.warm, lambda s: s.p95),
            ("as-of page, warm CPU p50", hist.warm, lambda s: s.cpu50),
            ("record read as of (median)", hist.read, lambda s: s.p50),
            ("record read live (median)", hist.read_live, lambda s: s.p50),
        ):
            a, b = fn(got[1]), fn(got[HISTORY])
            print(f"  {label:28s} 1x {ms(a):>9s}   {HISTORY}x {ms(b):>9s}   ratio {b / a:.2f}")
        print(f"  ({' -> '.join(hist.load)})")
        use_database(paths[1])

    for key in args.profile:
        page = next((p for p in listed if p.key == key), None)
        if page is not None:
            profile_page(page, by_user[page.user], min(args.requests, 10))

    print(f"\n== Summary ({started} at the start; {load_average()} at the end)")
    print(
        f"  {'':34s} {'cold':>9s} {'p50':>9s} {'p95':>9s} {'CPU p50':>9s}   "
        f"target: p95 <= {ms(TARGET_P95_S)}"
    )
    for page in listed:
        c, w = times[page.key].cold, times[page.key].warm
        print(
            f"  {page.label:34s} {ms(c.p50):>9s} {ms(w.p50):>9s} {ms(w.p95):>9s} "
            f"{ms(w.cpu50):>9s}   {verdict(w.p95 <= TARGET_P95_S)}"
        )
    for key, name in (("province", "live"), ("as-of", "as-of")):
        ref, t = refs[name], times[key]
        print(
            f"  {'reference, ' + name:34s} {ms(ref.p50):>9s}   page / reference: cold "
            f"{t.cold.p50 / ref.p50:.1f}x, warm p50 {t.warm.p50 / ref.p50:.2f}x"
        )
    print(
        f"  save + reload: reload after a save - plain reload = {ms(saved.extra)}   "
        f"target: <= {ms(TARGET_SAVE_S)}: {verdict(saved.extra <= TARGET_SAVE_S)}"
    )
    if hist is not None:
        print(
            f"  history {HISTORY}x / 1x (flat: <= {FLAT:.2f}x; cost must not grow with the "
            "history's length)"
        )
        for label, got, fn in (
            ("as-of page, cold", hist.cold, lambda s: s.p50),
            ("as-of page, warm p95", hist.warm, lambda s: s.p95),
            ("record read as of", hist.read, lambda s: s.p50),
            ("record read live", hist.read_live, lambda s: s.p50),
        ):
            a, b = fn(got[1]), fn(got[HISTORY])
            print(
                f"    {label:32s} {ms(b):>9s} / {ms(a):>9s} = {b / a:.2f}x   "
                f"{'flat' if b / a <= FLAT else 'GROWS'}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
