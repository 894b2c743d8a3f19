"""Regenerate the golden data of the difference chart (Figure "Difference from (a) to (b)"):

    python tests/golden/make_chart_goldens.py

Writes tests/golden/difference-default.json: the numbers behind the chart for the bundled default
study, without a Monte Carlo result ("point") and with a seeded one of 2000 iterations ("monte_carlo");
display labels are left out (they are the study's wording, pinned by the report golden).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run as a script from anywhere
GOLDEN = HERE / "difference-default.json"
ITERATIONS, SEED = 2000, 1


def difference_goldens() -> dict:
    """The chart data of the default study's comparison, as the golden test computes it."""
    import lca
    from lca.report.charts_diff import difference_data
    from lca.report.context import _pair, scenario_labels
    from lca.report.words import look
    from lca.uncertainty import run_uncertainty

    fp = lca.compute(lca.load_study(lca.default_study_path()))
    pair, labels = _pair(fp), scenario_labels(fp)
    unc = run_uncertainty(fp, iterations=ITERATIONS, seed=SEED)
    return {"point": numbers(difference_data(fp, pair, labels, look(fp))),
            "monte_carlo": numbers(difference_data(fp, pair, labels, look(fp), unc))}


def numbers(data: dict) -> dict:
    """The data without its display labels (the study's wording, which other changes may edit)."""
    out = {k: v for k, v in data.items() if k not in ("a_label", "b_label")}
    out["stages"] = [{k: v for k, v in s.items() if k != "label"} for s in data["stages"]]
    return out


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(difference_goldens(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
