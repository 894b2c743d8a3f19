"""Probability distributions of *multipliers*: a drawn value divided by the deterministic value.

Every uncertain input of the model (an emission factor, an activity amount, a yield, a distance)
is represented by a :class:`Distribution` of its multiplier ``m = x / x0``, where ``x0`` is the
value the deterministic footprint uses. So ``m = 1`` reproduces the deterministic result, and the
Monte Carlo never needs the input's unit: units are checked once, when the distribution is built.

Conventions (documented in ``docs/uncertainty.md``):

* ``lognormal``: the median is the deterministic value; ``m = exp(ln(gsd) · z)``.
* ``normal``: the mean is the deterministic value; ``m = 1 + rel_sd · z``.
* Both may be **truncated** to ``[tlo, thi]`` (multipliers): a normal always is, at ``tlo = 0``
  at least (a negative emission factor or amount is not physical). Truncated draws come from the
  inverse CDF of a uniform draw, so they never leave the range; :func:`confine` chooses the
  range from the quantity's physical bounds (a yield lies in (0, 1]) and refuses a distribution
  that would need a material cut to fit.
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

from dataclasses import dataclass, replace

import math
from typing import Callable

import numpy as np

#: z-score of the 97.5th percentile of the standard normal distribution.
Z975 = 1.959963984540054

KINDS = ("lognormal", "normal", "triangular", "uniform", "none")
#: Largest share of an unbounded distribution that may be cut off silently at a physical bound;
#: a wider cut needs explicit ``min``/``max`` (truncation points), or another distribution.
TAIL = 1e-6
#: Smallest multiplier at an *open* physical bound (a yield or conversion > 0): draws never reach
#: 0, where a divisor would make the footprint infinite.
FLOOR = 1e-9
#: A standard-normal draw beyond this many SD has probability < 1e-32: the envelope of draws.
Z_MAX = 12.0
#: Largest multiplier a bound or 97.5th percentile may reach: a range 1000 × the study value is a
#: unit slip (g for kg), not a measurement uncertainty.
MAX_RATIO = 1000.0

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
    tlo: float = 0.0      # lognormal / normal: truncation (relative); draws stay in [tlo, thi]
    thi: float = math.inf
    #: what the deterministic value is of this distribution, when the study declared it (``centre``):
    #: ``mode`` or ``median`` (a triangular's mode is then solved for, :func:`mode_for_median`)
    centre: str = ""

    @property
    def z_range(self) -> tuple[float, float]:
        """Truncation points of a normal or lognormal in standard-normal space (±inf: none)."""
        if self.kind == "normal" and self.rel_sd > 0:
            return (self.tlo - 1.0) / self.rel_sd, (self.thi - 1.0) / self.rel_sd
        if self.kind == "lognormal" and self.gsd > 1:
            s = math.log(self.gsd)
            return (math.log(self.tlo) / s if self.tlo > 0 else -math.inf,
                    math.log(self.thi) / s if self.thi < math.inf else math.inf)
        return -math.inf, math.inf

    @property
    def truncated(self) -> bool:
        za, zb = self.z_range
        return za > -math.inf or zb < math.inf

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
    def support(self) -> tuple[float, float]:
        """Smallest and largest multiplier a draw can take: the bounds of a triangular or uniform,
        the truncation points of a normal or lognormal (±:data:`Z_MAX` SD where there is none)."""
        if self.is_constant:
            return 1.0, 1.0
        if self.kind in ("triangular", "uniform"):
            return self.low, self.high
        za, zb = self.z_range
        return (self.tlo if za > -math.inf else float(self._from_z(np.array(-Z_MAX))),
                self.thi if zb < math.inf else float(self._from_z(np.array(Z_MAX))))

    @property
    def uses_normal(self) -> bool:
        """Untruncated lognormal and normal draws are transformed standard normals; the others
        (truncated ones included: inverse CDF) transformed uniforms."""
        return self.kind in ("lognormal", "normal") and not self.truncated

    def transform(self, z: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Multipliers from standard-normal draws ``z`` and uniform draws ``u`` (same shape)."""
        if self.is_constant:
            return np.ones_like(z)
        if self.uses_normal:
            return self._from_z(z)
        return self.ppf(u)

    def _from_z(self, z: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            m = np.exp(np.log(self.gsd) * z) if self.kind == "lognormal" else 1.0 + self.rel_sd * z
        return np.clip(m, self.tlo, self.thi)

    def ppf(self, q: float | np.ndarray) -> np.ndarray:
        """Quantile function (inverse CDF) of the multiplier; closed forms, no scipy needed."""
        q = np.asarray(q, dtype=float)
        if self.is_constant:
            return np.ones_like(q)
        if self.kind in ("lognormal", "normal"):
            za, zb = self.z_range
            if za > 0:  # both ends in the upper tail: survival probabilities keep the precision
                sa, sb = _norm_cdf(-za), _norm_cdf(-zb)
                z = -_norm_ppf(sa - q * (sa - sb))
            else:
                fa, fb = _norm_cdf(za), _norm_cdf(zb)
                z = _norm_ppf(fa + q * (fb - fa))
            return self._from_z(z)
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
        cut = ""
        if self.kind in ("lognormal", "normal") and (self.tlo > 0 or self.thi < math.inf):
            cut = f", truncated to {self.tlo:.3g}-{self.thi:.3g} × value"
        if self.kind == "lognormal":
            return f"lognormal, GSD {self.gsd:.3g}{cut}"
        if self.kind == "normal":
            return f"normal, SD {self.rel_sd:.1%} of value{cut}"
        if self.kind == "uniform":
            return f"uniform, {self.low:.3g}-{self.high:.3g} × value"
        centre = ", median = value" if self.centre == "median" else ""
        return f"triangular, {self.low:.3g}-{self.high:.3g} × value (mode {self.mode:.3g}{centre})"


#: a triangle's median lies at least this share of its range away from either end (1 − 1/√2)
MEDIAN_MARGIN = 1.0 - 1.0 / math.sqrt(2.0)


def mode_for_median(low: float, high: float, median: float = 1.0) -> float | None:
    """The mode of the triangular distribution on ``[low, high]`` whose median is ``median``, or None
    when no triangle on that range has it (a median within :data:`MEDIAN_MARGIN` of the range of an end).

    The CDF at the median is 1/2: for a median at or above the middle the mode is on its left half
    (``median = low + sqrt((high − low)(mode − low)/2)``), below the middle on the right half
    (``median = high − sqrt((high − low)(high − mode)/2)``).

    >>> round(mode_for_median(0.6, 1.75), 6)  # 0.084-0.245 kWh around 0.14 kWh
    0.771739
    >>> d = Distribution("triangular", low=0.6, mode=mode_for_median(0.6, 1.75), high=1.75)
    >>> round(float(d.ppf(0.5)), 12)
    1.0
    >>> mode_for_median(0.9, 2.0) is None  # the value is too close to the low end
    True
    """
    width = high - low
    if not (math.isfinite(low) and math.isfinite(high)) or width <= 0:
        return median if low == high == median else None
    with np.errstate(over="ignore"):  # products, not powers: a huge bound gives inf, not OverflowError
        if median >= low + width / 2:
            mode = low + 2 * (median - low) * (median - low) / width
        else:
            mode = high - 2 * (high - median) * (high - median) / width
    return mode if math.isfinite(mode) and low - 1e-12 <= mode <= high + 1e-12 else None


@dataclass(frozen=True)
class Range:
    """Physical range of a multiplier: ``[lo, hi]``, ``lo`` excluded when ``lo_open`` (a yield or a
    divisor must stay > 0), ``hi`` when ``hi_open`` (a loss fraction stays < 1); ``what`` says why,
    in messages."""

    lo: float = 0.0
    hi: float = math.inf
    lo_open: bool = False
    what: str = "it cannot be negative"
    hi_open: bool = False


class OutOfRange(ValueError):
    """A distribution does not fit its quantity's physical range (``key``: the entry key to fix)."""

    def __init__(self, key: str, message: str, hint: str | None = None):
        super().__init__(message)
        self.key, self.message, self.hint = key, message, hint


def _cdf(d: Distribution, m: float) -> float:
    """CDF of the *untruncated* normal/lognormal multiplier at ``m``."""
    if d.kind == "normal":
        return _norm_cdf((m - 1.0) / d.rel_sd)
    return 0.0 if m <= 0 else _norm_cdf(math.log(m) / math.log(d.gsd)) if m < math.inf else 1.0


def confine(d: Distribution, r: Range, fmt: Callable[[float], str], *, tmin: float | None = None,
            tmax: float | None = None) -> Distribution:
    """``d`` with its draws confined to the physical range ``r``, or :class:`OutOfRange`.

    * triangular / uniform: ``[low, high]`` must lie inside ``r``;
    * normal / lognormal: truncated at ``tmin``/``tmax`` when given (explicit truncation, inside
      ``r``), else at the ends of ``r`` — refused when that silently cuts more than :data:`TAIL`
      of the distribution (a normal with SD 60 % on a yield of 0.7 would lose 28 % of its draws);
    * nothing may reach :data:`MAX_RATIO` × the study value (a unit slip). ``fmt`` writes a
      multiplier as the quantity it stands for, for the messages.

    >>> yld = Range(0.0, 1 / 0.7, True, "a yield lies in (0, 1]")
    >>> confine(Distribution("normal", rel_sd=0.6), yld, lambda m: f"{0.7 * m:g}")
    Traceback (most recent call last):
    lca.uncertainty.distributions.OutOfRange: a normal with SD 60.0% of the value puts 4.8 % of its draws below 0 (a yield lies in (0, 1])
    >>> confine(Distribution("normal", rel_sd=0.6), yld, str, tmin=0.5, tmax=1.2).describe()
    'normal, SD 60.0% of value, truncated to 0.5-1.2 × value'
    """
    fix_rng = "use triangular or uniform, or give min and max to truncate it"
    if d.kind in ("triangular", "uniform"):
        if d.low < r.lo or (r.lo_open and d.low <= r.lo):
            raise OutOfRange("min", f"min {fmt(d.low)} is outside the physical range ({r.what})",
                             f"raise min above {fmt(r.lo)}" if r.lo_open else f"use min >= {fmt(r.lo)}")
        if d.high > r.hi or (r.hi_open and d.high >= r.hi):
            raise OutOfRange("max", f"max {fmt(d.high)} is outside the physical range ({r.what})",
                             f"use max < {fmt(r.hi)}" if r.hi_open else f"use max <= {fmt(r.hi)}")
        if d.high > MAX_RATIO:
            raise OutOfRange("max", f"max {fmt(d.high)} is {d.high:.3g} × the study value",
                             "check the unit: a range that wide is not a measurement uncertainty")
        return d
    if d.kind not in ("normal", "lognormal") or d.is_constant:
        return d
    lo = max(r.lo, FLOOR) if r.lo_open else r.lo
    hi = r.hi * (1.0 - FLOOR) if r.hi_open else r.hi  # an open upper end is never reached either
    for key, t in (("min", tmin), ("max", tmax)):
        if t is not None and (t < r.lo or (r.lo_open and t <= r.lo) or t > r.hi or (r.hi_open and t >= r.hi)):
            raise OutOfRange(key, f"{key} {fmt(t)} is outside the physical range ({r.what})")
    tlo, thi = (lo if tmin is None else tmin), (hi if tmax is None else tmax)
    if not tlo <= 1.0 <= thi:
        raise OutOfRange("min" if tlo > 1.0 else "max",
                         f"the study value must lie between min ({fmt(tlo)}) and max ({fmt(thi)})")
    base = replace(d, tlo=-math.inf if d.kind == "normal" else 0.0, thi=math.inf)
    below, above = _cdf(base, tlo), 1.0 - _cdf(base, thi)
    spread = f"SD {d.rel_sd:.1%} of the value" if d.kind == "normal" else f"GSD {d.gsd:.3g}"
    for key, share, side, at in (("min", below, "below", r.lo if tmin is None else tlo),
                                 ("max", above, "above", thi)):
        if (tmin if key == "min" else tmax) is None and share > TAIL:
            raise OutOfRange("sd" if d.kind == "normal" else "gsd",
                             f"a {d.kind} with {spread} puts {share * 100:.2g} % of its draws {side} {fmt(at)} "
                             f"({r.what})", fix_rng)
    if 1.0 - below - above < 0.01:
        raise OutOfRange("min", f"truncating the {d.kind} to {fmt(tlo)}-{fmt(thi)} keeps less than 1 % of it",
                         "widen min/max or change the spread")
    out = replace(d, tlo=tlo, thi=thi)
    if float(out.ppf(0.975)) > MAX_RATIO:
        raise OutOfRange("sd" if d.kind == "normal" else "gsd",
                         f"its 97.5th percentile is {float(out.ppf(0.975)):.3g} × the study value",
                         "check the unit and the spread: a range that wide is not a measurement uncertainty")
    return out


def check_divisor(d: Distribution, fmt: Callable[[float], str]) -> None:
    """The :data:`MAX_RATIO` rule for an input the footprint depends on *inversely* (a yield, a
    conversion it divides by): a draw at 1/1000 of the study value multiplies the rows it divides
    by 1000, the same unit slip as a bound 1000 × the study value. :class:`OutOfRange` when the
    lower bound of a triangular or uniform, or the 2.5th percentile of a normal or lognormal, lies
    below study value / :data:`MAX_RATIO` (the mirror of :func:`confine`'s upper rule).

    >>> check_divisor(Distribution("uniform", low=1e-12, high=1.4), str)
    Traceback (most recent call last):
    lca.uncertainty.distributions.OutOfRange: min 1e-12 is 1e-12 × the study value; the footprint depends on this input inversely (like a yield), so such a draw would multiply what it divides by 1e+12
    """
    if d.is_constant or d.kind not in ("triangular", "uniform", "normal", "lognormal"):
        return
    low = d.low if d.kind in ("triangular", "uniform") else float(d.ppf(0.025))
    if low >= 1.0 / MAX_RATIO:
        return
    what = f"min {fmt(d.low)}" if d.kind in ("triangular", "uniform") else f"its 2.5th percentile {fmt(low)}"
    raise OutOfRange("min" if d.kind in ("triangular", "uniform") else "sd" if d.kind == "normal" else "gsd",
                     f"{what} is {low:.3g} × the study value; the footprint depends on this input inversely (like "
                     f"a yield), so such a draw would multiply what it divides by {1 / low:.3g}",
                     f"check the unit: a range that wide is not a measurement uncertainty; keep it above "
                     f"{fmt(1.0 / MAX_RATIO)} (1/{MAX_RATIO:g} of the study value)")


def _norm_ppf(q: np.ndarray) -> np.ndarray:
    """Standard-normal quantiles (Acklam's rational approximation, relative error < 1.2e-9);
    -inf at 0 and +inf at 1."""
    q = np.asarray(q, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = _acklam(q)
    return np.where(q <= 0, -np.inf, np.where(q >= 1, np.inf, z))


def _norm_cdf(x: float) -> float:
    """Standard-normal CDF of one number (scalars only: truncation points, never per draw)."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


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
