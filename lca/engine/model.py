"""The :class:`Model`: a study's product system and characterised activities, built once, solved often.

Everything that depends only on validated data is done once by :func:`build_model`: the product
system (:mod:`lca.engine.system`), the activities per run of their process, factor resolution and
characterisation (kg CO2e per unit of activity, pint once per distinct unit). A result is then
``A s = f`` per scenario and ``value = amount per run × runs × multiplier`` — numpy on a few
hundred rows. :meth:`Model.solve` returns the result as plain frames (:class:`Computed`);
:mod:`lca.results.model` wraps them into the :class:`~lca.results.Footprint` users get
(``lca.build_model(...).footprint()`` and ``.evaluate(changes)``, which changes amounts, yields,
distances, factors or parameters and recomputes without re-reading or re-validating the study).

>>> import lca
>>> model = lca.build_model(lca.load_study(lca.default_study_path()))
>>> base = model.footprint().total("jp-import").value
>>> p = model.study.processes.get_column("id")[0]
>>> more = model.evaluate({f"process.{p}.yield": 0.5}).total("jp-import").value
>>> round(base, 4), more > base
(0.2079, True)
>>> model.scaling().filter(pl.col("scenario") == "jp-import").get_column("runs").to_list()
[1.5037593984962405, 1.0526315789473684]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence, TypeVar

import numpy as np
import polars as pl

from lca.engine.allocation import allocation_frame
from lca.engine.inventory import KEY_COLUMNS, _overflow_problems, build_activities, check_magnitudes
from lca.engine.pipeline import contributions
from lca.engine.solve import Blocks, scaling_frame
from lca.engine.system import ProductSystem
from lca.errors import LcaInputError, StudyError
from lca.factors import FactorLibrary, load_library
from lca.schemas import ResultTable, validate_table
from lca.study import Study
from lca.study.routes import check_route_modes

if TYPE_CHECKING:  # pragma: no cover
    from lca.engine.sampler import Samples


@dataclass
class State:
    """The numbers a result is computed from (the rest of the model is fixed)."""

    study: Study
    tech: np.ndarray  # technosphere amounts (rows of ProductSystem.technosphere)
    amount: np.ndarray  # per run, rows of Model.base
    shipped: np.ndarray  # per run (NaN on exchanges)
    distance: np.ndarray  # km (NaN on exchanges)
    multiplier: np.ndarray  # kg CO2e per unit of activity (NaN where none)
    factor_value: np.ndarray
    library: FactorLibrary | None = None  # the model's, unless a factor was changed

    def copy(self) -> "State":
        return State(self.study, *(a.copy() for a in (self.tech, self.amount, self.shipped, self.distance,
                                                       self.multiplier, self.factor_value)), self.library)


@dataclass(frozen=True)
class Computed:
    """A result as the engine hands it over: the study and factor library it was computed from
    (as changed), the result rows (``Footprint.detail``) and the result-contract frames the engine
    solved itself (``scaling``, ``allocation``); ``model`` and ``state`` are what it was solved
    from (uncertainty samples that model instead of building another)."""

    study: Study
    detail: pl.DataFrame
    library: FactorLibrary
    frames: dict[str, pl.DataFrame]
    model: "Model"
    state: State


@dataclass
class Model:
    """A study ready to be solved: product system, characterised activities per run, their numbers."""

    library: FactorLibrary
    system: ProductSystem
    blocks: Blocks
    #: characterised result rows per run of their process, in result order (no key columns)
    base: pl.DataFrame
    #: aligned with ``base``: pid, goods, to_site, consumer, carries (:data:`lca.engine.inventory.KEY_COLUMNS`)
    keys: pl.DataFrame
    state: State
    pid: np.ndarray
    loss: np.ndarray  # grid-loss fraction per row (0 where none applies)
    leg: pl.Series  # rows that are transport legs
    has_multiplier: pl.Series  # rows with a multiplier
    is_process_entry: np.ndarray  # technosphere rows in a column of a process (not a mix, not a delivery)
    _checked: bool = field(default=False, repr=False)
    _scaling: pl.DataFrame | None = field(default=None, repr=False)
    _scaling_pid: np.ndarray | None = field(default=None, repr=False)
    #: resolved change targets (selection, current value, unit), by name
    targets: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.leg_np = self.leg.to_numpy()
        self.mult_np = self.has_multiplier.to_numpy()

    @property
    def study(self) -> Study:
        return self.state.study

    def runs(self, state: State | None = None) -> np.ndarray:
        """Runs of every process instance per declared unit of its scenario (indexed by pid)."""
        return self.blocks.solve((state or self.state).tech)

    def scaling(self, state: State | None = None, runs: np.ndarray | None = None) -> pl.DataFrame:
        """Runs and reference outputs per process instance (:func:`lca.engine.solve.scaling_frame`)."""
        st = state or self.state
        if self._scaling is None:  # everything but the runs is fixed: ordered once
            n = self.system.processes.height
            self._scaling = scaling_frame(self.system, np.ones(n), st.study.scenario_ids)  # reference_outputs = yield
            order = scaling_frame(self.system, np.arange(n, dtype=float), st.study.scenario_ids)
            self._scaling_pid = order.get_column("runs").to_numpy().astype(np.int64)  # the rows' pids
        r = (self.runs(st) if runs is None else runs)[self._scaling_pid]
        return self._scaling.with_columns(pl.Series("runs", r),
                                          (pl.Series(r) * self._scaling.get_column("reference_outputs")).alias(
                                              "reference_outputs"))

    def detail(self, state: State | None = None, runs: np.ndarray | None = None) -> pl.DataFrame:
        """The result rows (``Footprint.detail``) for the model's numbers (or ``state``)."""
        st = state or self.state
        r = (self.runs(st) if runs is None else runs)[self.pid]
        with np.errstate(all="ignore"):  # overflow is named at its input just below
            amount = st.amount * r
            shipped = st.shipped * r
            value = amount * st.multiplier / (1.0 - self.loss)
        leg, mult = self.leg, self.has_multiplier  # null where the rows had no number (not NaN)
        d = self.base.with_columns(pl.Series("amount", amount), pl.Series("shipped_kg", shipped).set(~leg, None),
                                   pl.Series("distance_km", st.distance).set(~leg, None),
                                   pl.Series("multiplier", st.multiplier).set(~mult, None),
                                   pl.Series("factor_value", st.factor_value).set(~mult, None),
                                   pl.Series("value", value).set(~mult, None))
        if _all_normal(amount, shipped[self.leg_np], value[self.mult_np]):
            return d  # the located checks below only run when a number is out of range
        file = st.study.source
        # each input once, named by its own scenario's row before a mix's copy of it
        acts = (d.select("act", "amount", "shipped_kg", "unit", "origin", "mode",
                         (pl.col("component") != pl.col("scenario")).alias("__copy"))
                .unique("act", maintain_order=True).sort("__copy", maintain_order=True))
        seen: set[tuple[str | None, str | None]] = set()
        problems = [p for p in _overflow_problems(acts, file)
                    if (p.table, p.column) not in seen and not seen.add((p.table, p.column))]
        if problems:
            raise StudyError(problems)
        check_magnitudes(st.study, d)
        return d

    def solve(self, state: State | None = None) -> Computed:
        """The result of the model's numbers (or ``state``) as plain frames (:class:`Computed`)."""
        from lca.study.origins import located

        st = state or self.state
        runs = self.runs(st)
        try:
            detail = self.detail(st, runs)
        except LcaInputError as exc:
            raise located(exc, st.study) from None
        if not self._checked:  # the rows' schema does not depend on the numbers: checked once
            validate_table(detail, ResultTable, table="results")
            self._checked = True
        frames = {"scaling": self.scaling(st, runs), "allocation": allocation_frame(st.study)}
        return Computed(st.study, detail, st.library or self.library, frames, self, st)

    def changed(self, changes: Mapping[str, Any]) -> State:
        """The model's numbers with ``changes`` applied (``{target: new value}``, see
        :meth:`lca.results.model.Model.evaluate`); the model itself is not modified."""
        from lca.engine.changes import apply_changes

        return apply_changes(self, changes)

    def sample(self, draws: Mapping[str, Any], *, chunk: int = 20_000) -> "Samples":
        """Totals by scenario × stage for arrays of multipliers of target values (:func:`lca.engine.sampler.sample`)."""
        from lca.engine.sampler import sample

        return sample(self, draws, chunk=chunk)


