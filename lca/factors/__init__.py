"""Emission factors: the library and its layers, region resolution, dataset editions, grid losses.

* :mod:`lca.factors.library` — loading the shipped library and user layers (:func:`load_library`,
  :class:`FactorLibrary`, :func:`read_factor_file`, :func:`check_layer`);
* :mod:`lca.factors.checks` — the per-row and per-category rules of a factor file;
* :mod:`lca.factors.resolution` — which row an activity is charged with (:func:`resolve`);
* :mod:`lca.factors.editions` — one dataset edition per flow, region and scope;
* :mod:`lca.factors.losses` — grid transmission and distribution losses.
"""

from __future__ import annotations

from lca.factors.library import (CATEGORY_DIMENSIONS, FACTOR_COLUMNS, FACTOR_FILES, FactorLibrary, check_layer,
                                 load_library, read_factor_file, validate_factors)
from lca.factors.losses import apply_td_losses, loss_fractions
from lca.factors.resolution import default_rows, electricity_flows, factor_columns, region_chains, resolve

__all__ = ["CATEGORY_DIMENSIONS", "FACTOR_COLUMNS", "FACTOR_FILES", "FactorLibrary", "check_layer", "load_library",
           "read_factor_file", "validate_factors", "apply_td_losses", "loss_fractions", "default_rows",
           "electricity_flows", "factor_columns", "region_chains", "resolve"]
