"""The result object: row-level contributions plus views (by stage, per kWh, compare two scenarios).

Every frame a view returns carries a ``unit`` column; values are never bare numbers.

>>> from lca import load_study, compute
>>> from lca.resources import default_study_path
>>> fp = compute(load_study(default_study_path()))
>>> t = fp.totals()
>>> t.columns
['scenario', 'label', 'value', 'unit']
>>> fp.total("jp-import").unit
'kg_CO2e/m^2'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping, Sequence

import polars as pl

from lca.errors import LcaInputError, Problem
from lca.factors import FactorLibrary
from lca.results import contract
from lca.results.contract import Meta
from lca.study import Quantity, Study
from lca.study.profile import View
from lca.units import conversion_factor

#: a view id: one of :data:`lca.choices.VIEWS` or a ``[[view]]`` of the study (checked by :meth:`Footprint.scale`)
Per = str

CATEGORY_ORDER = ["electricity", "heat", "materials", "process_emissions", "waste", "transport"]


@dataclass(frozen=True)
class Footprint:
    """Contributions of every activity of every scenario, with the study and factor library used.

    Consumers read the frames of the result contract (:mod:`lca.results.contract`): ``scaling``,
    ``links``, ``delivered``, ``energy_intensity``, ``transport``, ``views``, ``stages``, ``sites``,
    ``allocation`` and ``meta``, never the study's tables. ``frames`` may supply any of them (the
    engine's own solution); the others are derived from ``study`` and ``detail``.
    """

    study: Study
    detail: pl.DataFrame
    library: FactorLibrary
    frames: Mapping[str, pl.DataFrame] = field(default_factory=dict, compare=False, repr=False)

    # ------------------------------------------------------------------- result contract
    @cached_property
    def scaling(self) -> pl.DataFrame:
        """``scenario, component, process, site, runs, reference_outputs, output_amount, output_unit``:
        gross runs and reference outputs of every process instance per declared unit."""
        return self.frames["scaling"] if "scaling" in self.frames else contract.scaling(self.study)

    @cached_property
    def links(self) -> pl.DataFrame:
        """``scenario, component, consumer, supplier``: which process instance feeds which."""
        return self.frames["links"] if "links" in self.frames else contract.links(self.study, self.scaling)

    @cached_property
    def delivered(self) -> pl.DataFrame:
        """``scenario, product, mass, mass_unit``: the delivered product and its mass per declared unit."""
        if "delivered" in self.frames:
            return self.frames["delivered"]
        return contract.delivered(self.study, self.scaling, self.links)

    @cached_property
    def energy_intensity(self) -> pl.DataFrame:
        """``scenario, site, carrier, value, unit``: kg CO2e charged per unit of each energy carrier."""
        return self.frames["energy_intensity"] if "energy_intensity" in self.frames else \
            contract.energy_intensity(self.detail, self.scenarios)

    @cached_property
    def transport(self) -> pl.DataFrame:
        """``scenario, direction, mode, value, unit``: transport legs, inbound vs outbound (to the cell plant)."""
        if "transport" in self.frames:
            return self.frames["transport"]
        return contract.transport(self.study, self.detail, self.scale("declared_unit")[1])

    @cached_property
    def exclusions(self) -> pl.DataFrame:
        """``scenario, exclusion, description, value, share, basis, source``: every declared exclusion's
        screening estimate (kg CO2e per declared unit) and its share of the scenario's footprint
        (:mod:`lca.results.screening`)."""
        if "exclusions" in self.frames:
            return self.frames["exclusions"]
        from lca.results import screening

        return screening.exclusions(self.study.exclusions, self.totals().select("scenario", "value"))

    @cached_property
    def exempted(self) -> pl.DataFrame:
        """``scenario, exempted_share, cutoff_each, cutoff_total, within``: the exclusions' shares added up
        (PACT ``exemptedEmissionsPercent`` = 100 × ``exempted_share``) against the study's cut-off."""
        if "exempted" in self.frames:
            return self.frames["exempted"]
        from lca.results import screening

        return screening.exempted(self.exclusions, self.scenarios, self.study.cutoff)

    @cached_property
    def views(self) -> pl.DataFrame:
        """``view, factor, unit, label, basis``: the built-in views and the study's ``[[view]]`` entries, in
        order, each with its factor from "per declared unit" (``basis``: the study's words for it)."""
        return self.frames["views"] if "views" in self.frames else contract.views(self.study)

    @cached_property
    def stages(self) -> pl.DataFrame:
        """``stage, label, order, eu_battery_stage, pact_field, ghg_stage, description``: the study's stages
        in reporting order (its ``[[stage]]`` entries, see :mod:`lca.study.profile`)."""
        return self.frames["stages"] if "stages" in self.frames else contract.stages(self.study, self.detail)

    @cached_property
    def sites(self) -> pl.DataFrame:
        """``site, name, country, grid`` of every site of the study."""
        return self.frames["sites"] if "sites" in self.frames else contract.sites(self.study)

    @cached_property
    def allocation(self) -> pl.DataFrame:
        """``scenario, process, output, method, factor, basis, reason``: how each multi-output process a
        scenario runs shares its burden (ISO 14067 6.4.6) — one row per output, ``factor`` its share
        (null for a co-product under substitution, whose credit is an exchange of its own), ``basis``
        the stated physical basis, ``reason`` the study's justification. Empty (same columns) when no
        process of the study has co-products (:func:`lca.results.contract.allocation`)."""
        if "allocation" in self.frames:
            per_process = self.frames["allocation"]
            if "scenario" in per_process.columns:  # already per scenario
                return per_process.select(list(contract.ALLOCATION_SCHEMA))
        else:
            from lca.engine.allocation import allocation_frame

            per_process = allocation_frame(self.study)
        return contract.allocation(per_process, self.scaling, self.scenarios)

    @cached_property
    def outlook(self) -> pl.DataFrame:
        """``scenario, outlook, operation_start, reference_start, reference_end, data_year, note``: current,
        prospective or hypothetical, the reference period and the sentence outputs print for a scenario
        that is not current (:func:`lca.results.contract.outlook`)."""
        return self.frames["outlook"] if "outlook" in self.frames else contract.outlook(self.study, self.detail)

    @cached_property
    def electricity_basis(self) -> pl.DataFrame:
        """``scenario, site, grid, coverage, point, gases, declared, missing, bias``: the basis each site's
        electricity is on as charged (coverage lifecycle|combustion, point consumption|generation, gases
        CO2e|CO2), the study's declared basis, what differs from it (null: nothing) and its estimated
        effect as a fraction of the site's electricity emissions (:func:`lca.factors.basis.site_bases`)."""
        if "electricity_basis" in self.frames:
            return self.frames["electricity_basis"]
        from lca.factors.basis import Basis, site_bases

        return site_bases(self.detail, self.study.sites, Basis.parse(self.study.method.electricity_basis))

    @cached_property
    def activity_quality(self) -> pl.DataFrame:
        """One row per activity (exchange or transport leg) of each scenario: ``scenario, origin, kind,
        process, flow, amount, unit`` (per declared unit), ``source``, ``dqr_technological`` …
        ``dqr_reliability`` (null = not rated), ``primary``, ``value, value_unit`` and ``share`` of the
        scenario's total (:func:`lca.results.quality.activity_quality`)."""
        from lca.results.quality import activity_quality

        if "activity_quality" in self.frames:
            return self.frames["activity_quality"]
        return activity_quality(self.study, self.detail, self.scenarios, self.scale("declared_unit")[1])

    @cached_property
    def quality(self) -> pl.DataFrame:
        """``scenario, indicator, activity, factor, result, unrated_share``: data-quality ratings (1 best … 5
        worst) of the result from its activity data and its factors, contribution-weighted
        (:func:`lca.results.quality.result_quality`; the PACT DQRs keep their own definition)."""
        from lca.results.quality import result_quality

        if "quality" in self.frames:
            return self.frames["quality"]
        return result_quality(self.study, self.detail, self.scenarios)

    @cached_property
    def meta(self) -> Meta:
        """What consumers need of the study's settings (:class:`~lca.results.contract.Meta`)."""
        return contract.meta(self.study, self.method, self.content_hashes["study"])

    # --------------------------------------------------------------------------- metadata
    @property
    def scenarios(self) -> list[str]:
        return self.study.scenario_ids

    @property
    def method(self) -> dict[str, str]:
        """The method switches this result was computed with."""
        m = self.study.method
        return {"gwp": m.gwp, "electricity_rule": m.electricity_rule, "td_losses": m.td_losses,
                "electricity_basis": str(m.electricity_basis),
                "reference_year": str(self.study.reference_year), "cell_plant": str(self.study.cell_plant)}

    @cached_property
    def lineage(self) -> pl.DataFrame:
        """Per activity: the factor used, the region level taken and the vintage chosen."""
        return (self.detail.select("scenario", "process", "site", "flow", "factor_id", "factor_name", "gas",
                                   "region_used", "region_fallback", "factor_year", "vintage_note",
                                   "method_note", "layer", "origin")
                .unique(maintain_order=True))

    @property
    def warnings(self) -> list[str]:
        """Method gaps the user must know about (e.g. no grid-loss factor for a region), each once,
        and routes no scenario can use (a typo in a route's ends)."""
        from lca.factors.basis import basis_warnings
        from lca.study.routes import unused_routes
        from lca.study.supplier import supplier_warnings

        notes = self.detail.get_column("method_note").drop_nulls().unique(maintain_order=True).to_list()
        return ([part for note in notes for part in dict.fromkeys(note.split("; "))]
                + unused_routes(self.study.routes, self.study.transport_plan)
                + basis_warnings(self.electricity_basis)
                + supplier_warnings(self.study.supplier_footprints, self.study.method.gwp))

    @property
    def replaced_factors(self) -> pl.DataFrame:
        """Shipped factors replaced by user layers (id, layer, replaced_layer)."""
        return self.library.replaced

    def at_cell_plant(self, plant: str, *, factors: Sequence[Path | str | pl.DataFrame] = ()) -> "Footprint":
        """The same study delivered to another cell plant (its last transport leg re-routed), computed
        with the shipped library, the study's own factor files and ``factors``; this footprint itself
        when ``plant`` is already its cell plant and no ``factors`` are given."""
        if plant == self.study.cell_plant and not factors:
            return self
        from lca.results.model import compute

        return compute(self.study.with_cell_plant(plant), factors=factors)

    def under_electricity_basis(self, basis: str) -> "Footprint":
        """The same study computed with its electricity on another basis (:data:`lca.choices.ELECTRICITY_BASES`),
        with this footprint's factor library; this footprint itself when it already is on ``basis``."""
        if basis == self.study.method.electricity_basis:
            return self
        from lca.results.model import compute

        return compute(self.study.with_method(electricity_basis=basis), library=self.library)

    # ------------------------------------------------------------------------------- views
    @cached_property
    def _views(self) -> dict[str, View]:
        """The named views (built-in kg, then the study's) by id."""
        from lca.study.profile import kg_view

        return {"kg": kg_view(self.study.product), **{v.id: v for v in self.study.views}}

    def scale(self, per: str) -> tuple[float, str]:
        """Multiplier from "per declared unit" to ``per``, and the resulting unit label.

        Raises :class:`~lca.errors.LcaInputError` if the study defines no view ``per``, or if a
        scenario's total cannot be expressed in it (naming the total and every study entry the
        multiplier is made of); the other views are unaffected.
        """
        row = self.views.filter(pl.col("view") == per)
        if row.height == 0:
            known = self.views.get_column("view").to_list()
            raise LcaInputError(Problem(f"the study defines no view '{per}'", file=self.study.source,
                                        hint="use one of " + ", ".join(known) + ", or add a [[view]] with this id"))
        mult, unit = float(row.get_column("factor")[0]), str(row.get_column("unit")[0])
        view = self._views.get(per)
        if view is not None:
            from lca.results.overflow import check_view

            check_view(self, view, mult)
        return mult, unit

    @cached_property
    def _largest_total(self) -> tuple[str, float, str]:
        """``(scenario, sum of |contributions|, origin of its largest contribution)`` of the largest scenario."""
        from lca.results.overflow import largest_total

        return largest_total(self.detail)

    def by(self, *keys: str, per: str = "declared_unit", scenario: str | None = None) -> pl.DataFrame:
        """Sum of contributions by the given columns (plus scenario), with a ``unit`` column."""
        mult, unit = self.scale(per)
        d = self.detail if scenario is None else self.detail.filter(pl.col("scenario") == scenario)
        group = ["scenario", *[k for k in keys if k != "scenario"]]
        out = (d.group_by(group, maintain_order=True).agg((pl.col("value").sum() * mult).alias("value"))
               .with_columns(pl.lit(unit).alias("unit")))
        return self._order(out)

    def by_stage(self, per: str = "declared_unit", scenario: str | None = None) -> pl.DataFrame:
        """Totals by scenario × stage, with each stage's share of the scenario total."""
        out = self.by("stage", per=per, scenario=scenario)
        return out.with_columns((pl.col("value") / pl.col("value").sum().over("scenario")).alias("share"))

    def results(self, per: str = "declared_unit") -> pl.DataFrame:
        """The long result table: scenario × stage × flow category × gas (kg CO2e, with unit)."""
        return self.by("stage", "flow_category", "gas", per=per)

    def totals(self, per: str = "declared_unit") -> pl.DataFrame:
        """One row per scenario: total, unit and label."""
        labels = self.study.scenarios.select(pl.col("id").alias("scenario"), "label")
        t = self.by(per=per)
        return t.join(labels, on="scenario", how="left").select("scenario", "label", "value", "unit")

    def total(self, scenario: str, per: str = "declared_unit", unit: str | None = None) -> Quantity:
        """A scenario's total as a :class:`Quantity`, optionally converted (``unit="g_CO2e/m^2"``)."""
        self._check_scenario(scenario)
        t = self.totals(per).filter(pl.col("scenario") == scenario)
        value, label = float(t.get_column("value")[0]), str(t.get_column("unit")[0])
        if unit is None:
            return Quantity(value, label)
        return Quantity(value * conversion_factor(label.replace("/yr", "/year"), unit.replace("/yr", "/year")), unit)

    def compare(self, a: str, b: str, by: str = "stage", per: str = "declared_unit") -> pl.DataFrame:
        """Scenario ``b`` against ``a`` per ``by`` group: values, absolute and % difference.

        The last row (``by`` = ``total``) compares the totals; % is relative to ``a``.
        """
        self._check_scenario(a)
        self._check_scenario(b)
        if a == b:  # the pivot below needs two columns; a difference with itself says nothing
            raise LcaInputError(Problem(f"scenario '{a}' is compared with itself", hint="compare two different "
                                                                                          "scenarios"))
        x = self.by(by, per=per)
        unit = x.get_column("unit")[0] if x.height else self.scale(per)[1]
        wide = (x.filter(pl.col("scenario").is_in([a, b])).pivot(on="scenario", index=by, values="value")
                .with_columns(pl.col(a).fill_null(0.0) if a in x["scenario"] else pl.lit(0.0).alias(a),
                              pl.col(b).fill_null(0.0) if b in x["scenario"] else pl.lit(0.0).alias(b)))
        total = pl.DataFrame({by: ["total"], a: [wide.get_column(a).sum()], b: [wide.get_column(b).sum()]})
        out = pl.concat([wide.select(by, a, b), total], how="vertical_relaxed")
        return out.select(
            pl.col(by), pl.col(a).alias("a"), pl.col(b).alias("b"), (pl.col(b) - pl.col(a)).alias("difference"),
            pl.when(pl.col(a) != 0).then((pl.col(b) - pl.col(a)) / pl.col(a) * 100).otherwise(None).alias("pct"),
            pl.lit(unit).alias("unit"), pl.lit(a).alias("scenario_a"), pl.lit(b).alias("scenario_b"))

    def top_contributors(self, scenario: str, n: int = 10, per: str = "declared_unit") -> pl.DataFrame:
        """The largest contributions of one scenario by stage × flow × site, with shares."""
        self._check_scenario(scenario)
        x = self.by("stage", "flow", "flow_category", "site", per=per, scenario=scenario)
        return (x.with_columns((pl.col("value") / pl.col("value").sum()).alias("share"))
                .sort("value", descending=True).head(n))

    # ----------------------------------------------------------------------- provenance
    @cached_property
    def content_hashes(self) -> dict[str, str]:
        """SHA-256 of the study's content and of the factor/GWP rows used (see :mod:`lca.results.content`)."""
        from lca.results.content import factors_hash, study_hash

        return {"study": study_hash(self.study), "factors_used": factors_hash(self)}

    def manifest(self, *, timestamp: str | None = None,
                 uncertainty: dict[str, Any] | None = None) -> dict[str, object]:
        """Reproducibility manifest: content hashes, factor library, lca version, method switches.

        ``manifest_hash`` is a function of the content only (study data, factor rows used, method,
        engine version): the same study named by another path, loaded from other files or rebuilt
        from frames gets the same hash; any change to an amount, a factor used or the method
        changes it. No path appears in the manifest (factor layers are named by file name).
        ``uncertainty``: the settings of a Monte Carlo run reported with it
        (``UncertaintyResult.settings()``), kept in the manifest and in its hash.
        """
        from lca.results.content import manifest

        return manifest(self, timestamp=timestamp, uncertainty=uncertainty)

    # --------------------------------------------------------------------------- helpers
    def _check_scenario(self, scenario: str) -> None:
        if scenario not in self.scenarios:
            raise LcaInputError(Problem(f"unknown scenario '{scenario}'",
                                        hint="use one of: " + ", ".join(self.scenarios)))

    def _order(self, df: pl.DataFrame) -> pl.DataFrame:
        order = {s: i for i, s in enumerate(self.scenarios)}
        keys = [pl.col("scenario").replace_strict(order, default=len(order), return_dtype=pl.Int64)]
        if "stage" in df.columns:
            so = dict(self.stages.select("stage", "order").iter_rows())
            keys.append(pl.col("stage").replace_strict(so, default=len(so), return_dtype=pl.Int64))
            keys.append(pl.col("stage"))
        if "flow_category" in df.columns:
            co = {s: i for i, s in enumerate(CATEGORY_ORDER)}
            keys.append(pl.col("flow_category").replace_strict(co, default=len(co), return_dtype=pl.Int64))
        rest = [c for c in df.columns if c not in ("scenario", "stage", "flow_category", "value", "unit", "share")]
        return df.sort([*keys, *[pl.col(c) for c in rest]], nulls_last=True)
