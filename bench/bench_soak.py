"""Memory soak: RSS while an ESG system calls ``study_from_frames`` + ``compute`` over and over.

A long-running service builds a study from its own tables and computes it on every request. Memory
that grows with each call (a cache keyed by content, a registry that keeps every frame) ends in an
out-of-memory kill after days; this script makes that growth visible. It builds the study of
``docs/api.md`` (one site, one process) with a new amount on every call — so nothing is a repeat
of an earlier call — computes it, and prints RSS (resident set size, from ``/proc/self/status``)
every ``--every`` calls, then the growth per call after the warm-up.

    python bench/bench_soak.py                     # 10,000 calls (several minutes)
    python bench/bench_soak.py --calls 1000        # a quick look
    python bench/bench_soak.py --calls 500 --trace # also the Python allocation sites that grew

A script, not a test: the figure depends on the allocator and the machine. The first calls load
pint, pandera and the factor library (tens of MiB); the growth that matters is after them.

Measured 2026-11-30 (10,000 calls, main after the #12 engine merge, shared 2-core machine, ~75 ms a
call): RSS 122.4 MiB after the warm-up, 141.2 MiB after 10,000 calls — 18.8 MiB, 1.92 KiB per call
(2.06 KiB per call over calls 5,000-10,000; the issue measured ~4 KiB per call before).

Findings (polars 2.1, pandera 0.35; 1,500 calls, ~95 ms a call on the shared 2-core machine):
RSS grows 2-3 KiB per call, the same when every call repeats the same content (so no cache keyed
by content), while the Python heap does not grow at all (tracemalloc: under 0.01 KiB per call;
every ``lru_cache`` is bounded). The growth is native, in polars: each ``LazyFrame.collect``
keeps ~17 B of RSS (a bare one-row collect, no lca code, 250,000 times: 16.9 B each, not levelling
off), and a call runs ~110 of them, most in pandera's validation checks — ``--baseline`` prints
both figures.
"""

from __future__ import annotations

import argparse
import gc
import time

import polars as pl

import lca


def rss_kib() -> int:
    """Resident set size of this process in KiB (Linux)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def one_call(i: int) -> float:
    """Build a study from frames (amounts differ on every call) and compute it; the total (kg CO2e)."""
    study = lca.study_from_frames(
        study={"id": f"soak-{i}", "reference_period": {"start": "2025-01-01", "end": "2025-12-31"}},
        product={"name": "PE base film", "declared_unit": "1 m^2", "mass_per_declared_unit": "5.5 g"},
        sites=pl.DataFrame({"id": ["plant"], "country": ["JP"], "grid": ["JP-KANSAI"],
                           "grid_fallback": ["country"]}),
        processes=pl.DataFrame({"id": ["film"], "output": ["1 m^2"], "yield": [0.7]}),
        exchanges=pl.DataFrame({"process": ["film", "film"], "flow": ["hdpe_resin", "electricity"],
                                "amount": [5.5 + i * 1e-6, 0.14], "unit": ["g", "kWh"]}),
        scenarios=[{"id": "base", "steps": [{"process": "film", "site": "plant"}]}],
    )
    return lca.compute(study).total("base").value


def collects_per_call() -> int:
    """How many ``LazyFrame.collect`` one call runs (pandera's checks are most of them)."""
    one_call(0)  # the first call also loads the factor library
    count = [0]
    original = pl.LazyFrame.collect

    def counted(self, *args, **kwargs):
        count[0] += 1
        return original(self, *args, **kwargs)

    pl.LazyFrame.collect = counted  # type: ignore[method-assign]
    try:
        one_call(0)
    finally:
        pl.LazyFrame.collect = original  # type: ignore[method-assign]
    return count[0]


def polars_baseline(n: int = 200_000) -> float:
    """RSS growth (bytes) per bare ``LazyFrame.collect`` of a one-row frame, no lca code involved."""
    df = pl.DataFrame({"id": ["plant"]})
    for _ in range(1000):
        df.lazy().select(pl.len()).collect()
    gc.collect()
    start = rss_kib()
    for _ in range(n):
        df.lazy().select(pl.len()).collect()
    gc.collect()
    return (rss_kib() - start) * 1024 / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=10_000, help="calls after the warm-up (default 10,000)")
    ap.add_argument("--warmup", type=int, default=50, help="calls before the first measurement")
    ap.add_argument("--every", type=int, default=0, help="print RSS every N calls (default: calls / 10)")
    ap.add_argument("--trace", action="store_true", help="tracemalloc: the 10 allocation sites that grew most")
    ap.add_argument("--baseline", action="store_true",
                    help="also: LazyFrame.collect calls per call, and polars' own RSS growth per bare collect")
    args = ap.parse_args()
    every = args.every or max(1, args.calls // 10)

    if args.baseline:  # first, in a fresh process: after the soak, freed pages blur a small figure
        per = polars_baseline()
        n = collects_per_call()
        print(f"{n} LazyFrame.collect per call; a bare collect grows RSS {per:.1f} B "
              f"(→ {n * per / 1024:.2f} KiB/call from polars alone)")
    for i in range(args.warmup):
        one_call(-1 - i)
    gc.collect()
    if args.trace:
        import tracemalloc

        tracemalloc.start(25)
        before = tracemalloc.take_snapshot()
    start, t0 = rss_kib(), time.perf_counter()
    print(f"after {args.warmup} warm-up calls: RSS {start / 1024:.1f} MiB")
    marks = [(0, start)]
    for i in range(1, args.calls + 1):
        one_call(i)
        if i % every == 0 or i == args.calls:
            gc.collect()
            now = rss_kib()
            marks.append((i, now))
            print(f"{i:>7} calls  RSS {now / 1024:8.1f} MiB  growth {(now - start) / i:6.2f} KiB/call  "
                  f"{(time.perf_counter() - t0) / i * 1e3:6.1f} ms/call", flush=True)
    # the second half only: what is left after caches that fill once have filled
    half = [m for m in marks if m[0] >= args.calls // 2]
    (n0, r0), (n1, r1) = half[0], marks[-1]
    if n1 > n0:
        print(f"growth over calls {n0}-{n1}: {(r1 - r0) / (n1 - n0):.2f} KiB/call")
    print(f"total growth {(marks[-1][1] - start) / 1024:.1f} MiB over {args.calls} calls "
          f"({(marks[-1][1] - start) / args.calls:.2f} KiB/call)")
    if args.trace:
        after = tracemalloc.take_snapshot()
        for stat in after.compare_to(before, "traceback")[:10]:
            print(f"{stat.size_diff / 1024:9.1f} KiB {stat.count_diff:+7d} blocks")
            for line in stat.traceback.format()[-6:]:
                print("    " + line)


if __name__ == "__main__":
    main()
