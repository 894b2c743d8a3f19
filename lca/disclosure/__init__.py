"""Disclosure: standard exports of a footprint — PACT v2.3/v3.0 ProductFootprints with methodology
checks (:mod:`lca.disclosure.pact`), and result/inventory tables (:mod:`lca.disclosure.tables`).

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> doc = lca.export_pact(fp, "v3", "ontario", created="2026-01-01T00:00:00Z")
>>> lca.check_pact(doc, "v3")
[]
"""

from __future__ import annotations

from lca.disclosure.pact import RULES, check_pact, detect_version, export_pact
from lca.disclosure.tables import export_table, inventory_frame, results_frame

__all__ = ["export_pact", "check_pact", "detect_version", "export_table", "results_frame", "inventory_frame",
           "RULES"]
