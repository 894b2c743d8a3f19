"""The engine: a study and a factor library in, result rows and frames out (:class:`~lca.engine.model.Computed`;
:mod:`lca.results` wraps them into the :class:`~lca.results.Footprint` that ``lca.compute`` returns).

* :mod:`lca.engine.system` — each scenario's product system as a linear system (technosphere
  matrix, supply mixes as processes with shares, a delivery closing each system), built once;
* :mod:`lca.engine.solve` — ``A s = f`` per scenario (loops allowed; singular systems refused);
* :mod:`lca.engine.inventory` — the activities per run of their process (exchanges, transport
  legs, supply mixes) and the overflow checks;
* :mod:`lca.engine.characterise` — activities × factors → kg CO2e, one pint call per distinct unit;
* :mod:`lca.engine.model` — :func:`build_model`: all of the above once; :meth:`Model.solve`
  re-solves, also with changed amounts, yields, distances, factors or parameters (:meth:`Model.changed`);
* :mod:`lca.engine.pipeline` — factor resolution and characterisation of the activities.
"""

from __future__ import annotations

from lca.engine.pipeline import contributions


def __getattr__(name: str):
    # Model imports the pipeline: loaded on first use
    if name in ("build_model", "Model", "Computed"):
        from lca.engine import model

        return getattr(model, name)
    raise AttributeError(f"module 'lca.engine' has no attribute {name!r}")


__all__ = ["contributions", "build_model", "Model", "Computed"]
