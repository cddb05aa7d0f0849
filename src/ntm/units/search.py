"""Finding communes as people ask for them: by name without diacritics ("van linh"), by code
("06505"), and by names they no longer bear.

Every version of a commune is searched, past ones too: a commune merged away on 01/07/2025 is
found under its own name, with what it became (the lineage's successors, with the event's
date), and a commune in force is found with what it was formed from. Who may read which of
them is the caller's to decide (`ntm.accounts.permissions`); results come in Vietnamese
alphabetical order (`ntm.vn.collation`), the communes in force first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from ntm.units.models import Unit, UnitEventLink, UnitKind
from ntm.vn.collation import sort_key
from ntm.vn.text import name_key

# Fewer characters than this match too much to be a search.
MIN_LENGTH = 2
LIMIT = 50
_START = dt.date.min  # an open start sorts first


@dataclass(frozen=True)
class Link:
    """A unit on the other side of an event: what a commune became, or was formed from."""

    unit: Unit
    date: dt.date  # the event's date: the first day of the new unit
    kind_label: str


@dataclass(frozen=True)
class Found:
    unit: Unit
    in_force: bool
    became: tuple[Link, ...]  # direct successors (merged into, renamed to, ...)
    formed_from: tuple[Link, ...]  # direct predecessors


def _matching(text: str) -> QuerySet[Unit]:
    communes = Unit.objects.filter(kind=UnitKind.COMMUNE)
    stripped = text.strip()
    if stripped.isdigit():
        return communes.filter(code__startswith=stripped)
    return communes.filter(name_key__contains=name_key(stripped))


def links_of(
    units: list[Unit],
) -> tuple[dict[int, tuple[Link, ...]], dict[int, tuple[Link, ...]]]:
    """Each unit's direct successors and predecessors (two queries for all of them), by date,
    then in Vietnamese order."""
    ids = [u.pk for u in units]
    became: dict[int, list[Link]] = {}
    formed: dict[int, list[Link]] = {}
    links = UnitEventLink.objects.select_related("event", "old_unit", "new_unit__parent")
    for link in links.filter(old_unit_id__in=ids, new_unit__isnull=False):
        assert link.new_unit is not None and link.old_unit_id is not None
        became.setdefault(link.old_unit_id, []).append(
            Link(link.new_unit, link.event.date, link.event.get_kind_display())
        )
    for link in links.filter(new_unit_id__in=ids, old_unit__isnull=False).select_related(
        "old_unit__parent"
    ):
        assert link.old_unit is not None and link.new_unit_id is not None
        formed.setdefault(link.new_unit_id, []).append(
            Link(link.old_unit, link.event.date, link.event.get_kind_display())
        )
    return _ordered(became), _ordered(formed)


def _ordered(links: dict[int, list[Link]]) -> dict[int, tuple[Link, ...]]:
    return {
        pk: tuple(sorted(found, key=lambda k: (k.date, sort_key(k.unit.name), k.unit.pk)))
        for pk, found in links.items()
    }


@dataclass(frozen=True)
class Results:
    found: list[Found]
    more: bool  # more communes matched than `found` lists


def search_communes(
    text: str, *, today: dt.date, readable: Callable[[list[int]], set[int]]
) -> Results:
    """The communes (every version) whose code starts with `text`, when it is digits, or whose
    name holds it without regard to diacritics, case or the kind prefix; of them, those
    `readable` keeps (it is given their ids) — before the list is cut at `LIMIT`, so that
    other people's communes never crowd out one's own. Empty for text shorter than
    `MIN_LENGTH`."""
    if len(text.strip()) < MIN_LENGTH:
        return Results([], more=False)
    kept = readable(list(_matching(text).values_list("pk", flat=True)))
    units = list(Unit.objects.filter(pk__in=kept).select_related("parent__parent"))
    units.sort(key=lambda u: (not u.is_valid_on(today), sort_key(u.name), u.valid_from or _START))
    more, units = len(units) > LIMIT, units[:LIMIT]
    became, formed = links_of(units)
    found = [
        Found(
            unit=u,
            in_force=u.is_valid_on(today),
            became=became.get(u.pk, ()),
            formed_from=formed.get(u.pk, ()),
        )
        for u in units
    ]
    return Results(found, more)
