"""The result contract: the frames every consumer reads instead of the study or the inventory.

Each function derives one frame of :class:`~lca.results.Footprint` from what the pipeline knows
today (the study and the characterised ``detail``). They are the single place where process
scales, the delivered product, kg CO2e per unit of energy carrier, inbound vs outbound transport,
views and stages are worked out; the report, disclosures, ledger, uncertainty and CLI read the
frames (#12 item 6). The matrix engine may supply the same frames itself (``Footprint.frames``),
with the same columns.

* :func:`scaling` — ``scenario, component, process, site, runs, reference_outputs, output_amount,
  output_unit``: per process instance, gross runs and reference outputs per declared unit of the
  scenario (``reference_outputs × output_amount`` is the physical output, in ``output_unit``).
  Mix scenarios hold their components' processes (``component`` = the system scenario they come
  from), weighted by share.
* :func:`links` — ``scenario, component, consumer, supplier``: which process instance feeds which.
* :func:`delivered` — ``scenario, product, mass, mass_unit``.
* :func:`energy_intensity` — ``scenario, site, carrier, value, unit``: kg CO2e per unit of each
  electricity, heat or fuel flow at each site, as charged (all gases, grid losses included).
* :func:`transport` — ``scenario, direction, mode, value, unit``.
* :func:`views` — ``view, factor, unit, label, basis``; :func:`stages` — ``stage, label, order,
  eu_battery_stage, pact_field, ghg_stage, description`` (both from the study's product profile,
  :mod:`lca.study.profile`); :func:`sites` — ``site, name, country, grid``.
* :func:`allocation` — ``scenario, process, output, method, factor, basis, reason``: how each
  multi-output process a scenario runs shares its burden between its outputs (empty: no allocation).
* :func:`outlook` — ``scenario, outlook, operation_start, reference_start, reference_end, data_year,
  note``: whether each scenario is current, prospective or hypothetical (:mod:`lca.study.outlook`),
  its reference period, the year factor vintages were chosen for, and the sentence every output
  prints for a scenario that is not current (empty for a current one).
* :class:`Meta` — what consumers need of the study's settings, not the study.

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> fp.delivered.filter(pl.col("scenario") == "jp-import").select("mass", "mass_unit").row(0)
(8.7, 'g')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import TYPE_CHECKING, Any, Mapping

import polars as pl

if TYPE_CHECKING:  # pragma: no cover
    from lca.study import Quantity, Study

#: Energy, in J, of one kWh: electricity and energy carriers are stated per kWh.
_J_PER_KWH = 3.6e6
_ENERGY_DIM = "[length]^2 [mass] [time]^-2"
#: flow categories of the energy carriers (:data:`lca.engine.characterise.FLOW_CATEGORY`)
CARRIER_CATEGORIES = ("electricity", "heat")

SCALING_SCHEMA = {"scenario": pl.String, "component": pl.String, "process": pl.String, "site": pl.String,
                  "runs": pl.Float64, "reference_outputs": pl.Float64, "output_amount": pl.Float64,
                  "output_unit": pl.String}
LINKS_SCHEMA = {"scenario": pl.String, "component": pl.String, "consumer": pl.String, "supplier": pl.String}
DELIVERED_SCHEMA = {"scenario": pl.String, "product": pl.String, "mass": pl.Float64, "mass_unit": pl.String}
ENERGY_SCHEMA = {"scenario": pl.String, "site": pl.String, "carrier": pl.String, "value": pl.Float64,
                 "unit": pl.String}
TRANSPORT_SCHEMA = {"scenario": pl.String, "direction": pl.String, "mode": pl.String, "value": pl.Float64,
                    "unit": pl.String}
VIEWS_SCHEMA = {"view": pl.String, "factor": pl.Float64, "unit": pl.String, "label": pl.String,
                "basis": pl.String}
STAGES_SCHEMA = {"stage": pl.String, "label": pl.String, "order": pl.Int64, "eu_battery_stage": pl.String,
                 "pact_field": pl.String, "ghg_stage": pl.String, "description": pl.String}
ALLOCATION_SCHEMA = {"scenario": pl.String, "process": pl.String, "output": pl.String, "method": pl.String,
                     "factor": pl.Float64, "basis": pl.String, "reason": pl.String}
SITES_SCHEMA = {"site": pl.String, "name": pl.String, "country": pl.String, "grid": pl.String}
OUTLOOK_SCHEMA = {"scenario": pl.String, "outlook": pl.String, "operation_start": pl.Date,
                  "reference_start": pl.Date, "reference_end": pl.Date, "data_year": pl.Int64, "note": pl.String}


@dataclass(frozen=True)
class Meta:
    """What consumers need of the study's settings (not its tables): identity, product, method."""

    study_id: str
    title: str
    description: str
    product_name: str
    declared_unit: "Quantity"
    mass_per_declared_unit: "Quantity"
    shipped_mass_ratio: float
    method: Mapping[str, str]
    reference_start: dt.date
    reference_end: dt.date
    #: the ``[pact]`` table, checked and normalised at load
    pact: Mapping[str, Any]
    #: SHA-256 of the study's content (:func:`lca.results.content.study_hash`)
    study_hash: str
    cell_plant: str | None = None
    comparison: tuple[str, str] | None = None
    company_name: str | None = None
    company_ids: tuple[str, ...] = ()
    product_ids: tuple[str, ...] = ()
    product_category_cpc: str | None = None
    #: the name problems are reported under: the study file, or the label of an in-memory study
    source: str = "study"
    scenario_labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def reference_year(self) -> int:
        """Year used to choose factor vintages: the reference period's end year."""
        return self.reference_end.year