M = TypeVar("M", bound=Model)


def build_model(study: Study, *, library: FactorLibrary | None = None,
                factors: Sequence[Path | str | pl.DataFrame] = (), cls: type[M] = Model) -> M:
    """Validate, build and characterise ``study`` once; the model then re-solves it fast.

    ``factors`` are user factor layers (files or frames) put on top of the shipped library and the
    study's own ``[factors] files``; later layers win by id (as for :func:`lca.compute`). ``cls``
    is the class of the model returned (:func:`lca.build_model` asks for the one whose results are
    Footprints, :class:`lca.results.model.Model`).

    >>> import lca
    >>> m = lca.build_model(lca.load_study(lca.default_study_path()))
    >>> p = m.study.processes.get_column("id")[1]  # the second process of the default study
    >>> fp = m.evaluate({f"process.{p}.yield": 0.9, f"process.{p}.electricity": "0.3 kWh"})
    >>> fp.total("jp-import").value > m.footprint().total("jp-import").value
    True
    """
    from lca.study.origins import located

    from lca.study.retarget import with_current_packaging

    study = with_current_packaging(study)  # a product changed in memory ships as changed
    lib = (library or load_library()).with_overrides(*study.factor_files, *factors)
    try:  # every problem about an activity written in a table file is named at that file's row
        check_route_modes(study.routes, lib)  # every route's mode, used or not, against this library
        system = ProductSystem.build(study)
        materials = lib.factors.filter(pl.col("category") == "material").get_column("flow").unique().to_list()
        act = build_activities(study, system, materials)
        blocks = Blocks.of(system)
        blocks.solve(system.technosphere.get_column("amount").to_numpy())  # singular loops refused here
        keys = act.select("act", *KEY_COLUMNS)
        detail = pl.concat([contributions(part.drop(KEY_COLUMNS), study.sites, lib, ref_year=year,
                                          gwp_set=study.method.gwp, electricity_rule=study.method.electricity_rule,
                                          td_losses=study.method.td_losses,
                                          electricity_basis=study.method.electricity_basis, file=study.source)
                            for year, part in _by_vintage_year(study, act)], how="vertical_relaxed")
        detail = detail.sort("scenario", "act", "factor_id")
    except LcaInputError as exc:
        raise located(exc, study) from None
    keys = detail.select("act").join(keys, on="act", how="left", maintain_order="left")
    num = lambda c: detail.get_column(c).cast(pl.Float64).fill_null(np.nan).to_numpy().copy()  # noqa: E731
    state = State(study, system.technosphere.get_column("amount").to_numpy().copy(), num("amount"),
                  num("shipped_kg"), num("distance_km"), num("multiplier"), num("factor_value"))
    loss = detail.get_column("td_loss").fill_null(0.0).to_numpy().copy()
    return cls(lib, system, blocks, detail, keys, state, keys.get_column("pid").to_numpy(), loss,
                 detail.get_column("mode").is_not_null(), detail.get_column("multiplier").is_not_null(),
                 _process_entries(system))


