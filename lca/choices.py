"""Every user-facing choice set of ``lca``, in one place.

A choice a user can write — in a study file, a factor file, on the command line — is listed here
once. The table schemas (:mod:`lca.schemas`), the study loader, the CLI enums (:mod:`lca.cli.common`
builds them from these tuples), the JSON Schema (:mod:`lca.validation.jsonschema`) and the docs
(``docs/choices.md`` is generated from :data:`WHERE`: ``python -m lca.choices``) read them from here,
so adding a value is one edit; ``tests/test_choices.py`` checks that each of those agrees. The first
value of a tuple is the default where a default exists. Plain tuples: importing this module costs
nothing (the CLI imports it at start-up).

>>> GWP_SETS[0], spoken(TD_LOSSES)
('AR6', 'excluded or included')
"""

from __future__ import annotations

# ------------------------------------------------------------------------------- method ([method])

GWP_SETS = ("AR6", "AR5", "AR4")
ELECTRICITY_RULES = ("location", "market", "national")
TD_LOSSES = ("excluded", "included")
#: The basis a study reports its electricity on (docs/method-rules.md "Electricity basis"), in three
#: parts: what of the chain a grid factor covers, where it is measured (at generation, or at the point
#: of consumption, i.e. with T&D losses) and which gases it counts. A factor row states each part in an
#: existing column of its file (coverage: ``scope``, point: ``td_losses``, gases: ``gas``; the maps are
#: :data:`lca.factors.basis.COVERAGE_OF_SCOPE` and ``POINT_OF_TD_LOSSES``). Default: what ISO 14067
#: and the PACT Methodology ask of a PCF, life cycle at the point of consumption, all gases.
ELECTRICITY_COVERAGES = ("lifecycle", "combustion")
ELECTRICITY_POINTS = ("consumption", "generation")
ELECTRICITY_GASES = ("CO2e", "CO2")
#: A whole basis as a study writes it (``[method] electricity_basis``, ``--electricity-basis``)
ELECTRICITY_BASES = tuple(f"{c}-{p}-{g}" for c in ELECTRICITY_COVERAGES for p in ELECTRICITY_POINTS
                          for g in ELECTRICITY_GASES)

# ----------------------------------------------------------------------------------- study tables

#: How far a site's electricity may fall back when its grid region has no default factor
GRID_FALLBACKS = ("subdivision", "country", "global")
#: The built-in views (per declared unit, per kg of product); a study adds its own with [[view]]
#: (per kWh of cell capacity, per vehicle, per year, …), so ``--per`` accepts these plus the study's
VIEWS = ("declared_unit", "kg")
#: EU Battery Regulation (2023/1542, Annex II) life-cycle stages a study's [[stage]] maps to
EU_BATTERY_STAGES = ("Raw material acquisition and pre-processing", "Main product production", "Distribution",
                     "End of life and recycling")
#: GHG Protocol Product Standard life-cycle stages a study's [[stage]] maps to
GHG_STAGES = ("Material acquisition & pre-processing", "Production", "Distribution & storage", "Use", "End-of-life")
#: PACT field that breaks out a stage's emissions (besides the total, which has every stage); a
#: stage without one is only in the total
PACT_STAGE_FIELDS = ("packagingGhgEmissions",)
PACT_STATUSES = ("Active", "Deprecated")
#: How a multi-output process shares its burden among its outputs (ISO 14067 6.4.6)
ALLOCATION_METHODS = ("mass", "economic", "physical", "substitution")
#: What a scenario's footprint describes: a plant in operation (``current``), a planned one
#: (``prospective``: needs ``operation_start``; its reference period is the planned first year), or a
#: what-if (``hypothetical``). Called the scenario's *outlook* in the code (a scenario frame's
#: ``kind`` already says system or mix); a mix with a prospective component is prospective.
SCENARIO_KINDS = ("current", "prospective", "hypothetical")
#: Treatment of a process's waste output (``waste = [{ material, amount, treatment }]``); the first
#: is the default. No credit is given for recovered energy or material (cut-off approach).
WASTE_TREATMENTS = ("incineration_energy_recovery", "incineration", "landfill", "recycling")
#: The treatments that burn the waste: its fossil carbon is emitted as CO2
COMBUSTION_TREATMENTS = ("incineration_energy_recovery", "incineration")

# ----------------------------------------------------------------------------------- factor files

