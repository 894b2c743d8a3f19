"""The report's electricity basis: the basis each plant is on, what is missing, the scenario totals
under each basis side by side, and whether the scenarios can be compared at all.

Reads ``Footprint.electricity_basis`` (:mod:`lca.factors.basis`) and the same footprint recomputed on
other bases (:meth:`lca.results.Footprint.under_electricity_basis`); nothing here knows a region.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lca.factors.basis import Basis
from lca.report import fmt

#: The bases shown side by side (all CO2e; the declared basis first, then these in order)
SIDE_BY_SIDE = ("lifecycle-consumption-CO2e", "lifecycle-generation-CO2e", "combustion-consumption-CO2e",
                "combustion-generation-CO2e")


def consistent(fp: Any) -> bool:
    """True when every plant's electricity is on the declared basis: nothing missing, one basis."""
    b = fp.electricity_basis
    if b.height == 0:
        return True
    kinds = b.select(pl.format("{}-{}-{}", "coverage", "point", "gases")).to_series().n_unique()
    return kinds == 1 and b.get_column("missing").null_count() == b.height


def basis_context(fp: Any, labels: dict[str, str]) -> dict[str, Any]:
    """What section 8 and the comparison section say about the electricity basis."""
    declared = fp.study.method.electricity_basis
    names = dict(fp.study.sites.select("id", "name").iter_rows())
    b = fp.electricity_basis.unique("site", keep="first", maintain_order=True)
    sites = [{"site": names.get(s) or s, "grid": g or "–", "coverage": c, "point": p, "gases": ga,
              "missing": m or "–", "bias": "–" if m is None else f"{bias:+.1%}"}
             for s, g, c, p, ga, m, bias in b.select("site", "grid", "coverage", "point", "gases", "missing",
                                                     "bias").iter_rows()]
    bases = [declared] + [x for x in SIDE_BY_SIDE if x != declared]
    totals = {x: dict(fp.under_electricity_basis(x).totals().select("scenario", "value").iter_rows()) for x in bases}
    unit = fmt.unit(fp.scale("declared_unit")[1])
    rows = [{"label": labels[sid], "values": [fmt.num(totals[x][sid], 4) for x in bases],
             "change": _change(totals[bases[-1]][sid], totals[declared][sid])}
            for sid in fp.scenarios]
    ok = consistent(fp)
    off = [s for s in sites if s["missing"] != "–"]
    kinds = sorted({(s["coverage"], s["point"], s["gases"]) for s in sites})
    return {"declared": declared, "words": Basis.parse(declared).words, "sites": sites, "consistent": ok,
            "bases": bases, "headers": bases, "rows": rows, "unit": unit,
            "last": bases[-1],
            "mixed": None if ok else (
                "The plants' electricity is not all on one basis (" + "; ".join(
                    f"{s['site']}: {s['missing']}, estimated {s['bias']} of its electricity emissions" for s in off)
                + ("; bases in use: " + ", ".join("-".join(k) for k in kinds) if len(kinds) > 1 else "")
                + "). Differences between scenarios of a few percent may come from the basis, not from the plants.")}


def _change(old: float, new: float) -> str:
    """Change from the last basis shown to the declared one."""
    return "–" if old == 0 else fmt.pct((new - old) / old, signed=True)
