"""Reference statistics of the Monte Carlo on the default study, with their standard errors.

Run: python bench/mc_reference.py [REPLICATES] [ITERATIONS]

Runs ``run_uncertainty`` REPLICATES times (seeds 1000, 1001, …) with ITERATIONS each and prints,
for every statistic (per scenario: mean, median, 2.5th and 97.5th percentile of the total, in the
declared unit and per kWh; per difference b − a against the study's first scenario and the
study's comparison pair: mean, percentiles and P(b < a)), the mean over the replicates and the
standard deviation across them (= the standard error of one run of ITERATIONS draws). The numbers
frozen in tests/test_uncertainty_reference.py were printed by this script at commit 392aa79 (the
power-law implementation, before sampling the matrices) with 20 replicates of 20,000 iterations.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).parents[1])]


def statistics(r) -> dict[str, float]:
    """Every statistic compared, from one UncertaintyResult."""
    out = {}
    for s, x in r.draws_total.items():
        q = np.quantile(x, (0.025, 0.5, 0.975))
        out.update({f"{r.per}:{s}:mean": float(x.mean()), f"{r.per}:{s}:p2_5": float(q[0]),
                    f"{r.per}:{s}:median": float(q[1]), f"{r.per}:{s}:p97_5": float(q[2])})
    if r.per == "declared_unit":
        scen = list(r.draws_total)
        pairs = [(scen[0], b) for b in scen[1:]] + [tuple(r.comparison)]
        for a, b in dict.fromkeys(pairs):
            d = r.draws_total[b] - r.draws_total[a]
            q = np.quantile(d, (0.025, 0.975))
            out.update({f"diff:{b}-{a}:mean": float(d.mean()), f"diff:{b}-{a}:p2_5": float(q[0]),
                        f"diff:{b}-{a}:p97_5": float(q[1]), f"diff:{b}-{a}:prob_b_lower": float((d < 0).mean())})
    return out


def main() -> None:
    import lca
    from lca.uncertainty import run_uncertainty

    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    fp = lca.compute(lca.load_study(lca.default_study_path()))
    runs = []
    for i in range(reps):
        st = {}
        for per in ("declared_unit", "kWh"):
            st.update(statistics(run_uncertainty(fp, iterations=n, seed=1000 + i, per=per)))
        runs.append(st)
    keys = list(runs[0])
    ref = {k: (float(np.mean([r[k] for r in runs])), float(np.std([r[k] for r in runs], ddof=1)))
           for k in keys}
    print(json.dumps({"replicates": reps, "iterations": n, "statistics": ref}, indent=1))


if __name__ == "__main__":
    main()
