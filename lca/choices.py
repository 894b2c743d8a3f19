"""Every user-facing choice set of ``lca``, in one place.

A choice a user can write — in a study file, a factor file, on the command line — is listed here
once. The table schemas (:mod:`lca.schemas`), the study loader, the CLI enums (:mod:`lca.cli.common`
builds them from these tuples), the JSON Schema (:mod:`lca.validation.jsonschema`) and the docs
(checked by ``tests/test_layers.py``) read them from here, so adding a value is one edit. The first
value of a tuple is the default where a default exists. Plain tuples: importing this module costs
nothing (the CLI imports it at start-up).

>>> GWP_SETS[0], spoken(TD_LOSSES)
('AR6', 'excluded or included')
"""

from __future__ import annotations

# ------------------------------------------------------------------------------- method ([method])

#: GWP100 sets of the IPCC assessment reports (``[method] gwp``, ``--gwp``, the ``gwp_set`` column)
GWP_SETS = ("AR6", "AR5", "AR4")
#: How a site's electricity is charged (``[method] electricity_rule``, ``--electricity-rule``)
ELECTRICITY_RULES = ("location", "market", "national")
#: Whether grid transmission and distribution losses are added (``[method] td_losses``, ``--td-losses``)
TD_LOSSES = ("excluded", "included")

# ----------------------------------------------------------------------------------- study tables

#: How far a site's electricity may fall back when its grid region has no default factor
#: (the ``grid_fallback`` column of sites)
GRID_FALLBACKS = ("subdivision", "country", "global")
#: Views a result can be expressed in (``--per``): per declared unit, or converted by the product's
#: mass, the cell energy it serves, a vehicle's pack, or a year of supply
VIEWS = ("declared_unit", "kg", "kWh", "vehicle", "year")
#: Status of a study's PACT footprint (``[pact] status``)
PACT_STATUSES = ("Active", "Deprecated")

# ----------------------------------------------------------------------------------- factor files

#: Gases a factor row may name (``none``: the row carries no gas, e.g. a grid-loss rate)
GASES = ("CO2e", "CO2", "CH4_fossil", "CH4_nonfossil", "N2O", "CH2Cl2", "SF6", "NF3", "CF4",
         "HFC-32", "HFC-125", "HFC-134a", "HFC-143a", "C2F6", "none")
#: Factor categories (each accepts its own activity dimensions, :data:`lca.factors.CATEGORY_DIMENSIONS`)
CATEGORIES = ("electricity", "fuel", "heat", "material", "process_emission", "freight", "grid_loss", "product")
#: Factor statuses: only ``default`` rows are candidates of region resolution
STATUSES = ("default", "alternative", "sensitivity", "market")
#: What part of an activity's chain a factor row covers (docs/method-rules.md: scopes that overlap are
#: never charged together; transmission/distribution/n-a are for grid-loss rows only).
SCOPES = ("combustion", "upstream", "direct", "tank_to_wheel", "well_to_tank", "well_to_wheel", "life_cycle",
          "cradle_to_gate", "transmission", "distribution", "n/a")
#: The ``td_losses`` column of a factor row: whether its value already contains grid losses
FACTOR_TD_LOSSES = ("included", "excluded", "n/a")
#: Uncertainty distributions of a factor row (``unc_dist``)
DISTRIBUTIONS = ("lognormal", "normal", "triangular", "uniform", "none")

# -------------------------------------------------------------------------------- command options

#: How a command prints tables (``--format`` of run, uncertainty, factors)
OUTPUT_FORMATS = ("table", "csv", "json")
#: What ``lca export --format`` writes
EXPORT_FORMATS = ("pact-v3", "pact-v2", "csv", "parquet", "json")
#: Tables ``lca export`` writes (``--table``)
EXPORT_TABLES = ("results", "inventory")
#: Formats of those tables
TABLE_FORMATS = ("csv", "parquet", "json")
#: PACT specification versions (``lca check --spec``)
PACT_VERSIONS = ("v2", "v3")
#: Frames ``lca uncertainty --format csv`` can write (``--table``)
UNCERTAINTY_TABLES = ("summary", "differences", "sensitivity", "tornado", "breakeven", "inputs")
#: How ``lca validate`` prints problems (``--format``)
VALIDATE_FORMATS = ("text", "json", "github")
#: Study stages ``lca validate --skip`` may leave out
VALIDATE_SKIPPABLE = ("uncertainty", "pact")
#: What the ledger does with a bad lot (``--on-error``)
ON_ERROR = ("fail", "skip")
#: How the ledger partitions its output (``--partition-by``)
PARTITIONS = ("period",)

# ------------------------------------------------------------------------------------- defaults

#: Seed of every Monte Carlo run unless one is given (``lca uncertainty``, ``lca report
#: --uncertainty``, :func:`lca.run_uncertainty`, ``lca validate``): one seed, one set of numbers
DEFAULT_SEED = 20250101
#: Monte Carlo iterations unless given (``lca uncertainty``, ``lca report --uncertainty``, the API)
DEFAULT_ITERATIONS = 10_000


def spoken(values: tuple[str, ...] | list[str], last: str = "or") -> str:
    """A choice set as a hint reads it: ``'location, market or national'``.

    >>> spoken(ELECTRICITY_RULES), spoken(("fail",))
    ('location, market or national', 'fail')
    """
    values = [str(v) for v in values]
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} {last} {values[-1]}"
