"""Where an activity amount comes from and how good it is: ``source``, ``dqr`` and ``uncertainty``.

Every exchange, transport leg (a route's or a scenario's own) and ``[parameters]`` entry may say

* ``source`` — text: the document, measurement or reasoning the amount comes from;
* ``dqr = { technological, geographical, temporal, completeness, reliability }`` — data-quality
  ratings of the amount, integers 1 (best) … 5 (worst), any subset (an absent rating is *not rated*
  and counts as 5 in the result's ratings, :mod:`lca.results.quality`);
* ``primary = true|false`` — the company's own measured data (read by :mod:`lca.study.parse`);
* ``uncertainty = { dist = …, min = …, max = …, note = … }`` — the amount's distribution, an
  ``[[uncertainty]]`` entry written where the amount is (exchanges and parameters; see
  :func:`inline_uncertainty`).

In a table file (exchanges, routes) the same fields are the columns ``source`` and
``dqr_technological`` … ``dqr_reliability`` (checked by the pandera models in
:mod:`lca.schemas.study`, every bad cell at its row and column).

>>> fields, problems = provenance_fields({"source": "note §1b", "dqr": {"temporal": 2}}, file="s.toml",
...                                     where="process 'p' exchange #1")
>>> fields["source"], fields["dqr_temporal"], fields["dqr_reliability"], problems
('note §1b', 2, None, [])
>>> _, problems = provenance_fields({"dqr": {"temporal": 7}}, file="s.toml", where="process 'p' exchange #1")
>>> print(problems[0])
s.toml: process 'p' exchange #1, column 'dqr.temporal': rating 7 must be an integer from 1 to 5 (fix: write 1 (best) … 5 (worst); see docs/study-format.md 'Activity data: source and quality')
"""

from __future__ import annotations

from typing import Any, Mapping

import polars as pl

from lca.errors import Problem

#: The five indicators of a data-quality rating (PACT / Catena-X order).
DQR_KEYS = ("technological", "geographical", "temporal", "completeness", "reliability")
DQR_COLUMNS = tuple(f"dqr_{k}" for k in DQR_KEYS)
#: Columns an exchange, a leg or a parameter carries for its provenance (``primary`` is older and
#: lives beside them).
PROVENANCE_SCHEMA: dict[str, pl.DataType] = {"source": pl.String, **{c: pl.Int64 for c in DQR_COLUMNS}}
PROVENANCE_COLUMNS = tuple(PROVENANCE_SCHEMA)
#: Keys an inline entry may carry for its provenance.
INLINE_KEYS = {"source", "dqr"}
RATING_HINT = "write 1 (best) … 5 (worst); see docs/study-format.md 'Activity data: source and quality'"


def provenance_fields(entry: Mapping[str, Any], *, file: str, where: str) -> tuple[dict[str, Any], list[Problem]]:
    """``source`` and ``dqr_*`` of an inline entry (absent = null) and the problems with them."""
    out: dict[str, Any] = dict.fromkeys(PROVENANCE_COLUMNS)
    problems: list[Problem] = []
    src = entry.get("source")
    if src is not None:
        if not isinstance(src, str) or not src.strip():
            problems.append(Problem(f"source must be a non-empty text, got {src!r:.60}", file=file, table=where,
                                    column="source", hint='write source = "supplier datasheet 2025, line 3"'))
        else:
            out["source"] = src.strip()
    dqr = entry.get("dqr")
    if dqr is None:
        return out, problems
    if not isinstance(dqr, Mapping):
        problems.append(Problem(f"dqr must be a table of ratings, got {dqr!r:.60}", file=file, table=where,
                                column="dqr", hint="write dqr = { technological = 2, geographical = 1, temporal = 2, "
                                                   "completeness = 3, reliability = 3 }"))
        return out, problems
    for key, value in dqr.items():
        if key not in DQR_KEYS:
            problems.append(Problem(f"unknown rating '{key}'", file=file, table=where, column=f"dqr.{key}",
                                    hint="ratings: " + ", ".join(DQR_KEYS)))
        elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            problems.append(Problem(f"rating {value!r:.40} must be an integer from 1 to 5", file=file, table=where,
                                    column=f"dqr.{key}", hint=RATING_HINT))
        else:
            out[f"dqr_{key}"] = value
    return out, problems


def with_provenance(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every provenance column (null where it has none), typed as :data:`PROVENANCE_SCHEMA`."""
    return frame.with_columns([pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c)
                               for c, t in PROVENANCE_SCHEMA.items()])


def inline_uncertainty(entry: Mapping[str, Any], target: str, *, file: str,
                       where: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The ``[[uncertainty]]`` entry an inline ``uncertainty = {…}`` stands for, with ``target`` set.

    The distribution's keys are those of an ``[[uncertainty]]`` entry (docs/uncertainty.md) and are
    checked with them when the uncertainty is used; ``target`` is where the amount is written, so it
    may not be given again.
    """
    u = entry.get("uncertainty")
    if u is None:
        return None, []
    if not isinstance(u, Mapping):
        return None, [Problem(f"uncertainty must be a table, got {u!r:.60}", file=file, table=where,
                              column="uncertainty",
                              hint='write uncertainty = { dist = "triangular", min = "0.1 kWh", max = "0.3 kWh" }')]
    if "target" in u:
        return None, [Problem("an inline uncertainty has no 'target': it is the amount it is written on", file=file,
                              table=where, column="uncertainty.target", hint="remove target")]
    return {"target": target, **u, "note": u.get("note") or f"written on {where}"}, []


def inline_uncertainties(doc: Mapping[str, Any], *, file: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The ``[[uncertainty]]`` entries written inline on exchanges (target ``process.<id>.<flow or input>``)
    and on ``[parameters]`` tables (target ``parameter.<name>``), in file order, and their problems.

    Transport legs take their uncertainty from ``[[uncertainty]]`` entries (``transport.<mode>.distance``,
    ``transport.<from>.<to>.distance``): a route's legs share one draw there, so a leg's own range would
    not mean what it says.
    """
    specs: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for i, p in enumerate(doc.get("process") or [], 1):
        if not isinstance(p, Mapping):
            continue
        where = f"process '{p.get('id', f'#{i}')}'"
        for j, x in enumerate(p.get("exchanges") or [], 1):
            if not isinstance(x, Mapping) or "uncertainty" not in x:
                continue
            target = f"process.{p.get('id')}.{x.get('flow') or x.get('input')}"
            spec, more = inline_uncertainty(x, target, file=file, where=f"{where} exchange #{j}")
            problems += more
            specs += [spec] if spec else []
    params = doc.get("parameters")
    for name, spec in (params.items() if isinstance(params, Mapping) else ()):
        if isinstance(spec, Mapping) and "uncertainty" in spec:
            entry, more = inline_uncertainty(spec, f"parameter.{name}", file=file, where=f"parameter '{name}'")
            problems += more
            specs += [entry] if entry else []
    return specs, problems
