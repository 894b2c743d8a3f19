"""What a loaded study is: the :class:`Study` and its :class:`Method` (plain frozen dataclasses).

A study is data, not code: frames of validated rows (polars DataFrames) and quantities with their
units (:class:`~lca.study.parse.Quantity`). Loading and checking live in :mod:`lca.study.load`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

import polars as pl

from lca.choices import ELECTRICITY_BASES, ELECTRICITY_RULES, GWP_SETS, TD_LOSSES, spoken
from lca.errors import Problem, StudyError
from lca.rules import Battery
from lca.study.catenax import CatenaX
from lca.study.coproducts import ALLOCATION_SCHEMA, COPRODUCT_SCHEMA
from lca.study.disclosure import Disclosure
from lca.study.expressions import EXPRESSION_SCHEMA, PARAMETER_SCHEMA
from lca.study.parse import Product
from lca.study.profile import Profile, Stage, View
from lca.study.routes import LEG_SCHEMA
from lca.study.screening import DEFAULT_CUTOFF, EXCLUSION_SCHEMA
from lca.study.shipping import INBOUND_SCHEMA, PACKAGING_SCHEMA
from lca.study.sources import SourceSelection
from lca.study.supplier import SUPPLIER_SCHEMA, SupplierLayer


@dataclass(frozen=True)
class Method:
    """Method choices; each is recorded with every result.

    ``electricity_basis`` (coverage-point-gases, :data:`lca.choices.ELECTRICITY_BASES`) is the basis the
    study reports its electricity on; ``td_losses`` is its point in the older spelling (``included`` =
    at the point of consumption). Give either: the other follows (neither: life cycle at the point of
    consumption, CO2e); both must agree (:func:`_check_method`).
    """

    gwp: str = "AR6"
    electricity_rule: str = "location"
    td_losses: str | None = None
    electricity_basis: str | None = None
    #: a rule pack (:mod:`lca.rules`, ``factors/rules/<id>.toml``) the study declares under, or None
    rules: str | None = None

    def __post_init__(self) -> None:
        td, basis = self.td_losses, self.electricity_basis
        if basis is None:
            point = "generation" if td == "excluded" else "consumption"
            basis = f"lifecycle-{point}-CO2e"
        if td is None and basis in ELECTRICITY_BASES:
            td = "included" if basis.split("-")[1] == "consumption" else "excluded"
        object.__setattr__(self, "td_losses", td if td is not None else "included")
        object.__setattr__(self, "electricity_basis", basis)


@dataclass(frozen=True)
class Study:
    """A loaded, validated study. Frames are polars DataFrames; quantities carry units."""

    id: str
    title: str
    description: str
    reference_start: dt.date
    reference_end: dt.date
    method: Method
    product: Product
    sites: pl.DataFrame
    processes: pl.DataFrame
    exchanges: pl.DataFrame
    scenarios: pl.DataFrame
    steps: pl.DataFrame
    transport: pl.DataFrame
    mixes: pl.DataFrame
    cell_plant: str | None = None
    comparison: tuple[str, str] | None = None
    #: the study's factor layers, in order: its ``[factors] sources`` (a
    #: :class:`~lca.study.sources.SourceSelection`, when given) then its ``[factors] files``
    factor_files: tuple[Path | SourceSelection | SupplierLayer, ...] = ()
    path: Path | None = None
    #: table files named in ``[tables]`` (inputs a command must never write over)
    table_files: tuple[Path, ...] = ()
    input_hashes: Mapping[str, str] = field(default_factory=dict)
    company_name: str | None = None
    company_ids: tuple[str, ...] = ()
    product_ids: tuple[str, ...] = ()
    product_category_cpc: str | None = None
    #: raw ``[[uncertainty]]`` entries (parsed by :mod:`lca.uncertainty`)
    uncertainty_spec: tuple[Mapping[str, Any], ...] = ()
    #: the ``[pact]`` table, checked and normalised at load (:func:`lca.study.pact.parse_pact`)
    pact_spec: Mapping[str, Any] = field(default_factory=dict)
    #: every leg of every route (used or not), with where it was written; see :mod:`lca.study.routes`
    routes: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=LEG_SCHEMA))
    #: the name problems are reported under: the study file, or the label of an in-memory study
    source: str = "study"
    #: the scenarios' transport elements as written (``to = "cell_plant"`` kept), plain data that
    #: :meth:`with_cell_plant` resolves against the current routes and product (:mod:`lca.study.retarget`)
    transport_plan: pl.DataFrame | None = field(default=None, compare=False, repr=False)
    #: origin → (file, table, row) of the exchanges written in a table file (see :mod:`lca.study.origins`)
    table_rows: Mapping[str, tuple[str, str, int]] = field(default_factory=dict, compare=False, repr=False)
    #: the product profile (:mod:`lca.study.profile`): every stage used, in reporting order, with its
    #: EU Battery Regulation / GHG Protocol / PACT mapping; the study's named views; the report's words
    stages: tuple[Stage, ...] = ()
    views: tuple[View, ...] = ()
    profile: Profile = field(default_factory=Profile)
    #: ``[parameters]``: name, value, unit, expression (if written as one), note (:mod:`lca.study.expressions`)
    parameters: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PARAMETER_SCHEMA), compare=False,
                                     repr=False)
    #: every amount written as an expression: table, column (where it was written), expression, value, unit, names
    expressions: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=EXPRESSION_SCHEMA), compare=False,
                                      repr=False)
    #: co-products of multi-output processes and their allocation (:mod:`lca.study.coproducts`)
    coproducts: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=COPRODUCT_SCHEMA), repr=False)
    allocation: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ALLOCATION_SCHEMA), repr=False)
    #: packaging charged when a process's output is shipped, and every material's inbound legs by
    #: (site, flow) (:mod:`lca.study.shipping`)
    shipping_packaging: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PACKAGING_SCHEMA),
                                             repr=False)
    inbound: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=INBOUND_SCHEMA), repr=False)
    #: declared exclusions with their screening estimates and the cut-off (each, total) (:mod:`lca.study.screening`)
    exclusions: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=EXCLUSION_SCHEMA), repr=False)
    cutoff: tuple[float, float] = DEFAULT_CUTOFF
    #: supplier footprints the exchanges use (:mod:`lca.study.supplier`, ``SUPPLIER_SCHEMA``): one row each
    supplier_footprints: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=SUPPLIER_SCHEMA),
                                              repr=False)

    #: per scenario: current | prospective | hypothetical, operation start and reference period
    #: (:mod:`lca.study.outlook`); None: every scenario current, in the study's reference period
    outlook: pl.DataFrame | None = field(default=None, repr=False)
    #: the battery a rule-pack declaration is made for (``[battery]``, :mod:`lca.study.battery`), or None
    battery: Battery | None = None
    #: what the report states about itself: contact, PCRs, packaging carbon, what it does not cover
    #: (:mod:`lca.study.disclosure`)
    disclosure: Disclosure = field(default_factory=Disclosure)
    #: Catena-X identifiers for component-supplier exports (``[catenax]``, :mod:`lca.study.catenax`), or None
    catenax: CatenaX | None = None

    @property
    def outlooks(self) -> pl.DataFrame:
        """``scenario, outlook, operation_start, reference_start, reference_end`` of every scenario."""
        from lca.study.outlook import with_periods

        return with_periods(self.outlook, self.scenario_ids, (self.reference_start, self.reference_end))

    @property
    def scenario_ids(self) -> list[str]:
        return self.scenarios.get_column("id").to_list()

    @property
    def reference_year(self) -> int:
        """Year used to choose factor vintages: the reference period's end year."""
        return self.reference_end.year

    def with_method(self, **changes: str) -> "Study":
        """Copy with other method choices (validated)."""
        # the basis and its T&D point are one choice: changing one re-derives the other
        if "electricity_basis" in changes and "td_losses" not in changes:
            changes["td_losses"] = None
        elif "td_losses" in changes and "electricity_basis" not in changes and changes["td_losses"] in TD_LOSSES:
            cov, _, gases = self.method.electricity_basis.split("-")
            point = "consumption" if changes["td_losses"] == "included" else "generation"
            changes["electricity_basis"] = f"{cov}-{point}-{gases}"
        method = replace(self.method, **changes)
        _check_method(method, self.source)
        return replace(self, method=method)

    def with_cell_plant(self, plant: str) -> "Study":
        """Copy delivering to another site, from this object (in-memory changes kept, no file re-read)."""
        from lca.study.retarget import with_cell_plant

        return with_cell_plant(self, plant)


