"""What the recognition services need from the figures: whether a unit met its tier's set in
the year of the standard, read through the same results as every page."""

from __future__ import annotations

from ntm.recognition.models import Recognition, Tier
from ntm.results.commune import unit_results
from ntm.results.sets import set_of_tier
from ntm.units.models import UnitKind

# The criteria set's tier (`ntm.criteria.schema.Tier`) a recognition tier is judged by.
SET_TIER = {
    Tier.NTM: "standard",
    Tier.ADVANCED: "advanced",
    Tier.MODEL: "model",
    Tier.MODERN: "modern",
}


def set_met(case: Recognition) -> bool | None:
    """The engine's verdict on the case's set in its year of the standard, with the province's
    decisions: True or False when the results settle it, None when they do not (no set of
    that tier for the year, no result, or a unit the commune sets do not judge)."""
    tier = SET_TIER.get(Tier(case.tier))
    if case.unit.kind != UnitKind.COMMUNE or tier is None:
        return None
    cset = set_of_tier(case.year, tier)
    if cset is None:
        return None
    communes = unit_results(case.unit, case.year, cset).communes
    rows = communes.filter(communes["unit"] == str(case.unit.pk)).to_dicts()
    if not rows or rows[0]["meets_set"] is None:
        return None
    if rows[0]["meets_set"]:
        return True
    # Not met on what is known, or only for want of data: the latter is unknown.
    return None if rows[0]["not_met"] == 0 and rows[0]["basically_met"] == 0 else False
