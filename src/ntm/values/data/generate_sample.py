"""Make `sample-langson-2020.xlsx`: real Lạng Sơn communes, SIMULATED indicator values.

    .venv/bin/python -m ntm.values.data.generate_sample

Communes (names, GSO codes) come from the pre-2025 list shipped by `vietnamadminunits`
(province code 20; communes only, not wards or towns; region TDMNPB). That list is the one in
force just before 01/07/2025 (175 communes), not the 181 communes of 2020: the sample is a
demonstration, not a record. Every value is drawn from a seeded random generator around the
threshold of the commune's column, so that some communes meet every criterion, most miss a
few, and a handful have a blank cell (missing data).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path
from typing import Any

from vietnamadminunits.database import query

from ntm.criteria.loader import load_measures, load_set
from ntm.criteria.resolve import resolve
from ntm.criteria.schema import NUMERIC_OPS, Condition, Op
from ntm.exchange.workbook import write_template
from ntm.values.data import SAMPLE_NOTE, SAMPLE_SET, SAMPLE_WORKBOOK, SAMPLE_YEAR

SEED = 2020
PROVINCE_CODE = "20"
REGION = "TDMNPB"
# Share of communes simulated as meeting every criterion (Lạng Sơn reported 65 of 181,
# 35,9 %, at the end of 2020; the simulation only aims near it).
SHARE_MEETING = 0.36
SHARE_WITH_BLANK = 0.03


def langson_communes() -> list[dict[str, str]]:
    rows = query(
        "SELECT DISTINCT wardCode AS code, ward AS name FROM admin_units_legacy "
        f"WHERE provinceCode = '{PROVINCE_CODE}' AND wardType = 'Xã' ORDER BY wardCode"
    )
    return [{"code": str(r["code"]), "name": str(r["name"])} for r in rows]


def _denominator(text: str, size: dict[str, float], rng: random.Random) -> float:
    """A plausible denominator for what the share counts (households, km, villages ...)."""
    text = text.lower()
    rules: list[tuple[str, Any]] = [
        ("km", lambda: round(rng.uniform(4, 45), 1)),
        ("ha", lambda: round(rng.uniform(120, 900), 1)),
        ("trường", lambda: rng.randint(3, 6)),
        ("thôn", lambda: size["villages"]),
        ("tổ chức", lambda: 5),
        ("trẻ em", lambda: round(size["population"] * rng.uniform(0.07, 0.1))),
        ("học sinh", lambda: round(size["population"] * rng.uniform(0.012, 0.02))),
        ("chăn nuôi", lambda: round(size["households"] * rng.uniform(0.4, 0.8))),
        ("cơ sở", lambda: rng.randint(6, 60)),
        ("lao động", lambda: round(size["population"] * rng.uniform(0.55, 0.65))),
        ("dân số", lambda: size["population"]),
        ("hộ", lambda: size["households"]),
    ]
    for word, make in rules:
        if word in text:
            return float(make())
    return float(rng.randint(100, 1000))


def _share(op: Op, t: float | None, passes: bool, den: float, rng: random.Random) -> float:
    """A numerator whose share passes or fails the threshold `t` (percent)."""
    if t is None:
        return math.floor(den * rng.uniform(0.5, 1.0))
    if op == Op.EQUAL:
        return den if passes else max(den - rng.randint(1, 2), 0)
    if op == Op.AT_LEAST:
        if passes:
            return min(den, math.ceil(den * rng.uniform(t, t + (100 - t) * 0.8) / 100))
        return max(math.ceil(den * t / 100) - rng.randint(1, 1 + int(den * 0.1)), 0)
    if passes:  # "<=": a ceiling
        return math.floor(den * rng.uniform(t * 0.2, t) / 100)
    return min(den, math.floor(den * t / 100) + rng.randint(1, 1 + int(den * 0.05)))


def simulate() -> list[dict[str, Any]]:
    cset = load_set(SAMPLE_SET)
    measures = load_measures()
    resolved = resolve(cset, SAMPLE_YEAR)
    rng = random.Random(SEED)
    rows = []
    for commune in langson_communes():
        households = rng.randint(450, 2200)
        size = {
            "households": float(households),
            "population": float(round(households * rng.uniform(4.0, 4.8))),
            "villages": float(rng.randint(7, 22)),
        }
        failing: set[int] = set()
        if rng.random() >= SHARE_MEETING:
            # Lạng Sơn's communes met 12,5 criteria on average at the end of 2020.
            k = round(rng.triangular(1, 17, 9))
            failing = set(rng.sample([c.number for c in cset.criteria], k))
        row: dict[str, Any] = {
            "unit": commune["code"],
            "name": commune["name"],
            "province": PROVINCE_CODE,
            "region": REGION,
        }
        for criterion in cset.criteria:
            # A failing criterion fails one of its conditions; the others pass.
            conds = [
                (i.code, k, c) for i in criterion.indicators for k, c in enumerate(i.conditions)
            ]
            fail_at = rng.randrange(len(conds)) if criterion.number in failing else -1
            for n, (code, k, cond) in enumerate(conds):
                row.update(_values(cond, code, k, n != fail_at, resolved, measures, size, rng))
        if rng.random() < SHARE_WITH_BLANK:
            keys = [k for k in row if k not in {"unit", "name", "province", "region"}]
            blank = rng.choice(keys).removesuffix("__numerator").removesuffix("__denominator")
            for key in (blank, f"{blank}__numerator", f"{blank}__denominator"):
                row.pop(key, None)
        rows.append(row)
    return rows


def _values(
    cond: Condition,
    code: str,
    k: int,
    passes: bool,
    resolved: Any,
    measures: Any,
    size: dict[str, float],
    rng: random.Random,
) -> dict[str, Any]:
    m = measures[cond.measure]
    t = resolved.lookup(code, k, REGION)[1].value if cond.op in NUMERIC_OPS else None
    if m.kind == "yesno":
        return {m.key: passes}
    if cond.op == Op.NONE:
        return {m.key: 0 if passes else rng.randint(1, 6)}
    if m.kind == "share":
        den = _denominator(m.denominator_vi or "", size, rng)
        num = _share(cond.op, t, passes, den, rng)
        return {f"{m.key}__numerator": num, f"{m.key}__denominator": den}
    if t is None:
        return {m.key: round(rng.uniform(10, 60), 1)}
    delta = rng.uniform(0.2, 12) if passes else -rng.uniform(0.5, 8)
    if cond.op == Op.AT_MOST:
        delta = -delta
    return {m.key: round(max(t + delta, 0), 1)}


def main(path: Path = SAMPLE_WORKBOOK) -> None:
    rows = simulate()
    write_template(
        load_set(SAMPLE_SET),
        path,
        rows=rows,
        notes=(
            SAMPLE_NOTE,
            f"Năm đánh giá: {SAMPLE_YEAR}. {len(rows)} xã của tỉnh Lạng Sơn theo danh mục "
            "trước 01/07/2025 của gói vietnamadminunits (năm 2020 tỉnh có 181 xã); "
            f"tạo bởi ntm.values.data.generate_sample, seed {SEED}.",
        ),
        created=dt.datetime(2020, 12, 31),
    )
    print(f"{path}: {len(rows)} xã (dữ liệu mô phỏng)")


if __name__ == "__main__":
    main()