def meta(study: "Study", method: Mapping[str, str], study_hash: str) -> Meta:
    """The :class:`Meta` of ``study``."""
    p = study.product
    return Meta(study_id=study.id, title=study.title, description=study.description, product_name=p.name,
                declared_unit=p.declared_unit, mass_per_declared_unit=p.mass_per_declared_unit,
                shipped_mass_ratio=p.shipped_mass_ratio, method=dict(method),
                reference_start=study.reference_start, reference_end=study.reference_end,
                pact=dict(study.pact_spec), study_hash=study_hash, cell_plant=study.cell_plant,
                comparison=tuple(study.comparison) if study.comparison else None,  # type: ignore[arg-type]
                company_name=study.company_name, company_ids=tuple(study.company_ids),
                product_ids=tuple(study.product_ids), product_category_cpc=study.product_category_cpc,
                source=study.source,
                scenario_labels=dict(study.scenarios.select("id", "label").iter_rows()))


def _mix_expand(systems: pl.DataFrame, study: "Study", weighted: tuple[str, ...]) -> pl.DataFrame:
    """``systems`` (rows of system scenarios, ``component`` = ``scenario``) plus the rows of every
    supply mix: its components' rows with ``weighted`` columns times the share (nested mixes
    multiply; zero shares are left out, as in the inventory)."""
    mixes = study.mixes
    if mixes.height == 0:
        return systems
    graph = {m: set(g.get_column("component")) for (m,), g in mixes.group_by("scenario")}
    frames = {sid: g for (sid,), g in systems.group_by("scenario")}
    for sid in TopologicalSorter(graph).static_order():  # the inventory refused cycles already
        if sid not in graph:
            continue
        parts = [frames[comp].with_columns(pl.lit(sid).alias("scenario"), *[pl.col(c) * share for c in weighted])
                 for comp, share in mixes.filter(pl.col("scenario") == sid).select("component", "share").iter_rows()
                 if comp in frames and share != 0]
        frames[sid] = pl.concat(parts) if parts else systems.clear()
    return pl.concat([frames[s] for s in study.scenario_ids if s in frames], how="vertical_relaxed")


