"""Benchmark: Monte Carlo of the default study (issue #12 item 4 target: 100,000 iterations, all
statistics included, in <= 0.3 s on a 2-core machine).

Run: python bench/bench_montecarlo.py [ITERATIONS] [--study PATH] [--per VIEW] [--repeat N]

Prints the wall time of each phase (compile, draw, simulate) and of the whole ``run_uncertainty``
call (minimum of ``--repeat`` runs: the machine may be shared, the minimum is the least disturbed
run) and its CPU time (process time, less sensitive to other jobs), with the load average before
and after, plus peak memory: tracemalloc's peak of
Python/numpy allocations during one run, and the process's peak RSS (``resource.getrusage``).
``run_uncertainty`` includes everything a user gets: every draw solved (a yield moves the scaling
vector: those scenarios are re-solved per draw), summary and all ordered differences with their
percentiles, sensitivity, tornado and break-even. The footprint's model is built by
``lca.compute`` and reused (``Model.footprint`` keeps it); ``compile model`` is the rest of the setup.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parents[1])]  # run from a checkout without installing


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("iterations", nargs="?", type=int, default=100_000)
    ap.add_argument("--study", default=None)
    ap.add_argument("--per", default="declared_unit")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    import lca
    from lca.uncertainty import compile_model, run_uncertainty
    from lca.uncertainty.montecarlo import draw_multipliers, simulate

    load0 = os.getloadavg()[0]
    fp = lca.compute(lca.load_study(args.study or lca.default_study_path()))
    n = args.iterations
    run_uncertainty(fp, iterations=1000, seed=1, per=args.per)  # warm-up: imports, pint cache

    t = time.perf_counter()
    model = compile_model(fp, per=args.per)
    t_compile = time.perf_counter() - t
    t = time.perf_counter()
    m = draw_multipliers(model, n, 1)
    t_draw = time.perf_counter() - t
    t = time.perf_counter()
    groups = simulate(model, m)
    t_sim = time.perf_counter() - t
    pats, _ = model.patterns()

    times, cpu = [], []
    for _ in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        r = run_uncertainty(fp, iterations=n, seed=1, per=args.per)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)

    tracemalloc.start()
    run_uncertainty(fp, iterations=n, seed=1, per=args.per)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    print(f"study {fp.study.id}: {len(model.scenarios)} scenarios, {model.contrib.size} contribution rows, "
          f"{len(model.inputs)} uncertain inputs, {pats.shape[0]} distinct patterns, "
          f"{len(model.sampler.blocks)} scenarios re-solved per draw")
    print(f"iterations           {n:,}")
    print(f"compile model        {t_compile * 1000:8.1f} ms")
    print(f"draw multipliers     {t_draw * 1000:8.1f} ms")
    print(f"simulate totals      {t_sim * 1000:8.1f} ms   ({groups.shape[1]} scenario×stage sums per draw)")
    print(f"run_uncertainty      {min(times) * 1000:8.1f} ms   (min of {args.repeat}: "
          + ", ".join(f"{x * 1000:.0f}" for x in times) + f"; incl. statistics, all {r.differences.height} "
          "ordered differences, sensitivity, tornado, break-even)")
    print(f"run_uncertainty CPU  {min(cpu) * 1000:8.1f} ms   (min of {args.repeat}, process time: what the run costs "
          "when it has the cores to itself; with OPENBLAS_NUM_THREADS=1 it is one core's work)")
    print(f"peak traced memory   {peak / 2**20:8.1f} MiB (tracemalloc, one run)")
    print(f"peak RSS (process)   {rss:8.1f} MiB")
    print(f"load average         {load0:.1f} before, {os.getloadavg()[0]:.1f} after (2 cores)")


if __name__ == "__main__":
    main()
