"""Guards around the Monte Carlo: the memory a run will need, and the range its totals can take.

*Memory.* Exact percentiles need every draw of every stage and scenario total, so a run keeps
``iterations × (groups + scenarios)`` float64 values however it is chunked. :func:`memory_needed`
adds up the arrays :func:`lca.uncertainty.montecarlo.run_uncertainty` allocates (kept totals,
one working column, the sensitivity sample, one chunk of draws) before anything is allocated,
and :func:`check_memory` refuses a run above the limit, saying how to raise it.

*Plausibility.* Every input's multiplier lies in its distribution's support (truncated or
bounded, see :mod:`lca.uncertainty.distributions`), so every total lies in an envelope computed
from those supports: ``Σ_r c_r · Π_p m_p ** E[p, r]`` at its smallest and largest. A draw
outside it (or non-finite) can only be a bug in the engine, and is reported as one
(:class:`~lca.errors.InternalError`), never as a problem of the user's input.

>>> parse_bytes("1.5 GiB")
1610612736
"""

from __future__ import annotations

import os
import re

import numpy as np

from lca.errors import InternalError, LcaInputError, Problem

#: Default memory limit of one uncertainty run; raise it with ``--max-memory``, the
#: ``LCA_MAX_MEMORY`` environment variable or ``max_memory=``.
DEFAULT_MAX_MEMORY = 2 * 1024**3
ENV = "LCA_MAX_MEMORY"
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3, "gb": 1000**3,
          "t": 1000**4, "tb": 1000**4, "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4}


def parse_bytes(text: str | int) -> int:
    """``"4 GiB"``, ``"500MB"``, ``"2e9"`` or an int → bytes (ValueError if not a positive size)."""
    if isinstance(text, int) and not isinstance(text, bool):
        if text <= 0:
            raise ValueError(f"{text} is not a positive number of bytes")
        return text
    m = re.fullmatch(r"\s*([0-9.]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)\s*", str(text))
    if not m or m.group(2).lower() not in _UNITS:
        raise ValueError(f"'{text}' is not a size such as 4 GiB or 500 MB")
    value = float(m.group(1)) * _UNITS[m.group(2).lower()]
    if value >= 2**63:  # also inf ('1e999'): no machine has that much, and it would not fit an int64
        raise ValueError(f"'{text}' is too large: at most 8 EiB (2^63 bytes)")
    if not value > 0:
        raise ValueError(f"'{text}' is not a positive size")
    return int(value)


def memory_limit(max_memory: str | int | None = None) -> tuple[int, str]:
    """The limit in bytes and where it came from (argument, environment, default)."""
    if max_memory is not None:
        try:
            return parse_bytes(max_memory), "--max-memory / max_memory"
        except ValueError as exc:
            raise LcaInputError(Problem(f"--max-memory (max_memory): {exc}", hint="e.g. --max-memory 8GiB")) from None
    if os.environ.get(ENV):
        try:
            return parse_bytes(os.environ[ENV]), f"the {ENV} environment variable"
        except ValueError as exc:
            raise LcaInputError(Problem(f"{ENV}: {exc}", hint=f"e.g. {ENV}=8GiB")) from None
    return DEFAULT_MAX_MEMORY, "the default"


def memory_needed(n_inputs: int, n_scenarios: int, n_groups: int, n_patterns: int, iterations: int, *,
                  chunk: int, sensitivity_draws: int) -> int:
    """Bytes the arrays of one run take at their peak (float64 = 8 bytes).

    Per iteration, kept to the end: every stage total (``n_groups``) and scenario total, and the
    scenario totals returned (``draws_total``); while the statistics are taken, a block of up to 4
    columns (differences: the block, its signs) and numpy's partitioned copy of it (10 columns
    in all). Per sensitivity draw: the draws, their ranks and the targets' ranks. Per chunked
    iteration: z, u and the multipliers, their logs, the per-pattern products, the chunk's totals.
    Measured with tracemalloc on the default study: 0.92-0.97 of the traced peak from 1 M
    iterations on (the limit is then at most ~10 % optimistic), an overestimate below.
    """
    n_pairs = n_scenarios * (n_scenarios - 1) // 2
    per_iteration = 8 * (n_groups + 2 * n_scenarios + 10)
    sens = min(iterations, sensitivity_draws) * 8 * (3 * n_inputs + 2 * (n_scenarios + 2 * n_pairs))
    per_chunk = min(chunk, iterations) * 8 * (4 * n_inputs + n_patterns + n_groups)
    return iterations * per_iteration + sens + per_chunk


def check_memory(needed: int, iterations: int, max_memory: str | int | None) -> None:
    """Refuse (before allocating) a run that needs more than the limit."""
    limit, source = memory_limit(max_memory)
    if needed > limit:
        raise LcaInputError(Problem(
            f"--iterations {iterations:,} needs about {_size(needed)} of memory (exact percentiles keep every "
            f"draw's stage and scenario totals, {_size(needed / iterations)} per iteration); the limit is "
            f"{_size(limit)} ({source})",
            hint=f"use fewer iterations, or raise the limit with --max-memory, {ENV}=… or max_memory=…"))


def _size(n: float) -> str:
    for unit, f in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= f:
            return f"{n / f:.3g} {unit}"
    return f"{n:.0f} bytes"


def envelope(model, pats: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(groups,) smallest and largest total any draw can produce, from every input's support."""
    sup = np.array([i.row_support for i in model.inputs], dtype=float).reshape(-1, 2)  # grid losses transformed
    with np.errstate(divide="ignore", invalid="ignore"):
        la, lb = np.log(sup[:, 0]), np.log(sup[:, 1])
        ea, eb = pats * la[None, :], pats * lb[None, :]       # (patterns, inputs); 0 · log 0 → nan
    ea, eb = np.where(pats == 0, 0.0, ea), np.where(pats == 0, 0.0, eb)
    lo_f, hi_f = np.exp(np.minimum(ea, eb).sum(axis=1)), np.exp(np.maximum(ea, eb).sum(axis=1))
    pos, neg = np.maximum(w, 0.0), np.maximum(-w, 0.0)
    with np.errstate(invalid="ignore"):
        lower = np.where(pos > 0, pos * lo_f[:, None], 0.0).sum(0) - np.where(neg > 0, neg * hi_f[:, None], 0.0).sum(0)
        upper = np.where(pos > 0, pos * hi_f[:, None], 0.0).sum(0) - np.where(neg > 0, neg * lo_f[:, None], 0.0).sum(0)
    return lower, upper


def check_draws(model, groups: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
    """Every total finite and inside the envelope (relative slack 1e-9 for rounding)."""
    slack = 1e-9 * np.maximum(np.abs(lower), np.abs(upper)) + 1e-300
    with np.errstate(invalid="ignore"):
        bad = ~((groups >= lower - slack) & (groups <= upper + slack) & np.isfinite(groups))
    if not bad.any():
        return
    it, g = np.argwhere(bad)[0]
    n_g = len(model.stages)
    raise InternalError(
        f"Monte Carlo draw {int(it) + 1}: the {model.stages[g % n_g]} total of scenario "
        f"'{model.scenarios[g // n_g]}' is {groups[it, g]:g} {model.unit}, outside the range its inputs allow "
        f"({lower[g]:g} to {upper[g]:g}); no statistics were produced (this is a bug in lca, please report it)")
