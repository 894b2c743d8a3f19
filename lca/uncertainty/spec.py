"""The study's ``[[uncertainty]]`` entries: parsing and unit checks.

Each entry gives one uncertain input (one shared draw) for one or more targets
(see :mod:`lca.uncertainty.targets`)::

    [[uncertainty]]
    target = "process.<process>.electricity"   # or a list: one draw scales all of them
    dist = "triangular"                        # lognormal | normal | triangular | uniform | none
    min = "0.084 kWh"                          # same dimension as the target (converted by pint)
    max = "0.245 kWh"
    # mode = "0.14 kWh"                        # triangular only; default: the study value
    note = "research range 0.12-0.35 kWh/m² finished × 0.70 yield"

``lognormal`` takes ``gsd`` (a number >= 1; the median is the study value), ``normal`` takes ``sd``
(a quantity). Bounds may also be relative to the study value: ``"-10 %"`` / ``"+10 %"`` are
deviations, ``"90 %"`` is a share of it. Dimensionless targets (yields) accept plain numbers.

Every distribution must keep its draws physical (a yield in (0, 1], amounts and distances >= 0;
:data:`lca.uncertainty.targets.PHYSICAL`): ``min``/``max`` of a triangular or uniform must lie
inside that range; a normal or lognormal is truncated to it, at ``min``/``max`` when given, and
refused when it would otherwise lose more than 1 in a million draws to the cut
(:func:`lca.uncertainty.distributions.confine`).

>>> from lca.resources import default_study_path
>>> from lca.study import load_study
>>> s = load_study(default_study_path())
>>> [p] = parse_spec(s, [{"target": "transport.distance", "dist": "uniform", "min": "-10 %", "max": "+10 %"}])
>>> p.dist.low, p.dist.high
(0.9, 1.1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from lca.errors import LcaInputError, Problem, StudyError
from lca.study import Study, parse_quantity
from lca.study.targets import example_target
from lca.units import conversion_factor
from lca.choices import UNCERTAINTY_CENTRES, spoken
from lca.uncertainty.distributions import (KINDS, MAX_RATIO, MEDIAN_MARGIN, Distribution, OutOfRange, Range, confine,
                                          mode_for_median)
from lca.uncertainty.losses import check_loss_spread
from lca.uncertainty.targets import Target, physical_range, resolve_target

KEYS = {"target", "dist", "min", "max", "mode", "gsd", "sd", "note", "source", "centre"}


@dataclass(frozen=True)
class InputSpec:
    """One uncertain input from the study: its targets and the distribution of their multiplier."""

    name: str
    targets: tuple[Target, ...]
    dist: Distribution
    unit: str | None
    current: float | None
    note: str = ""


def parse_spec(study: Study, entries: Sequence[Mapping[str, Any]] | None = None, *,
               factor_values: Mapping[str, tuple[float, str]] | None = None,
               loss_values: Mapping[str, float] | None = None) -> list[InputSpec]:
    """Parse ``[[uncertainty]]`` entries (default: ``study.uncertainty_spec``); every problem at once.

    ``factor_values`` maps factor id → (value, unit) for ``factor.<id>`` targets, ``loss_values``
    grid-loss factor id → loss fraction (a ``factor.<id>`` target of kind ``loss``: its draws stay
    in [0, 1), see :mod:`lca.uncertainty.losses`).
    """
    # entries given as an argument are not in the study file: say where they came from
    file = str(study.path or "study") if entries is None else "uncertainty= argument"
    entries = study.uncertainty_spec if entries is None else entries
    out: list[InputSpec] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, e in enumerate(entries, 1):
        where = f"uncertainty #{i}"
        try:
            out.append(_entry(study, e, file, where, factor_values or {}, loss_values or {}))
        except LcaInputError as exc:
            problems += exc.problems
            continue
        for t in out[-1].targets:
            if t.name in seen:
                problems.append(Problem(f"target '{t.name}' already has an uncertainty (entry #{seen[t.name]})",
                                        file=file, table=where, column="target", hint="keep one entry per target"))
            seen[t.name] = i
    if problems:
        raise StudyError(problems)
    return out


def _entry(study: Study, e: Mapping[str, Any], file: str, where: str,
           factor_values: Mapping[str, tuple[float, str]], loss_values: Mapping[str, float]) -> InputSpec:
    if not isinstance(e, Mapping):
        raise StudyError(Problem("an [[uncertainty]] entry must be a table", file=file, table=where))
    problems = [Problem(f"unknown key '{k}'", file=file, table=where, column=k,
                        hint="allowed keys: " + ", ".join(sorted(KEYS))) for k in e if k not in KEYS]
    raw = e.get("target")
    names = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list) else []
    if not names or not all(isinstance(n, str) for n in names):
        problems.append(Problem("missing target", file=file, table=where, column="target",
                                hint=f'write target = "{example_target(study)}"'))
    for key in ("note", "source"):  # free text: a list or table here is a mistake, not a note
        if key in e and not isinstance(e[key], str):
            problems.append(Problem(f"{key} must be text, got {type(e[key]).__name__}", file=file, table=where,
                                    column=key, hint=f'write {key} = "..."'))
    kind = e.get("dist")
    if not isinstance(kind, str) or kind not in KINDS:
        problems.append(Problem(f"unknown distribution {kind!r}", file=file, table=where, column="dist",
                                hint="use one of: " + ", ".join(KINDS)))
    centre = e.get("centre")
    if centre is not None:
        problems += _centre_problems(centre, kind, e, file, where)
    if problems:
        raise StudyError(problems)
    targets = []
    for n in names:
        try:
            t = resolve_target(study, n, file=file, where=where)
        except StudyError as exc:
            problems += exc.problems
            continue
        if t.kind == "grid":
            problems.append(Problem(f"'{n}' is for break-even analysis only", file=file, table=where,
                                    column="target", hint="give the factor's uncertainty: factor.<id>"))
        if t.kind == "factor":
            from lca.study import Quantity

            if t.key[0] in factor_values:
                t = Target(t.name, "factor", Quantity(*factor_values[t.key[0]]), t.key)
            elif t.key[0] in loss_values:  # a loss fraction, in [0, 1) whatever unit its row used
                t = Target(t.name, "loss", Quantity(float(loss_values[t.key[0]]), "dimensionless"), t.key)
            else:
                problems.append(Problem(f"factor '{t.key[0]}' is not used by this study", file=file, table=where,
                                        column="target"))
                continue
        targets.append(t)
    if len(targets) > 1 and any(t.kind == "loss" for t in targets):
        problems.append(Problem("a grid-loss factor enters the footprint as 1 / (1 − loss), not in proportion, so "
                                "it cannot share a draw with other targets", file=file, table=where,
                                column="target", hint="give each grid-loss factor its own [[uncertainty]] entry"))
    if problems:
        raise StudyError(problems)
    first = targets[0]
    unit = first.current.unit if first.current is not None else None
    x0 = first.current.value if first.current is not None else None

    def rel(key: str) -> float | None:
        if key not in e:
            return None
        return _relative(e[key], key, x0, unit, file, where, spread=(key == "sd"))

    if kind == "lognormal":
        gsd = e.get("gsd")
        if not isinstance(gsd, (int, float)) or isinstance(gsd, bool) or gsd < 1:
            raise StudyError(Problem(f"gsd must be a number >= 1, got {gsd!r}", file=file, table=where,
                                     column="gsd", hint="gsd = 1.2 means ×/÷ 1.2 is one standard deviation"))
        dist = Distribution("lognormal", gsd=float(gsd))
    elif kind == "normal":
        sd = rel("sd")
        if sd is None or sd < 0:
            raise StudyError(Problem("normal needs sd >= 0", file=file, table=where, column="sd",
                                     hint='write sd = "0.02 kWh" or sd = "10 %"'))
        dist = Distribution("normal", rel_sd=sd)
    elif kind in ("triangular", "uniform"):
        lo, hi, mode = rel("min"), rel("max"), rel("mode")
        if lo is None or hi is None:
            raise StudyError(Problem(f"{kind} needs min and max", file=file, table=where,
                                     column="min" if lo is None else "max"))
        if centre == "median" and kind == "triangular" and hi <= MAX_RATIO:  # a larger max: a unit slip, below
            mode = mode_for_median(lo, hi) if lo <= 1.0 <= hi else None
            if mode is None:
                raise StudyError(Problem(
                    f"no triangle on min-max has the study value ({value_text(x0, unit)(1.0)}) as its median: a "
                    f"triangle's median lies between min + {100 * MEDIAN_MARGIN:.1f} % and max − {100 * MEDIAN_MARGIN:.1f} % of "
                    "the range", file=file, table=where, column="centre",
                    hint='use centre = "mode", a lognormal (median = the study value), or a range the value sits '
                         'further inside'))
        if centre == "median" and kind == "uniform" and abs(lo + hi - 2.0) > 1e-9:
            raise StudyError(Problem(
                f"a uniform's median is the middle of its range ({value_text(x0, unit)((lo + hi) / 2)}), not the "
                f"study value ({value_text(x0, unit)(1.0)})", file=file, table=where, column="centre",
                hint="make min and max symmetric around the study value (e.g. -10 % and +10 %), or use a triangular"))
        mode = 1.0 if mode is None else mode
        if not lo <= hi or (kind == "triangular" and not lo <= mode <= hi):
            raise StudyError(Problem(
                f"need min <= {'mode (default: the study value) <= ' if kind == 'triangular' else ''}max",
                file=file, table=where, column="min",
                hint=f"the study value is {x0:g} {unit}" if x0 is not None else None))
        dist = Distribution(kind, low=lo, mode=mode, high=hi, centre=centre or ("mode" if kind == "triangular" else ""))
    else:
        dist = Distribution("none")
    dist = _confined(study, targets, dist, x0, unit, file, where,
                     rel("min") if kind in ("normal", "lognormal") else None,
                     rel("max") if kind in ("normal", "lognormal") else None)
    if first.kind == "loss" and x0 is not None:
        try:
            check_loss_spread(dist, x0, value_text(x0, unit))
        except OutOfRange as exc:
            raise StudyError(Problem(f"{first.name}: {exc.message}", file=file, table=where, column=exc.key,
                                     hint=exc.hint)) from None
    return InputSpec(name=" + ".join(names), targets=tuple(targets), dist=dist, unit=unit, current=x0,
                     note=str(e.get("note", "")))


#: which centres each distribution can put on the study value (its parameterisation)
CENTRES = {"triangular": ("mode", "median"), "normal": ("mode", "median"), "lognormal": ("median",),
           "uniform": ("median",)}


def _centre_problems(centre: Any, kind: Any, e: Mapping[str, Any], file: str, where: str) -> list[Problem]:
    """``centre`` must be a known word, one the distribution can honour, and not contradict ``mode``."""
    if centre not in UNCERTAINTY_CENTRES:
        return [Problem(f"unknown centre {centre!r:.40}", file=file, table=where, column="centre",
                        hint=f"use {spoken(UNCERTAINTY_CENTRES)}")]
    allowed = CENTRES.get(kind, ()) if isinstance(kind, str) else ()
    if kind in KINDS and centre not in allowed:
        why = {"lognormal": "a lognormal is given by its median (the study value) and gsd",
               "uniform": "a uniform has no mode", "none": "there is no distribution"}.get(kind, "")
        return [Problem(f"centre = \"{centre}\" does not fit a {kind}: {why}", file=file, table=where,
                        column="centre", hint=f"use {spoken(allowed)}" if allowed else "remove centre")]
    if centre == "median" and "mode" in e:
        return [Problem("mode and centre = \"median\" are both given: the median centre sets the mode", file=file,
                        table=where, column="mode", hint='remove mode, or use centre = "mode"')]
    return []


def _confined(study: Study, targets: list[Target], dist: Distribution, x0: float | None, unit: str | None,
              file: str, where: str, tmin: float | None, tmax: float | None) -> Distribution:
    """Keep every draw inside the physical range of every target (one draw scales them all)."""
    ranges = [physical_range(study, t) for t in targets]
    worst_lo = max(ranges, key=lambda r: (r.lo, r.lo_open))
    rng = Range(worst_lo.lo, min(r.hi for r in ranges), any(r.lo_open for r in ranges),
                min(ranges, key=lambda r: r.hi).what if min(r.hi for r in ranges) < math.inf else worst_lo.what,
                any(r.hi_open and r.hi == min(q.hi for q in ranges) for r in ranges))
    try:
        return confine(dist, rng, value_text(x0, unit), tmin=tmin, tmax=tmax)
    except OutOfRange as exc:
        raise StudyError(Problem(f"{targets[0].name}: {exc.message}", file=file, table=where, column=exc.key,
                                 hint=exc.hint)) from None


def value_text(x0: float | None, unit: str | None) -> Callable[[float], str]:
    """Writes a multiplier as the value it stands for (``0.35 kWh``), for messages."""
    def fmt(m: float) -> str:
        if x0 is None:
            return f"{m:.4g} × the study value"
        return f"{m * x0:.4g}" if unit in (None, "", "dimensionless") else f"{m * x0:.4g} {unit}"

    return fmt


def _relative(value: Any, key: str, x0: float | None, unit: str | None, file: str, where: str,
              spread: bool = False) -> float:
    """A bound as a multiple of the study value (an ``sd`` as a fraction of it)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        text = value.strip()[:-1].strip()
        try:
            pct = float(text)
        except ValueError:
            raise StudyError(Problem(f"'{value}' is not a percentage", file=file, table=where, column=key)) from None
        if spread or text[0] not in "+-":
            return pct / 100.0
        return 1.0 + pct / 100.0
    if x0 is None or unit is None:
        raise StudyError(Problem(f"the target has several values in the study, so '{key}' must be relative",
                                 file=file, table=where, column=key, hint='write e.g. "-10 %" and "+10 %"'))
    if x0 == 0:
        raise StudyError(Problem("the study value is 0: a relative uncertainty is undefined", file=file,
                                 table=where, column=key))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            conversion_factor(unit, "dimensionless")
        except LcaInputError:
            raise StudyError(Problem(f"{value} has no unit", file=file, table=where, column=key,
                                     hint=f'write it with its unit, e.g. "{value} {unit}", or as a percentage')) from None
        return float(value) / x0
    q = parse_quantity(value, file=file, where=where, key=key)
    try:
        factor = conversion_factor(q.unit, unit)
    except LcaInputError:
        raise StudyError(Problem(f"'{value}' cannot be converted to the target's unit '{unit}'", file=file,
                                 table=where, column=key, hint=f"give it in {unit} or as a percentage")) from None
    return q.value * factor / x0
