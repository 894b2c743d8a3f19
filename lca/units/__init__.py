"""Units: the one pint registry of the application, unit spellings, and vectorized conversion.

* :mod:`lca.units.convert` — the registry, spellings people write, unit information, conversion
  factors and the per-distinct-unit tables pipelines join on;
* :mod:`lca.units.prefixes` — prefixed spellings of ambiguous units, refused as a class;
* :mod:`lca.units.cache` — the crash- and race-safe folder for pint's parsed definitions.

The names below are the package's public interface (``from lca.units import unit_info``).
"""

from lca.units.convert import (AMBIGUOUS, DEFINITIONS, DIMENSION_NAMES, NUMERATOR_UNITS, TOKEN_ALIASES, UnitInfo,
                               conversion_factor, dim_string, dimension_name, factor_unit_info, factor_unit_table,
                               normalize_unit, registry, require_unit, unit_info, unit_table)
from lca.units.prefixes import prefixed_token

__all__ = ["AMBIGUOUS", "DEFINITIONS", "DIMENSION_NAMES", "NUMERATOR_UNITS", "TOKEN_ALIASES", "UnitInfo",
           "conversion_factor", "dim_string", "dimension_name", "factor_unit_info", "factor_unit_table",
           "normalize_unit", "prefixed_token", "registry", "require_unit", "unit_info", "unit_table"]
