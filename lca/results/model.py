"""The engine's results as :class:`~lca.results.Footprint` objects: :func:`compute`, :func:`build_model`.

The engine (:mod:`lca.engine`) knows nothing of the result object: it solves a study and hands over
plain frames (:class:`lca.engine.model.Computed`). This module wraps them, so the import layers go
one way (engine → results): :func:`lca.compute` and :func:`lca.build_model` live here, and the
:class:`Model` they use is the engine's, with :meth:`Model.footprint` and :meth:`Model.evaluate`
returning Footprints.

>>> import lca
>>> m = lca.build_model(lca.load_study(lca.default_study_path()))
>>> type(m.footprint()).__name__, round(m.footprint().total("jp-import").value, 4)
('Footprint', 0.2079)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import polars as pl

from lca.engine.model import Computed, Model as EngineModel, State, build_model as build_engine_model
from lca.factors import FactorLibrary
from lca.results.footprint import Footprint
from lca.study import Study


def footprint_of(computed: Computed) -> Footprint:
    """The :class:`Footprint` of an engine result (the engine's own frames handed over as they are)."""
    fp = Footprint(study=computed.study, detail=computed.detail, library=computed.library,
                   frames=computed.frames)
    fp.__dict__["_model"] = (computed.model, computed.state)  # lca.uncertainty samples this model
    return fp


class Model(EngineModel):
    """The engine's model (:class:`lca.engine.model.Model`) whose results are Footprints."""

    def footprint(self, state: State | None = None) -> Footprint:
        """The :class:`~lca.results.Footprint` of the model's numbers (or ``state``)."""
        return footprint_of(self.solve(state))

    def evaluate(self, changes: Mapping[str, Any]) -> Footprint:
        """The footprint with ``changes`` applied: ``{target: new value}``.

        Targets are named as in ``[[uncertainty]]`` (``process.<p>.<flow or input>``,
        ``process.<p>.yield``, ``process.<p>.output_mass``, ``transport.distance``,
        ``transport.<mode>.distance``, ``transport.<from>.<to>.distance``,
        ``transport.packaging_factor``, ``factor.<id>``, ``parameter.<name>``, ``view.<id>``
        (a ``[[view]]``'s amount: that view and the views built on it), ``product.mass_per_declared_unit``
        (the per-kg view)); a value is a :class:`~lca.study.Quantity`, a string such as
        ``"0.3 kWh"`` or a number in the target's current unit. Only the entries that change are
        rebuilt; the model itself is not modified. The footprint describes what was computed: its
        study carries the changed amounts, yields, distances and parameters, its library the changed
        factors (so content and manifest hashes differ from the unchanged model's).

        >>> import lca
        >>> m = lca.build_model(lca.load_study(lca.default_study_path()))
        >>> p = m.study.processes.get_column("id")[0]
        >>> more = m.evaluate({f"process.{p}.yield": 0.5}).total("jp-import").value
        >>> more > m.footprint().total("jp-import").value
        True
        """
        return footprint_of(self.solve(self.changed(changes)))


def build_model(study: Study, *, library: FactorLibrary | None = None,
                factors: Sequence[Path | str | pl.DataFrame] = ()) -> Model:
    """Validate, build and characterise ``study`` once; :meth:`Model.evaluate` then re-solves it fast.

    ``factors`` are user factor layers (files or frames) put on top of the shipped library and the
    study's own ``[factors] files``; later layers win by id (as for :func:`compute`).
    """
    return build_engine_model(study, library=library, factors=factors, cls=Model)


def compute(study: Study, *, library: FactorLibrary | None = None,
            factors: Sequence[Path | str | pl.DataFrame] = ()) -> Footprint:
    """Compute the footprint of every scenario of ``study``.

    ``factors`` are user factor layers (files or frames) put on top of the shipped library and
    the study's own ``[factors] files``; later layers win by id. Built through
    :func:`build_model` (keep the model to re-evaluate changes fast).

    >>> from lca.study import load_study
    >>> from lca.resources import default_study_path
    >>> fp = compute(load_study(default_study_path()))
    >>> fp.scenarios[:2]
    ['jp-import', 'charlotte-coated']
    """
    return build_model(study, library=library, factors=factors).footprint()