#: ``none``: the row carries no gas (e.g. a grid-loss rate)
GASES = ("CO2e", "CO2", "CH4_fossil", "CH4_nonfossil", "N2O", "CH2Cl2", "SF6", "NF3", "CF4",
         "HFC-32", "HFC-125", "HFC-134a", "HFC-143a", "C2F6", "none")
#: Each accepts its own activity dimensions (:data:`lca.factors.CATEGORY_DIMENSIONS`)
CATEGORIES = ("electricity", "fuel", "heat", "material", "process_emission", "freight", "grid_loss", "product", "waste")
#: Only ``default`` rows are candidates of region resolution
STATUSES = ("default", "alternative", "sensitivity", "market")
#: What part of an activity's chain a factor row covers (docs/method-rules.md: scopes that overlap are
#: never charged together; transmission/distribution/n-a are for grid-loss rows only).
SCOPES = ("combustion", "upstream", "direct", "tank_to_wheel", "well_to_tank", "well_to_wheel", "life_cycle",
          "cradle_to_gate", "transmission", "distribution", "n/a")
#: Whether a factor row's value already contains grid losses
FACTOR_TD_LOSSES = ("included", "excluded", "n/a")
DISTRIBUTIONS = ("lognormal", "normal", "triangular", "uniform", "none")
#: How well a factor row's number is cited (factors/README.md, citation policy): ``primary`` = the
#: publisher's own document (ministry, agency, IPCC, the paper itself); ``secondary`` = a quote of it
#: by someone else (a paper citing an industry dataset, a transcription); ``estimate`` = no document
#: states the number (a project or user estimate). Empty in a user file = not stated, rated as an estimate.
CITATION_QUALITIES = ("primary", "secondary", "estimate")
#: What the study value is of an ``[[uncertainty]]`` entry's distribution: its mode (a triangular's
#: default) or its median (a lognormal's; a triangular's mode is then solved for; a uniform must be
#: symmetric around it). See docs/uncertainty.md "Centre".
UNCERTAINTY_CENTRES = ("mode", "median")
#: How a region is supplied with a fuel (``factors/supply_routes.csv``): its upstream factor follows
FUEL_ROUTES = ("pipeline", "lng", "mix")

# -------------------------------------------------------------------------------- command options

OUTPUT_FORMATS = ("table", "csv", "json")
EXPORT_FORMATS = ("pact-v3", "pact-v2", "csv", "parquet", "json")
#: declarations under the study's rule pack (docs/rule-packs.md): the EU Art. 7 JSON document and the
#: Catena-X battery passport's carbon-footprint part
EXPORT_FORMATS += ("eu-declaration", "battery-pass")
#: Catena-X: the PCF data model 9.0.0 and the battery-component-supplier PCF 1.0.0 (per kg)
EXPORT_FORMATS += ("catenax-pcf", "catenax-battery-component")
EXPORT_TABLES = ("results", "inventory")
TABLE_FORMATS = ("csv", "parquet", "json")
PACT_VERSIONS = ("v2", "v3")
UNCERTAINTY_TABLES = ("summary", "differences", "sensitivity", "tornado", "breakeven", "inputs")
VALIDATE_FORMATS = ("text", "json", "github")
VALIDATE_SKIPPABLE = ("uncertainty", "pact")
ON_ERROR = ("fail", "skip")
PARTITIONS = ("period",)

# ------------------------------------------------------------------------------------- defaults

#: Seed of every Monte Carlo run unless one is given (``lca uncertainty``, ``lca report
#: --uncertainty``, :func:`lca.run_uncertainty`, ``lca validate``): one seed, one set of numbers
DEFAULT_SEED = 20250101
#: Monte Carlo iterations unless given (``lca uncertainty``, ``lca report --uncertainty``, the API)
DEFAULT_ITERATIONS = 10_000