def scaling(study: "Study") -> pl.DataFrame:
    """Runs and reference outputs of every process instance per declared unit (see the module doc)."""
    from lca.engine.inventory import process_scales

    procs = study.processes.select(pl.col("id").alias("process"), "yield", "output_amount", "output_unit")
    systems = (process_scales(study).join(procs, on="process", how="left", maintain_order="left")
               .select("scenario", pl.col("scenario").alias("component"), "process", "site",
                       (pl.col("scale") / pl.col("yield")).alias("runs"), pl.col("scale").alias("reference_outputs"),
                       "output_amount", "output_unit"))
    return _mix_expand(systems, study, ("runs", "reference_outputs")).select(
        [pl.col(c).cast(t) for c, t in SCALING_SCHEMA.items()])


def links(study: "Study", scale: pl.DataFrame) -> pl.DataFrame:
    """``scenario, component, consumer, supplier``: the intermediate products between the process
    instances of each scenario (a mix holds its components' links)."""
    own = scale.filter(pl.col("scenario") == pl.col("component")).select("scenario", "process")
    edges = study.exchanges.filter(pl.col("input").is_not_null()).select(
        pl.col("process").alias("consumer"), pl.col("input").alias("supplier")).unique(maintain_order=True)
    systems = (own.rename({"process": "consumer"}).join(edges, on="consumer", maintain_order="left")
               .join(own.rename({"process": "supplier"}), on=["scenario", "supplier"], how="semi")
               .select("scenario", pl.col("scenario").alias("component"), "consumer", "supplier"))
    return _mix_expand(systems, study, ()).select([pl.col(c).cast(t) for c, t in LINKS_SCHEMA.items()])


def delivered(study: "Study", scale: pl.DataFrame, link: pl.DataFrame) -> pl.DataFrame:
    """The product each scenario delivers and its mass per declared unit.

    A system scenario delivers its ``product`` or its only final process, the one no other
    process of the scenario consumes (the inventory refused any other case); a mix delivers its
    components' product when they all deliver the same one, else ``product`` is null.
    """
    own = scale.filter(pl.col("scenario") == pl.col("component"))
    inner = link.filter(pl.col("scenario") == pl.col("component")).select("scenario",
                                                                         pl.col("supplier").alias("process"))
    finals = own.join(inner, on=["scenario", "process"], how="anti").select("scenario", "process")
    stated = study.scenarios.filter(pl.col("product").is_not_null()).select(pl.col("id").alias("scenario"),
                                                                            pl.col("product").alias("process"))
    systems = pl.concat([stated, finals.join(stated, on="scenario", how="anti")]).unique()
    product_of = dict(systems.iter_rows())
    mixes = study.mixes.filter(pl.col("share") != 0)
    for sid in _mix_order(study):  # components before the mixes that use them
        parts = {product_of.get(c) for c in mixes.filter(pl.col("scenario") == sid).get_column("component")}
        product_of[sid] = parts.pop() if len(parts) == 1 else None
    m = study.product.mass_per_declared_unit
    ids = study.scenario_ids
    return pl.DataFrame({"scenario": ids, "product": [product_of.get(s) for s in ids],
                         "mass": [float(m.value)] * len(ids), "mass_unit": [m.unit] * len(ids)},
                        schema=DELIVERED_SCHEMA)


def _mix_order(study: "Study") -> list[str]:
    mixes = study.mixes
    graph = {m: set(g.get_column("component")) for (m,), g in mixes.group_by("scenario")}
    return [s for s in TopologicalSorter(graph).static_order() if s in graph]


def _in_scenario_order(frame: pl.DataFrame, scenario_ids: list[str], *keys: str) -> pl.DataFrame:
    order = {s: i for i, s in enumerate(scenario_ids)}
    return frame.sort(pl.col("scenario").replace_strict(order, default=len(order), return_dtype=pl.Int64), *keys)


