"""Results: the :class:`Footprint` every consumer reads, and the content ids of what it was made from.

* :mod:`lca.results.footprint` — :class:`Footprint`: row-level contributions plus views (by stage,
  per kg or kWh, compare two scenarios), each frame with a ``unit`` column;
* :mod:`lca.results.content` — canonical content hashes of the study and the factor rows used (the
  ids of exports and manifests).
"""

from __future__ import annotations

from lca.results.footprint import CATEGORY_ORDER, STAGE_ORDER, Footprint, Per

__all__ = ["Footprint", "Per", "STAGE_ORDER", "CATEGORY_ORDER"]