def _by_vintage_year(study: Study, act: pl.DataFrame) -> list[tuple[int, pl.DataFrame]]:
    """The activities by the year factor vintages are chosen for: the end year of the reference period
    of the system scenario each row comes from (a prospective scenario's planned first year: the
    latest data available, :mod:`lca.study.outlook`). A supply mix's rows keep their component's
    year, so a mix stays the share-weighted sum of its components. One part, the study's year, when
    every scenario is current."""
    years = study.outlooks.select(pl.col("scenario").alias("component"),
                                  pl.col("reference_end").dt.year().cast(pl.Int64).alias("__year"))
    if years.get_column("__year").n_unique() <= 1:
        return [(int(years.get_column("__year")[0]) if years.height else study.reference_year, act)]
    tagged = act.join(years, on="component", how="left").with_columns(
        pl.col("__year").fill_null(study.reference_year))
    return [(int(y), part.drop("__year")) for (y,), part in tagged.group_by("__year", maintain_order=True)]


def _all_normal(*arrays: np.ndarray) -> bool:
    """Every number finite and none a non-zero subnormal (then the located checks have nothing to say)."""
    tiny = np.finfo(float).tiny
    for a in arrays:
        if not np.isfinite(a).all() or ((a != 0) & (np.abs(a) < tiny)).any():
            return False
    with np.errstate(over="ignore"):  # a sum beyond float range is what this asks about
        return all(np.isfinite(np.abs(a).sum()) for a in arrays)


def _process_entries(system: ProductSystem) -> np.ndarray:
    kind = system.processes.sort("pid").get_column("kind").to_numpy()
    return kind[system.technosphere.get_column("pid").to_numpy()] == "process"
