"""Declared exclusions with their screening estimates, and the study's cut-off rule.

An exclusion is a flow the study leaves out of its boundary. ISO 14067 and the PACT methodology
allow that only when its contribution is shown to be small, so each ``[[exclusion]]`` carries a
screening estimate per declared unit: either ``estimate = "0.4 g_CO2e"`` directly, or an
``amount`` (per declared unit) × a ``factor`` (kg CO2e per unit of that amount), each from a cited
source or a deliberately conservative assumption (``basis``). The engine divides each estimate by
the scenario's footprint (:mod:`lca.results.screening`); ``[cutoff] each`` / ``total`` (fractions,
default 0.01 and 0.03 as PACT) are the limits ``lca check`` holds the study to.
"""

from __future__ import annotations

import re

from typing import Any, Mapping

import polars as pl

from lca.errors import Problem
from lca.schemas.base import ID
from lca.study.parse import _check_keys
from lca.study.shape import is_finite_number
from lca.units import unit_info
from lca.units.convert import factor_unit_info

#: PACT methodology: each exempted flow below 1 %, all of them together below 3 % of the PCF
DEFAULT_CUTOFF = (0.01, 0.03)
EXCLUSION_KEYS = {"id", "description", "estimate", "amount", "factor", "source", "basis", "note"}
EXCLUSION_SCHEMA = {"exclusion": pl.String, "description": pl.String, "value": pl.Float64, "source": pl.String,
                    "basis": pl.String, "origin": pl.String, "key": pl.String}
_CO2E = "[mass_co2e]"


def _quantity(text: Any, file: str, where: str, key: str) -> tuple[float, str] | Problem:
    if not isinstance(text, str) or " " not in text.strip():
        return Problem(f"{key} must be a number and its unit, e.g. \"0.5 g\", got {text!r:.40}", file=file,
                       table=where, column=key)
    num, unit = text.strip().split(" ", 1)
    try:
        value = float(num)
    except ValueError:
        return Problem(f"{key} {text!r:.40} does not start with a number", file=file, table=where, column=key)
    if not value >= 0 or value == float("inf"):
        return Problem(f"{key} must be finite and not negative, got {text!r:.40}", file=file, table=where, column=key)
    return value, unit.strip()


def _estimate(e: Mapping[str, Any], file: str, where: str) -> float | Problem:
    """kg CO2e per declared unit of one exclusion."""
    if "estimate" in e:
        if "amount" in e or "factor" in e:
            return Problem("give either estimate, or amount and factor, not both", file=file, table=where,
                           column="estimate")
        q = _quantity(e["estimate"], file, where, "estimate")
        if isinstance(q, Problem):
            return q
        info = unit_info(q[1])
        if info.error or info.dimension != _CO2E:
            return Problem(f"estimate unit '{q[1]}' is not a CO2e mass", file=file, table=where, column="estimate",
                           hint='write e.g. estimate = "0.4 g_CO2e" (per declared unit)')
        return q[0] * info.to_base  # type: ignore[operator]
    if "amount" not in e or "factor" not in e:
        return Problem("an exclusion needs a screening estimate: estimate, or amount and factor", file=file,
                       table=where, column="estimate",
                       hint='e.g. amount = "0.2 g", factor = "3 kg_CO2e/kg" (conservative), source = "..."')
    a = _quantity(e["amount"], file, where, "amount")
    f = _quantity(e["factor"], file, where, "factor")
    for q in (a, f):
        if isinstance(q, Problem):
            return q
    ai, fi = unit_info(a[1]), factor_unit_info(f[1], "co2e")  # type: ignore[index]
    if ai.error:
        return Problem(ai.error, file=file, table=where, column="amount")
    if fi.error:
        return Problem(fi.error, file=file, table=where, column="factor")
    if ai.dimension != fi.dimension:
        return Problem(f"factor '{f[1]}' is not per the unit of amount '{a[1]}'", file=file,  # type: ignore[index]
                       table=where, column="factor", hint="the factor must be kg CO2e per unit of the amount")
    return a[0] * ai.to_base * f[0] * fi.to_base  # type: ignore[index,operator]


def parse_exclusions(entries: Any, cutoff: Any, file: str) -> tuple[pl.DataFrame, tuple[float, float], list[Problem]]:
    """``[[exclusion]]`` → frame (value in kg CO2e per declared unit), ``[cutoff]`` → (each, total)."""
    problems: list[Problem] = []
    rows = []
    seen: set[str] = set()
    for i, e in enumerate(entries or [], 1):
        where = f"exclusion '{e.get('id', f'#{i}')}'"
        problems += _check_keys(e, EXCLUSION_KEYS, file=file, where=where)
        eid = e.get("id")
        if isinstance(eid, str) and eid in seen:
            problems.append(Problem(f"duplicate exclusion id '{eid}': another [[exclusion]] already has it", file=file,
                                    table=where, column="id", hint="give each exclusion an id of its own"))
            continue
        if not isinstance(eid, str) or not re.fullmatch(ID, eid):
            problems.append(Problem("an exclusion needs a unique id of letters, digits and _ . : - (starting with a "
                                    "letter or digit)", file=file, table=where, column="id"))
            continue
        seen.add(eid)
        if not isinstance(e.get("description"), str) or not e["description"]:
            problems.append(Problem("an exclusion needs a description (what is left out)", file=file, table=where,
                                    column="description"))
            continue
        value = _estimate(e, file, where)
        if isinstance(value, Problem):
            problems.append(value)
            continue
        rows.append({"exclusion": eid, "description": e["description"], "value": value,
                     "source": e.get("source"), "basis": e.get("basis", "screening estimate"), "origin": where,
                     "key": "estimate" if "estimate" in e else "amount"})
    each, total = DEFAULT_CUTOFF
    c = cutoff or {}
    problems += _check_keys(c, {"each", "total"}, file=file, where="cutoff")
    for key in ("each", "total"):
        v = c.get(key)
        if v is not None and not (is_finite_number(v) and 0 <= v <= 1):
            problems.append(Problem(f"cutoff {key} must be a fraction 0-1, got {v!r:.40}", file=file, table="cutoff",
                                    column=key, hint="e.g. each = 0.01 (1 %), total = 0.03 (3 %)"))
    if not problems:
        each, total = float(c.get("each", each)), float(c.get("total", total))
        if each > total:  # one exclusion could then exceed all of them together: a contradiction, not a limit
            problems.append(Problem(f"cutoff each ({each:g}) is larger than total ({total:g})", file=file,
                                    table="cutoff", column="each" if "each" in c else "total",
                                    hint="each is the limit for one exclusion, total for all together: each <= total"))
    frame = pl.DataFrame(rows, schema=EXCLUSION_SCHEMA, orient="row") if rows else pl.DataFrame(schema=EXCLUSION_SCHEMA)
    return frame, (each, total), problems
