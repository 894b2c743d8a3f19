"""Re-evaluation benchmark (#12 item 9): ``Model.evaluate(changes)`` against a full load + compute.

    python bench/bench_evaluate.py [--repeat 20] [--sample 100000]

Prints the median wall time of (a) ``lca.compute(lca.load_study(path))`` for the default study
— read, parse, validate, build, resolve factors, characterise, solve — and (b)
``model.evaluate(changes)`` on a model built once, for a change to an exchange amount, a yield, a
factor and all three at once, and the ratio (target ≥ 20×). Not a test: a timing, on a shared
machine, is reported, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time

import lca

CHANGES = {
    "exchange": {"process.base_film.electricity": "0.3 kWh"},
    "yield": {"process.base_film.yield": 0.65},
    "factor": {"factor.epa.hub.2025.natural_gas.co2": "55 kg/MMBtu"},
    "all three": {"process.base_film.electricity": "0.3 kWh", "process.base_film.yield": 0.65,
                  "process.coating.yield": 0.9},
}


def _median(f, repeat: int) -> float:
    f()  # warm up (imports, pint and polars caches)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--sample", type=int, default=0, help="also time Model.sample for this many iterations")
    args = ap.parse_args()
    path = lca.default_study_path()
    full = _median(lambda: lca.compute(lca.load_study(path)), args.repeat)
    print(f"full load + compute (default study): {full * 1e3:8.2f} ms")
    model = lca.build_model(lca.load_study(path))
    used = set(model.base.get_column("factor_id").to_list())
    for label, changes in CHANGES.items():
        if any(k.startswith("factor.") and k[7:] not in used for k in changes):
            fid = sorted(used)[0]
            value = model.base.filter(model.base["factor_id"] == fid).select("factor_value", "factor_unit").row(0)
            changes = {f"factor.{fid}": f"{value[0] * 1.1} {value[1]}"}
            label = f"factor ({fid})"
        t = _median(lambda: model.evaluate(changes), args.repeat * 5)
        print(f"Model.evaluate, {label:<30} {t * 1e3:8.2f} ms   {full / t:6.1f}× faster")
    if args.sample:
        sample_bench(args.sample)




def sample_bench(iterations: int = 100_000) -> None:
    """Model.sample of every [[uncertainty]]-style study target the default study names, as multipliers."""
    import numpy as np

    model = lca.build_model(lca.load_study(lca.default_study_path()))
    rng = np.random.default_rng(1)
    draws = {"process.base_film.electricity": rng.uniform(0.8, 1.2, iterations),
             "process.base_film.yield": rng.uniform(0.9, 1.1, iterations),
             "process.coating.electricity": rng.uniform(0.8, 1.2, iterations),
             "transport.packaging_factor": rng.uniform(1.0, 1.1, iterations)}
    t = time.perf_counter()
    s = model.sample(draws)
    dt = time.perf_counter() - t
    print(f"Model.sample, {iterations:,} iterations × {len(draws)} targets: {dt:.3f} s "
          f"({s.values.shape[1]} scenario × stage totals per iteration; statistics not included)")


if __name__ == "__main__":
    main()