#: Where a user writes each choice (the rows of docs/choices.md).
WHERE = {
    "GWP_SETS": "`[method] gwp`, `--gwp`; the `gwp_set` column of GWP tables",
    "ELECTRICITY_RULES": "`[method] electricity_rule`, `--electricity-rule`",
    "TD_LOSSES": "`[method] td_losses`, `--td-losses`: add grid transmission and distribution losses",
    "ELECTRICITY_COVERAGES": "`coverage` of `Footprint.electricity_basis`; the `scope` column of electricity factors "
                             "(`combustion`; `life_cycle` = lifecycle; `upstream` = the adder)",
    "ELECTRICITY_POINTS": "`point` of `Footprint.electricity_basis`; the `td_losses` column of electricity factors "
                          "(`excluded` = generation, `included` = consumption)",
    "ELECTRICITY_GASES": "`gases` of `Footprint.electricity_basis`; the `gas` column of electricity factors",
    "ELECTRICITY_BASES": "`[method] electricity_basis`, `--electricity-basis` (coverage-point-gases)",
    "GRID_FALLBACKS": "the `grid_fallback` column of sites",
    "VIEWS": "`--per` of `lca run`, `uncertainty` and `export` (plus the study's `[[view]]` ids); `Footprint.views`",
    "EU_BATTERY_STAGES": "`[[stage]] eu_battery_stage`",
    "GHG_STAGES": "`[[stage]] ghg_stage`",
    "PACT_STAGE_FIELDS": "`[[stage]] pact_field`",
    "PACT_STATUSES": "`[pact] status`",
    "ALLOCATION_METHODS": "`allocation = { method = … }` of a process with `coproducts`",
    "SCENARIO_KINDS": "`[[scenario]] kind` (with `operation_start` when prospective); `Footprint.outlook`",
    "WASTE_TREATMENTS": "`treatment` of a process's `waste = [{ material, amount, treatment }]`",
    "COMBUSTION_TREATMENTS": "(the waste treatments whose fossil carbon is charged as CO2)",
    "GASES": "the `gas` column of factor files and GWP tables",
    "CATEGORIES": "the `category` column of factor files",
    "STATUSES": "the `status` column of factor files",
    "SCOPES": "the `scope` column of factor files",
    "FACTOR_TD_LOSSES": "the `td_losses` column of factor files",
    "DISTRIBUTIONS": "the `unc_dist` column of factor files",
    "CITATION_QUALITIES": "the `citation_quality` column of factor files and GWP tables (empty = not stated: rated "
                          "`estimate`)",
    "UNCERTAINTY_CENTRES": "`[[uncertainty]] centre`",
    "FUEL_ROUTES": "the `route` column of `factors/supply_routes.csv`",
    "OUTPUT_FORMATS": "`--format` of `lca run`, `uncertainty`, `factors list`, `factors search` and `factors audit`",
    "EXPORT_FORMATS": "`lca export --format`",
    "EXPORT_TABLES": "`lca export --table`; `lca.export_table(what=…)`",
    "TABLE_FORMATS": "`lca.export_table(format=…)`",
    "PACT_VERSIONS": "`lca check --spec`; `lca.export_pact` and `lca.check_pact`",
    "UNCERTAINTY_TABLES": "`lca uncertainty --table`",
    "VALIDATE_FORMATS": "`lca validate --format`",
    "VALIDATE_SKIPPABLE": "`lca validate --skip`",
    "ON_ERROR": "`lca ledger --on-error`; `lca.compute_ledger(on_error=…)`",
    "PARTITIONS": "`lca ledger --partition-by`",
}


def spoken(values: tuple[str, ...] | list[str], last: str = "or") -> str:
    """A choice set as a hint reads it: ``'location, market or national'``.

    >>> spoken(ELECTRICITY_RULES), spoken(("fail",))
    ('location, market or national', 'fail')
    """
    values = [str(v) for v in values]
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} {last} {values[-1]}"


def markdown() -> str:
    """docs/choices.md: every choice set, its values (default first) and where it is written."""
    rows = [f"| `{name}` | {', '.join(f'`{v}`' for v in globals()[name])} | {where} |" for name, where in WHERE.items()]
    return "\n".join([
        "# Choice sets",
        "",
        "Every value a user can choose, as `lca` accepts it. Generated from `lca/choices.py` (the one home",
        "of these sets: the study loader, the table schemas, the CLI options and the JSON Schema read",
        "them from there) by `python -m lca.choices > docs/choices.md`; the first value is the default",
        "where there is one.",
        "",
        f"Defaults of every Monte Carlo run (`lca uncertainty`, `lca report --uncertainty`, the API):",
        f"seed `{DEFAULT_SEED}`, {DEFAULT_ITERATIONS:,} iterations.",
        "",
        "| set | values | written in |",
        "| --- | --- | --- |",
        *rows,
        "",
    ])


if __name__ == "__main__":  # pragma: no cover
    print(markdown(), end="")
