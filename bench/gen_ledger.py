"""Synthetic shipments for the ledger benchmarks: lots of coated separator to two cell plants.

    python bench/gen_ledger.py --rows 50_000_000 --files 10 --out bench/data/lots
    python bench/gen_ledger.py --rows 20_000 --csv bench/data/lots.csv

Deterministic (fixed seed). Units: 70 % m^2, 20 % ft^2, 10 % rolls written as "1200 m^2".
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import polars as pl

SCENARIOS = ["jp-import", "charlotte-coated", "ontario", "kr-import", "cn-import", "supply-mix-2028"]
ORIGIN = {"jp-import": "moriyama", "charlotte-coated": "charlotte", "ontario": "port_colborne",
          "kr-import": "chungju", "cn-import": "jiangsu", "supply-mix-2028": "charlotte"}
DESTINATIONS = ["liberty", "holland"]
UNITS = ["m^2", "ft^2", "1200 m^2"]
FIRST_DAY = 20089  # 2025-01-01


def make_lots(n: int, *, seed: int = 7, start: int = 0, bad_fraction: float = 0.0,
              categorical: bool = False, duplicates: int = 0) -> pl.DataFrame:
    """``n`` lots with ids ``L{start}..``; ``bad_fraction`` of them get a negative quantity;
    the last ``duplicates`` lots repeat the ids of the first ones (so 2 × ``duplicates`` are bad).

    ``categorical=True`` keeps scenario/unit/plants as ``pl.Enum`` (how a ledger sits in memory).
    """
    rng = np.random.default_rng([seed, start])
    s = rng.integers(0, len(SCENARIOS), n).astype(np.uint32)
    u = rng.choice(3, n, p=[0.7, 0.2, 0.1]).astype(np.uint32)
    d = rng.integers(0, 2, n).astype(np.uint32)
    m2 = rng.uniform(500.0, 20_000.0, n)
    qty = np.where(u == 0, m2, np.where(u == 1, m2 / 0.09290304, np.ceil(m2 / 1200.0)))
    if bad_fraction:
        qty = np.where(rng.random(n) < bad_fraction, -qty, qty)
    se, ue, de = pl.Enum(SCENARIOS), pl.Enum(UNITS), pl.Enum(DESTINATIONS)
    oe = pl.Enum(sorted(set(ORIGIN.values())))
    origin = pl.Series([ORIGIN[x] for x in SCENARIOS], dtype=oe)
    df = pl.DataFrame({
        "lot_id": pl.int_range(start, start + n, eager=True, dtype=pl.Int64),
        "date": pl.Series(rng.integers(FIRST_DAY, FIRST_DAY + 365, n)).cast(pl.Date),
        "product": pl.repeat("coated-separator", n, eager=True, dtype=pl.Enum(["coated-separator"])),
        "quantity": qty,
        "unit": pl.Series(UNITS, dtype=ue).gather(u), "scenario": pl.Series(SCENARIOS, dtype=se).gather(s),
        "origin_plant": origin.gather(s), "destination_plant": pl.Series(DESTINATIONS, dtype=de).gather(d),
    })
    if duplicates:
        i = pl.col("lot_id")
        df = df.with_columns(pl.when(i >= start + n - duplicates).then(i - (n - duplicates)).otherwise(i)
                             .alias("lot_id"))
    df = df.with_columns(pl.format("L{}", pl.col("lot_id")).alias("lot_id"))
    if not categorical:
        df = df.with_columns(pl.col(c).cast(pl.String) for c in
                             ("product", "unit", "scenario", "origin_plant", "destination_plant"))
    return df


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=lambda x: int(x.replace("_", "")), default=1_000_000)
    ap.add_argument("--files", type=int, default=1)
    ap.add_argument("--out", type=Path, help="folder of Parquet files")
    ap.add_argument("--csv", type=Path, help="one CSV file instead")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bad-fraction", type=float, default=0.0)
    ap.add_argument("--duplicates", type=int, default=0, help="per file: last N lots repeat the first N ids")
    a = ap.parse_args()
    if a.csv:
        a.csv.parent.mkdir(parents=True, exist_ok=True)
        make_lots(a.rows, seed=a.seed, bad_fraction=a.bad_fraction, duplicates=a.duplicates).write_csv(a.csv)
        return
    a.out.mkdir(parents=True, exist_ok=True)
    per = -(-a.rows // a.files)
    for i in range(a.files):
        n = min(per, a.rows - i * per)
        make_lots(n, seed=a.seed, start=i * per, bad_fraction=a.bad_fraction, duplicates=a.duplicates).write_parquet(
            a.out / f"lots-{i:03d}.parquet")


if __name__ == "__main__":
    main()