def energy_intensity(detail: pl.DataFrame, scenario_ids: list[str]) -> pl.DataFrame:
    """kg CO2e charged per unit of each energy carrier (flow) at each site, per scenario.

    Sum of the contributions (every gas; grid losses included when the method includes them)
    over the activity amounts (each activity counted once, whatever its number of gas rows), per
    kWh for energy flows, else per the unit of the first activity. Null where no amount was used.
    """
    d = detail.filter(pl.col("flow_category").is_in(CARRIER_CATEGORIES))
    per_act = d.group_by("scenario", "site", "flow", "act", maintain_order=True).agg(
        pl.col("value").sum(), (pl.col("amount") * pl.col("a_to_base")).first().alias("base"),
        pl.col("unit").first(), pl.col("a_to_base").first(), pl.col("per_dimension").first().alias("dim"))
    energy = pl.col("dim").first() == _ENERGY_DIM
    out = per_act.group_by("scenario", "site", "flow", maintain_order=True).agg(
        pl.col("value").sum(), pl.col("base").sum(),
        pl.when(energy).then(pl.lit(_J_PER_KWH)).otherwise(pl.col("a_to_base").first()).alias("to_base"),
        pl.when(energy).then(pl.lit("kWh")).otherwise(pl.col("unit").first()).alias("per"))
    out = out.select("scenario", "site", pl.col("flow").alias("carrier"),
                     pl.when(pl.col("base") != 0).then(pl.col("value") / pl.col("base") * pl.col("to_base"))
                     .alias("value"),
                     pl.format("kg_CO2e/{}", "per").alias("unit")).cast(ENERGY_SCHEMA)  # type: ignore[arg-type]
    return _in_scenario_order(out, scenario_ids, "site", "carrier")


def outbound_legs(study: "Study") -> pl.DataFrame:
    """``component, origin, outbound``: the transport legs that deliver to the cell plant."""
    plant, legs = study.cell_plant, study.transport
    if plant is None or legs.height == 0:
        return pl.DataFrame(schema={"component": pl.String, "origin": pl.String, "outbound": pl.Boolean})
    return (legs.filter(pl.col("to_site") == plant)
            .select(pl.col("scenario").alias("component"), "origin", pl.lit(True).alias("outbound")).unique())


def transport(study: "Study", detail: pl.DataFrame, unit: str) -> pl.DataFrame:
    """Contributions of the transport legs by scenario, direction and mode, in ``unit``.

    ``outbound`` = legs that end at the study's cell plant (delivery to the customer), ``inbound``
    = every other leg (between the supply chain's own plants).
    """
    legs = detail.filter(pl.col("mode").is_not_null()).join(outbound_legs(study), on=["component", "origin"],
                                                             how="left")
    direction = pl.when(pl.col("outbound").fill_null(False)).then(pl.lit("outbound")).otherwise(pl.lit("inbound"))
    out = (legs.group_by("scenario", direction.alias("direction"), "mode", maintain_order=True)
           .agg(pl.col("value").sum()).with_columns(pl.lit(unit).alias("unit")))
    return _in_scenario_order(out, study.scenario_ids, "direction", "mode").cast(TRANSPORT_SCHEMA)  # type: ignore[arg-type]


def declared_unit_label(du: "Quantity") -> str:
    """``kg_CO2e/m^2`` for 1 m², ``kg_CO2e/(2 m^2)`` for 2 m²: the unit of results per declared unit."""
    return f"kg_CO2e/{du.unit if du.value == 1 else f'({du})'}"


def views(study: "Study") -> pl.DataFrame:
    """The built-in views (per declared unit, per kg) and the study's ``[[view]]`` entries, in order:
    each one's factor from "per declared unit", result unit, label and the study's basis for it."""
    from lca.study.profile import kg_view

    rows = [("declared_unit", 1.0, declared_unit_label(study.product.declared_unit), "per declared unit", "")]
    rows += [(v.id, v.multiplier, v.unit, v.label, v.basis) for v in (kg_view(study.product), *study.views)]
    return pl.DataFrame(rows, schema=VIEWS_SCHEMA, orient="row")


