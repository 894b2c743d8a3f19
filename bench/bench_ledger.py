"""Ledger benchmarks. Each mode runs in its own process so /usr/bin/time -v gives its peak RSS.

    python bench/bench_ledger.py membw
    /usr/bin/time -v python bench/bench_ledger.py memory --rows 10_000_000
    python bench/gen_ledger.py --rows 50_000_000 --files 10 --out bench/data/lots
    /usr/bin/time -v python bench/bench_ledger.py stream --data bench/data/lots
    /usr/bin/time -v python bench/bench_ledger.py stream --data bench/data/lots --partition --out bench/data/ledger
    /usr/bin/time -v python bench/bench_ledger.py dups --data bench/data/lots
    /usr/bin/time -v python bench/bench_ledger.py pint --rows 20_000

memory: lots already in RAM (scenario/unit/plants as pl.Enum, as a ledger held in memory is), the
engine's priced lots collected; "String" repeats it with plain string columns (Enum casts on the
hot path). The full output table holds its text as Enum (lineage as single-category Enums).
stream: Parquet → Parquet via the streaming engine (compute_ledger with out=); the input files
hold plain strings, as an ESG export would.
pint: the per-row loop a user would otherwise write (pint Quantity per lot), extrapolated.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1])]
from gen_ledger import make_lots  # noqa: E402


def membw() -> None:
    """numpy copy and sum of 1 GiB: the memory-bandwidth bound of this machine."""
    a = np.ones(2**27)  # 1 GiB of float64
    b = np.empty_like(a)
    for name, f, nbytes in (("copy (read+write)", lambda: np.copyto(b, a), 2 * a.nbytes),
                            ("sum (read)", lambda: a.sum(), a.nbytes)):
        best = min(_timed(f) for _ in range(5))
        print(f"{name}: {nbytes / best / 1e9:.1f} GB/s")


def _timed(f) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def memory(rows: int) -> None:
    from lca.ledger import compute_ledger
    from lca.ledger.engine import good_lots, price
    from lca.ledger.plan import Dimensions, build_plan
    from lca.resources import default_study_path
    from lca.study import load_study

    study = load_study(default_study_path())
    for label, categorical in (("Enum", True), ("String", False)):
        df = make_lots(rows, categorical=categorical)
        t0 = time.perf_counter()
        dims = Dimensions.of(df.lazy())
        t1 = time.perf_counter()
        plan = build_plan(study, dims)
        t2 = time.perf_counter()
        best = min(_timed(lambda: price(df.lazy(), plan).select("declared_quantity", "intensity", "footprint",
                                                                "_ok").collect()) for _ in range(3))
        full = min(_timed(lambda: good_lots(price(df.lazy(), plan), plan).collect()) for _ in range(3))
        print(f"[{label}] {rows:,} lots: scan for distinct values {t1 - t0:.3f} s, plan (pint + study per "
              f"destination) {t2 - t1:.3f} s")
        print(f"[{label}]   hot path (quantity, intensity, footprint, ok): {best:.3f} s = {rows / best / 1e6:.0f} M rows/s")
        print(f"[{label}]   full output table (19 columns, Enum text, lineage): {full:.3f} s = "
              f"{rows / full / 1e6:.0f} M rows/s")
        dt = min(_timed(lambda: compute_ledger(df, study)) for _ in range(3))
        r = compute_ledger(df, study)
        print(f"[{label}]   compute_ledger end to end (validation, summaries): {dt:.2f} s = "
              f"{rows / dt / 1e6:.1f} M rows/s; total {r.total[0]:.6g} {r.total[1]}")
        del df, r


def stream(data: Path, out: Path, partition: bool = False) -> None:
    from lca.ledger import compute_ledger

    t = time.perf_counter()
    r = compute_ledger(data, out=out, on_error="skip", partition_by="period" if partition else None)
    dt = time.perf_counter() - t
    how = " (partitioned by period)" if partition else ""
    print(f"streamed{how} {r.n_in:,} lots → {r.n_out:,} written, {r.n_rejected:,} rejected in {dt:.2f} s "
          f"= {r.n_in / dt / 1e6:.1f} M rows/s; total {r.total[0]:.6g} {r.total[1]}")
    size = sum(p.stat().st_size for p in Path(out).parent.glob(Path(out).name + "*") if p.is_file())
    size += sum(p.stat().st_size for p in Path(out).rglob("*.parquet")) if Path(out).is_dir() else 0
    print(f"output {size / 1e6:.0f} MB")


def dups(data: Path) -> None:
    """The duplicate-id pre-pass alone (hash every lot id, sort, verify candidates): time and, under
    /usr/bin/time -v, its peak memory."""
    from lca.ledger import io
    from lca.ledger.duplicates import duplicate_lot_ids

    lots = io.normalize(io.scan_lots(data))
    t = time.perf_counter()
    found = duplicate_lot_ids(lots)
    dt = time.perf_counter() - t
    print(f"duplicate-id pass: {len(found):,} duplicated ids in {dt:.2f} s")


def pint_baseline(rows: int) -> None:
    """What a user would write: a pint Quantity per lot, converted and multiplied row by row."""
    from lca.results import compute
    from lca.resources import default_study_path
    from lca.study import load_study
    from lca.units import normalize_unit, registry

    ureg = registry()
    fps = {d: compute(load_study(default_study_path(), cell_plant=d)) for d in ("liberty", "holland")}
    intensity = {(s, d): ureg.Quantity(fp.total(s).value, "kg_CO2e/m^2") for d, fp in fps.items()
                 for s in fp.scenarios}
    df = make_lots(rows)
    t = time.perf_counter()
    out = []
    for lot, qty, unit, s, d in df.select("lot_id", "quantity", "unit", "scenario", "destination_plant").iter_rows():
        q = qty * ureg.parse_expression(normalize_unit(unit))
        out.append((lot, (q * intensity[(s, d)]).to("kg_CO2e").magnitude))
    dt = time.perf_counter() - t
    print(f"per-row pint: {rows:,} lots in {dt:.2f} s = {rows / dt:,.0f} rows/s; "
          f"10 M lots would take {1e7 / (rows / dt) / 60:.0f} min, 50 M {5e7 / (rows / dt) / 3600:.1f} h")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["membw", "memory", "stream", "dups", "pint"])
    ap.add_argument("--partition", action="store_true", help="stream: --partition-by period")
    ap.add_argument("--rows", type=lambda x: int(x.replace("_", "")), default=10_000_000)
    ap.add_argument("--data", type=Path, default=Path("bench/data/lots"))
    ap.add_argument("--out", type=Path, default=Path("bench/data/ledger.parquet"))
    a = ap.parse_args()
    {"membw": membw, "memory": lambda: memory(a.rows), "stream": lambda: stream(a.data, a.out, a.partition),
     "dups": lambda: dups(a.data),
     "pint": lambda: pint_baseline(a.rows)}[a.mode]()


if __name__ == "__main__":
    main()
