"""Benchmark: N activity rows joined to the factor table, converted, characterised, aggregated.

Runs the engine's own functions (lca.factors.factor_columns, lca.engine.characterise.characterise) on a
synthetic activity frame built from the shipped factor library, and, on a sample, the per-row
pint approach a user would otherwise write. Prints rows/s and peak RSS.

    python bench/bench_pipeline.py --rows 10_000_000 --sample 20_000
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import polars as pl

from lca.engine.characterise import characterise, gwp_table
from lca.factors import factor_columns, load_library

# activity unit spellings per factor denominator dimension (several per dimension, as users write them)
UNITS = {
    "energy": ["kWh", "MWh", "MJ", "GJ", "therm", "MMBtu"],
    "mass": ["kg", "g", "tonne", "lb", "short_ton"],
    "mass × distance": ["tkm", "t*km", "short_ton*mile", "kg*km"],
    "area": ["m^2", "ft^2"],
    "volume": ["m^3", "L"],
}


def make_activities(n: int, seed: int = 42) -> pl.DataFrame:
    """n activities, each naming a shipped default factor and an amount in a unit of the right dimension."""
    from lca.units import dimension_name

    lib = load_library()
    f = lib.factors.filter(pl.col("status") == "default")
    f = f.with_columns(pl.col("per_dimension").map_elements(dimension_name, return_dtype=pl.String).alias("dim"))
    f = f.filter(pl.col("dim").is_in(list(UNITS)))
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, f.height, n)
    ids = f.get_column("id").to_numpy()[pick]
    dims = f.get_column("dim").to_numpy()[pick]
    unit_choice = rng.integers(0, 6, n)
    units = np.empty(n, dtype=object)
    for dim, opts in UNITS.items():
        mask = dims == dim
        units[mask] = np.array(opts, dtype=object)[unit_choice[mask] % len(opts)]
    return pl.DataFrame({
        "scenario": pl.Series(rng.integers(0, 12, n)).cast(pl.String).cast(pl.Categorical),
        "stage": pl.Series(np.array(["raw_materials", "base_film", "coating", "packaging", "transport"])[
            rng.integers(0, 5, n)]).cast(pl.Categorical),
        "factor_id": pl.Series(ids).cast(pl.String).cast(pl.Categorical),
        "amount": rng.random(n) * 10.0,
        "unit": pl.Series(units).cast(pl.String).cast(pl.Categorical),
    }).with_columns(pl.lit("bench").alias("origin"))


def engine(acts: pl.DataFrame) -> pl.DataFrame:
    """The vectorized path: join, convert (pint once per distinct unit), characterise, aggregate."""
    lib = load_library()
    factors = factor_columns(lib.factors)
    out = characterise(acts.lazy(), factors, gwp_table(lib, "AR6"))
    by_factor = out.group_by("scenario", "stage", "factor_id").agg(pl.col("value").sum()).collect()
    groups = factors.select("factor_id", "category", "gas").with_columns(pl.col("factor_id").cast(pl.Categorical))
    return (by_factor.join(groups, on="factor_id").group_by("scenario", "stage", "category", "gas")
            .agg(pl.col("value").sum()))


def per_row_pint(acts: pl.DataFrame) -> float:
    """What a user would write: one pint Quantity per row, converted and multiplied."""
    from lca.units import normalize_unit, registry

    ureg = registry()
    lib = load_library()
    fx = {r["id"]: r for r in lib.factors.iter_rows(named=True)}
    gwp = dict(lib.gwp.filter(pl.col("gwp_set") == "AR6").select("gas", "value").iter_rows())
    total = 0.0
    for fid, amount, unit in acts.select("factor_id", "amount", "unit").iter_rows():
        f = fx[fid]
        q = ureg.Quantity(amount, normalize_unit(unit)) * ureg.Quantity(f["value"], normalize_unit(f["unit"]))
        if f["gas"] == "CO2e":
            total += q.to("kg_CO2e").magnitude
        else:
            total += q.to("kg").magnitude * float(gwp[f["gas"]])
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--sample", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()

    t = time.perf_counter()
    acts = make_activities(a.rows)
    print(f"generated {a.rows:,} activities in {time.perf_counter() - t:.2f} s "
          f"({acts.get_column('unit').n_unique()} distinct units, {acts.get_column('factor_id').n_unique()} factors)")
    engine(acts.head(1000))  # warm caches (pint registry, library load)
    best = float("inf")
    for _ in range(a.repeat):
        t = time.perf_counter()
        res = engine(acts)
        best = min(best, time.perf_counter() - t)
    print(f"engine: {a.rows:,} rows in {best:.3f} s = {a.rows / best / 1e6:.1f} M rows/s "
          f"({res.height} groups, total {res.get_column('value').sum():.6g} kg CO2e)")

    sample = acts.head(a.sample)
    t = time.perf_counter()
    slow_total = per_row_pint(sample)
    dt = time.perf_counter() - t
    fast_total = engine(sample).get_column("value").sum()
    print(f"per-row pint: {a.sample:,} rows in {dt:.2f} s = {a.sample / dt / 1e3:.1f} k rows/s "
          f"(same total: {abs(slow_total - fast_total) / fast_total:.1e} rel. difference); "
          f"engine is {(a.rows / best) / (a.sample / dt):,.0f}× faster")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
