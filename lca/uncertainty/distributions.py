"""Probability distributions of *multipliers*: a drawn value divided by the deterministic value.

Every uncertain input of the model (an emission factor, an activity amount, a yield, a distance)
is represented by a :class:`Distribution` of its multiplier ``m = x / x0``, where ``x0`` is the
value the deterministic footprint uses. So ``m = 1`` reproduces the deterministic result, and the
Monte Carlo never needs the input's unit: units are checked once, when the distribution is built.

Conventions (documented in ``docs/uncertainty.md``):

* ``lognormal``: the median is the deterministic value; ``m = exp(ln(gsd) · z)``.
* ``normal``: the mean is the deterministic value; ``m = 1 + rel_sd · z``, clipped at 0 (a
  negative emission factor or amount is not physical).
* ``triangular``: ``min ≤ mode ≤ max``; the mode is the deterministic value unless stated.
* ``uniform``: ``min ≤ max``; the deterministic value need not be the centre.
* ``none``: ``m = 1``.

>>> d = Distribution("triangular", low=0.5, mode=1.0, high=2.0)
>>> round(float(d.ppf(1 / 3)), 4)  # the mode sits at the 1/3 quantile here
1.0
>>> Distribution("lognormal", gsd=1.0).is_constant
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: z-score of the 97.5th percentile of the standard normal distribution.
Z975 = 1.959963984540054

KINDS = ("lognormal", "normal", "triangular", "uniform", "none")

#: Variance of ln(x) added per data-quality score 1..5 (pedigree approach; see docs/uncertainty.md).
PEDIGREE_VARIANCE: dict[str, tuple[float, ...]] = {
    "technological": (0.0, 0.0006, 0.008, 0.04, 0.12),
    "geographical": (0.0, 0.000025, 0.0001, 0.0006, 0.002),
    "temporal": (0.0, 0.0002, 0.002, 0.008, 0.04),
}

#: Basic uncertainty (variance of ln(x)) by factor category, before the data-quality additions.
BASIC_VARIANCE: dict[str, float] = {
    "electricity": 0.0006, "fuel": 0.0006, "heat": 0.0006, "material": 0.0006, "product": 0.0006,
    "process_emission": 0.04, "freight": 0.12, "grid_loss": 0.04,
}


@dataclass(frozen=True)
class Distribution:
    """Distribution of a multiplier (value / deterministic value)."""

    kind: str
    gsd: float = 1.0      # lognormal: geometric standard deviation (>= 1)
    rel_sd: float = 0.0   # normal: standard deviation / deterministic value
    low: float = 1.0      # triangular / uniform bounds, relative
    mode: float = 1.0
    high: float = 1.0

    @property
    def is_constant(self) -> bool:
        """True when every draw is exactly 1 (no uncertainty)."""
        if self.kind == "lognormal":
            return self.gsd == 1.0
        if self.kind == "normal":
            return self.rel_sd == 0.0
        if self.kind in ("triangular", "uniform"):
            return self.low == self.high == 1.0
        return True

    @property
    def uses_normal(self) -> bool:
        """Lognormal and normal draws are transformed standard normals; the others uniforms."""
        return self.kind in ("lognormal", "normal")

    def transform(self, z: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Multipliers from standard-normal draws ``z`` and uniform draws ``u`` (same shape)."""
        if self.is_constant:
            return np.ones_like(z)
        if self.kind == "lognormal":
            return np.exp(np.log(self.gsd) * z)
        if self.kind == "normal":
            return np.maximum(1.0 + self.rel_sd * z, 0.0)
        return self.ppf(u)

    def ppf(self, q: float | np.ndarray) -> np.ndarray:
        """Quantile function (inverse CDF) of the multiplier; closed forms, no scipy needed."""
        q = np.asarray(q, dtype=float)
        if self.is_constant:
            return np.ones_like(q)
        if self.kind in ("lognormal", "normal"):
            z = _norm_ppf(q)
            return np.exp(np.log(self.gsd) * z) if self.kind == "lognormal" else np.maximum(1 + self.rel_sd * z, 0)
        a, c, b = self.low, self.mode, self.high
        if self.kind == "uniform":
            return a + q * (b - a)
        fc = (c - a) / (b - a)
        left = a + np.sqrt(q * (b - a) * (c - a))
        right = b - np.sqrt((1 - q) * (b - a) * (b - c))
        return np.where(q < fc, left, right)

    def describe(self) -> str:
        """Short human text, relative to the deterministic value."""
        if self.is_constant:
            return "none"
        if self.kind == "lognormal":
            return f"lognormal, GSD {self.gsd:.3g}"
        if self.kind == "normal":
            return f"normal, SD {self.rel_sd:.1%} of value"
        if self.kind == "uniform":
            return f"uniform, {self.low:.3g}-{self.high:.3g} × value"
        return f"triangular, {self.low:.3g}-{self.high:.3g} × value (mode {self.mode:.3g})"


def _norm_ppf(q: np.ndarray) -> np.ndarray:
    """Standard-normal quantiles (Acklam's rational approximation, relative error < 1.2e-9)."""
    return _acklam(q)


def _acklam(p: np.ndarray) -> np.ndarray:
    # Acklam's rational approximation (relative error < 1.2e-9), enough for tornado bounds
    a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
         -3.066479806614716e+01, 2.506628277459239e+00]
    b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
         -1.328068155288572e+01]
    c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
         4.374664141464968e+00, 2.938163982698783e+00]
    d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    p = np.asarray(p, dtype=float)
    lo = np.minimum(p, 1 - p)
    qs = np.sqrt(-2 * np.log(np.where(lo < 0.02425, lo, 0.5)))
    tail = (((((c[0] * qs + c[1]) * qs + c[2]) * qs + c[3]) * qs + c[4]) * qs + c[5]) / \
        ((((d[0] * qs + d[1]) * qs + d[2]) * qs + d[3]) * qs + 1)
    tail = np.where(p < 0.5, tail, -tail)
    qc = p - 0.5
    r = qc * qc
    central = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * qc / \
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    return np.where(lo < 0.02425, tail, central)


def pedigree_gsd(category: str, technological: int, geographical: int, temporal: int) -> float:
    """Default geometric SD from data-quality ratings (1 = best … 5 = worst).

    ``ln(GSD)² = basic(category) + Σ pedigree(indicator, score)``.

    >>> round(pedigree_gsd("electricity", 1, 1, 1), 4)
    1.0248
    """
    var = BASIC_VARIANCE.get(category, 0.0006)
    for name, score in (("technological", technological), ("geographical", geographical),
                        ("temporal", temporal)):
        var += PEDIGREE_VARIANCE[name][int(min(max(score, 1), 5)) - 1]
    return float(np.exp(np.sqrt(var)))
