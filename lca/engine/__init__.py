"""The engine: a study and a factor library in, a :class:`~lca.results.Footprint` out.

* :mod:`lca.engine.inventory` — the study expanded to activities per declared unit (scales of every
  process, transport legs, supply mixes);
* :mod:`lca.engine.characterise` — activities × factors → kg CO2e, one pint call per distinct unit;
* :mod:`lca.engine.pipeline` — :func:`compute`: inventory, factor resolution, characterisation and
  grid losses, every problem located at the user's row.
"""

from __future__ import annotations

from lca.engine.pipeline import compute, contributions

__all__ = ["compute", "contributions"]
