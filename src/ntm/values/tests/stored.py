"""The engine's results of what is stored now, for the tests of the services (the read layer,
`ntm.results`, is tested on its own; the domain app does not import it)."""

from __future__ import annotations

import polars as pl

from ntm.criteria.loader import load_measures
from ntm.criteria.schema import CriteriaSet
from ntm.evaluation import VALUES_SCHEMA, Evaluation, evaluate
from ntm.units.models import Unit
from ntm.units.queries import province_code
from ntm.values.models import Declaration, ProvinceDecision, Stage, Value


def stored_results(unit: Unit, period: int, cset: CriteriaSet) -> Evaluation:
    rows = [
        {"unit": str(unit.pk), "measure": v.measure, "period": period, **v.entry(s), "stage": s}
        for v in Value.objects.filter(unit=unit, period=period)
        for s in Stage.values
        if v.has(s)
    ]
    declared, decided = (
        pl.DataFrame(
            [
                {"unit": str(unit.pk), "period": period, "criterion": c, "status": s}
                for c, s in model.objects.filter(unit=unit, period=period, set_id=cset.id)
                .exclude(status="")
                .values_list("criterion", "status")
            ],
            schema={
                "unit": pl.String,
                "period": pl.Int32,
                "criterion": pl.Int32,
                "status": pl.String,
            },
        )
        for model in (Declaration, ProvinceDecision)
    )
    units = pl.DataFrame(
        [
            {
                "unit": str(unit.pk),
                "province": province_code(unit),
                "region": unit.region,
                "commune_group": unit.commune_group,
                "special_difficulty": bool(unit.special_difficulty),
                "safe_zone_poor_district": bool(unit.safe_zone_poor_district),
            }
        ]
    )
    return evaluate(
        cset,
        units,
        pl.DataFrame(rows, schema=VALUES_SCHEMA),
        years=[period],
        declared=declared,
        decided=decided,
        measures=load_measures(),
    )