def stages(study: "Study", detail: pl.DataFrame) -> pl.DataFrame:
    """The study's stages (:attr:`Study.stages`: its ``[[stage]]`` entries, completed at load) in
    reporting order, with their labels, their mapping to the EU Battery Regulation life-cycle stages,
    PACT fields and GHG Protocol stages, and the study's description of each."""
    st = list(study.stages)
    rows = [(s.id, s.label, i, s.eu_battery_stage, s.pact_field, s.ghg_stage, s.description) for i, s in enumerate(st)]
    known = {s.id for s in st}  # a stage only the result knows (a study built without the loader): after them
    extra = sorted(s for s in detail.get_column("stage").unique().to_list() if s not in known)
    rows += [(s, s.replace("_", " ").capitalize(), len(st) + i, "Main product production", None, "Production", "")
             for i, s in enumerate(extra)]
    return pl.DataFrame(rows, schema=STAGES_SCHEMA, orient="row")


def sites(study: "Study") -> pl.DataFrame:
    """``site, name, country, grid`` of every site of the study."""
    s = study.sites
    col = lambda c: pl.col(c) if c in s.columns else pl.lit(None, pl.String)  # noqa: E731
    return s.select(pl.col("id").alias("site"), col("name").alias("name"), col("country").alias("country"),
                    col("grid").alias("grid")).cast(SITES_SCHEMA)  # type: ignore[arg-type]


def allocation(per_process: pl.DataFrame, scale: pl.DataFrame, scenario_ids: list[str]) -> pl.DataFrame:
    """``scenario, process, output, method, factor, basis, reason``: the engine's allocation of each
    multi-output process (``per_process``, :func:`lca.engine.allocation.allocation_frame`) repeated
    for every scenario that runs it (``scale``: :attr:`Footprint.scaling`; a mix runs its components'
    processes). ``factor`` is the output's share of the process's burden (null for the co-products of
    a substitution, which bring a credit instead). Empty, with these columns, when nothing is allocated.
    """
    if per_process.height == 0:
        return pl.DataFrame(schema=ALLOCATION_SCHEMA)
    runs = scale.select("scenario", "process").unique(maintain_order=True)
    out = runs.join(per_process, on="process", how="inner", maintain_order="left")
    order = {s: i for i, s in enumerate(scenario_ids)}
    rank = {p: i for i, p in enumerate(per_process.get_column("process").unique(maintain_order=True))}
    out = out.with_row_index("__i").sort(
        pl.col("scenario").replace_strict(order, default=len(order), return_dtype=pl.Int64),
        pl.col("process").replace_strict(rank, default=len(rank), return_dtype=pl.Int64), "__i")
    return out.select([pl.col(c).cast(t) for c, t in ALLOCATION_SCHEMA.items()])


def outlook(study: "Study", detail: pl.DataFrame) -> pl.DataFrame:
    """:data:`OUTLOOK_SCHEMA`, one row per scenario in study order. ``data_year``: the latest factor
    vintage any row of the scenario uses (the data its footprint stands on)."""
    from lca.study.outlook import outlook_note

    frame = study.outlooks
    years = (detail.group_by("scenario").agg(pl.col("factor_year").max().cast(pl.Int64).alias("data_year"))
             if detail.height and "factor_year" in detail.columns
             else pl.DataFrame(schema={"scenario": pl.String, "data_year": pl.Int64}))
    frame = frame.join(years, on="scenario", how="left", maintain_order="left")
    notes = [outlook_note(r, data_year=r["data_year"]) for r in frame.iter_rows(named=True)]  # one per scenario
    return frame.with_columns(pl.Series("note", notes, dtype=pl.String)).select(
        [pl.col(c).cast(t) for c, t in OUTLOOK_SCHEMA.items()])