def _check_method(m: Method, file: str) -> None:
    problems = []
    if m.gwp not in GWP_SETS:
        problems.append(Problem(f"unknown GWP set '{m.gwp}'", file=file, table="method", column="gwp",
                                hint=f"use {spoken(GWP_SETS)}"))
    if m.electricity_rule not in ELECTRICITY_RULES:
        problems.append(Problem(f"unknown electricity rule '{m.electricity_rule}'", file=file, table="method",
                                column="electricity_rule", hint=f"use {spoken(ELECTRICITY_RULES)}"))
    if m.td_losses not in TD_LOSSES:
        problems.append(Problem(f"unknown td_losses setting '{m.td_losses}'", file=file, table="method",
                                column="td_losses", hint=f"use {spoken(TD_LOSSES)}"))
    if m.electricity_basis not in ELECTRICITY_BASES:
        problems.append(Problem(f"unknown electricity basis '{m.electricity_basis}'", file=file, table="method",
                                column="electricity_basis", hint=f"use {spoken(ELECTRICITY_BASES)} (coverage-point-"
                                                                 "gases)"))
    elif m.td_losses in TD_LOSSES and (m.td_losses == "included") != (m.electricity_basis.split("-")[1] ==
                                                                        "consumption"):
        problems.append(Problem(f"td_losses = \"{m.td_losses}\" contradicts electricity_basis = "
                                f"\"{m.electricity_basis}\"", file=file, table="method", column="td_losses",
                                hint="remove td_losses: the basis says whether T&D losses are included "
                                     "(consumption) or not (generation)"))
    if problems:
        raise StudyError(problems)
