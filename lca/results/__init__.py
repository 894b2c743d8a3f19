"""Results: the :class:`Footprint` every consumer reads, and the content ids of what it was made from.

* :mod:`lca.results.footprint` — :class:`Footprint`: row-level contributions plus views (by stage,
  per kg or kWh, compare two scenarios), each frame with a ``unit`` column;
* :mod:`lca.results.contract` — the frames of the result contract (scaling, delivered product,
  energy intensities, transport, views, stages, sites) and :class:`Meta`, derived in one place;
* :mod:`lca.results.model` — :func:`compute` and :func:`build_model`: the engine's results
  (plain frames) wrapped into Footprints;
* :mod:`lca.results.risk` — :func:`factor_risk`: factors ranked by contribution × citation weakness
  (the report's "Factor risk" table and ``lca factors audit``);
* :mod:`lca.results.content` — canonical content hashes of the study and the factor rows used (the
  ids of exports and manifests).
"""

from __future__ import annotations

from lca.results.contract import Meta
from lca.results.footprint import CATEGORY_ORDER, Footprint, Per
from lca.results.model import Model, build_model, compute
from lca.results.risk import CITATION_WEIGHTS, factor_risk

__all__ = ["Footprint", "Meta", "Per", "CATEGORY_ORDER", "compute", "build_model", "Model",
           "factor_risk", "CITATION_WEIGHTS"]
