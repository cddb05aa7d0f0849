"""The read layer's cache: entries keyed by everything a figure depends on.

A key names the question (what is computed, for which scope, set and its fingerprint, period,
moment, geography, stage and language) and carries the stamps of what it read: the
`PeriodStamp` of every unit and period (moved by every write to the record, in the write's own
transaction) and the units' own stamp (`units_stamp`: any new unit version, unit event or
commune group assignment). A write therefore changes exactly the keys of the figures that read
it; the others stay valid. Entries live as objects among this process's latest (`RECENT`) and,
pickled, in Django's cache when that is shared (Redis with `NTM_CACHE_URL`); with Django's
default, process-memory cache, the large entries stay among the latest only. A lost entry is
only recomputed, never wrong.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db.models import Max

from ntm.units.models import GroupAssignment, Unit, UnitEvent

T = TypeVar("T")
# Bump when the shape of what is cached changes.
FORMAT = "results-2"
TIMEOUT = 7 * 24 * 3600  # idle entries leave by themselves; a valid key never goes stale


def digest(*parts: Any) -> str:
    """A short stable digest of the parts' text."""
    raw = "\x1f".join(repr(p) for p in parts)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def key(kind: str, *parts: Any) -> str:
    return f"{FORMAT}:{kind}:{digest(*parts)}"


def units_stamp() -> tuple[int | None, int | None, int | None]:
    """Moves whenever a unit version, a unit event or a commune group assignment is added
    (units are never changed in place but by events, which close one version and open
    another; group assignments are only added)."""
    return (
        Unit.objects.aggregate(m=Max("id"))["m"],
        UnitEvent.objects.aggregate(m=Max("id"))["m"],
        GroupAssignment.objects.aggregate(m=Max("id"))["m"],
    )


class _Recent:
    """The latest entries of this process, kept as objects: a hit costs no unpickling. The
    keys carry what the entries read, so an entry here is as valid as in the shared cache."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, name: str) -> Any:
        with self.lock:
            found = self.entries.get(name)
            if found is not None:
                self.entries.move_to_end(name)
            return found

    def put(self, name: str, value: Any) -> None:
        with self.lock:
            self.entries[name] = value
            self.entries.move_to_end(name)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


RECENT = _Recent(256)


def get(name: str) -> Any:
    found = RECENT.get(name)
    if found is None:
        found = cache.get(name)
        if found is not None:
            RECENT.put(name, found)
    return found


def _process_local() -> bool:
    """Whether the shared cache is this process's own memory (Django's default), where a copy
    beside `RECENT` would only cost its pickling: some 15 ms for a province's year."""
    return isinstance(caches["default"], LocMemCache)


def put(name: str, value: Any) -> None:
    RECENT.put(name, value)
    if not _process_local():
        cache.set(name, value, TIMEOUT)


def remember(name: str, compute: Callable[[], T]) -> T:
    """The cached value under `name`, else `compute()` stored there."""
    found = get(name)
    if found is not None:
        return found  # type: ignore[no-any-return]
    value = compute()
    put(name, value)
    return value


def get_many(names: Iterable[str]) -> dict[str, Any]:
    return cache.get_many(list(names))


def set_many(entries: dict[str, Any]) -> None:
    if entries:
        cache.set_many(entries, TIMEOUT)
