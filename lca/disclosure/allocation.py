"""Disclosure of allocation (ISO 14067 6.4.6; PACT ``allocationRulesDescription``), from
:attr:`lca.results.Footprint.allocation`.

One owner of the words: the PACT exports (v2.3 and v3.0 share the field) and the HTML report both
describe each multi-output process a scenario runs — method, each output's share and the study's
reason — in these terms. A scenario that runs no multi-output process keeps the export's
single-product text (:data:`lca.disclosure.pact.build.ALLOCATION_TEXT`) unchanged.

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> allocation_text(fp, "jp-import") is None  # the default study allocates nothing
True
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lca.results import Footprint

#: how each allocation method (:mod:`lca.engine.allocation`) is named in a disclosure
METHOD_WORDS = {
    "mass": "allocation by mass",
    "economic": "allocation by economic value",
    "physical": "allocation by a physical relationship",
    "substitution": "system expansion (substitution)",
}
#: what is said of every other process once some are allocated
REST_TEXT = ("Every other process has one product; line scrap is charged to the good product through "
             "process yields.")


def share_text(factor: float | None) -> str:
    """An output's share of its process's burden, as a percentage (``"40 %"``); ``"credited"`` for a
    co-product under substitution (it carries no share, it brings a credit).

    >>> share_text(0.4), share_text(1.9 / 2.05), share_text(None)
    ('40 %', '92.68 %', 'credited')
    """
    return "credited" if factor is None else f"{factor * 100:.4g} %"


def rows(fp: Footprint, scenario: str) -> list[dict[str, Any]]:
    """One dict per multi-output process ``scenario`` runs, in the study's order: ``process``,
    ``method`` (its words), ``basis``, ``reason`` and ``outputs`` (``(output, share text)`` pairs,
    the reference product first)."""
    a = fp.allocation.filter(pl.col("scenario") == scenario)
    out = []
    for (process,), g in a.group_by("process", maintain_order=True):
        first = g.row(0, named=True)
        out.append({"process": process, "method": METHOD_WORDS.get(first["method"], first["method"]),
                    "basis": first["basis"] or "", "reason": first["reason"] or "",
                    "outputs": [(o, share_text(f)) for o, f in g.select("output", "factor").iter_rows()]})
    return out


def _sentence(r: dict[str, Any]) -> str:
    basis = f" (basis: {r['basis']})" if r["basis"] else ""
    outputs = ", ".join(f"{o} {s}" for o, s in r["outputs"])
    if r["method"] == METHOD_WORDS["substitution"]:
        text = (f"process '{r['process']}': {r['method']}; the reference product keeps the whole burden and "
                f"each co-product is credited with the product it substitutes ({outputs})")
    else:
        text = f"process '{r['process']}': {r['method']}{basis}, shares of the process's burden: {outputs}"
    return text + (f"; reason: {r['reason']}." if r["reason"] else ".")


def allocation_text(fp: Footprint, scenario: str) -> str | None:
    """The allocation rules of ``scenario`` for PACT ``allocationRulesDescription``: each multi-output
    process with its method, the outputs' shares and the study's reason; None when the scenario
    runs no multi-output process (the export then keeps its single-product text)."""
    found = rows(fp, scenario)
    if not found:
        return None
    return ("Co-products (ISO 14067 6.4.6): " + " ".join(_sentence(r) for r in found) + " " + REST_TEXT)
