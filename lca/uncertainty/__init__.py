"""Uncertainty and sensitivity: Monte Carlo with common random numbers, the probability that one
scenario is lower than another, rank-correlation sensitivity, tornado swings and break-even values.

See ``docs/uncertainty.md``. Public API:

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> r = lca.run_uncertainty(fp, iterations=1000, seed=7)
>>> sorted(r.draws_total)[:2]
['charlotte-coated', 'cn-import']
"""

from lca.uncertainty.breakeven import break_even
from lca.uncertainty.distributions import Distribution, pedigree_gsd
from lca.uncertainty.model import CompiledModel, compile_model
from lca.uncertainty.montecarlo import DEFAULT_SEED, UncertaintyResult, run_uncertainty
from lca.uncertainty.spec import parse_spec

__all__ = ["run_uncertainty", "break_even", "UncertaintyResult", "compile_model", "CompiledModel", "Distribution",
           "pedigree_gsd", "parse_spec", "DEFAULT_SEED"]
