"""What each scenario's footprint describes: current, prospective or hypothetical (#13 item 4).

A ``[[scenario]]`` declares ``kind = "current" | "prospective" | "hypothetical"``
(:data:`lca.choices.SCENARIO_KINDS`; default ``current``) and, when prospective, ``operation_start``
(the date the plant is planned to start). In the code this is the scenario's *outlook*: the study's
scenario frame already has a ``kind`` column (system or mix).

* ``current``: the study's reference period.
* ``prospective``: the reference period is the planned first year of operation,
  ``operation_start`` to the day before its first anniversary; factor vintages are chosen for that
  year, i.e. the latest data available (a footprint of a plant that does not run yet cannot use
  data of its own operation).
* ``hypothetical``: a what-if with no plan behind it; the study's reference period, unless it gives
  an ``operation_start`` (then its first year, as a prospective one).
* A supply mix takes the strongest outlook of its components (hypothetical > prospective >
  current) and, unless it gives its own, the latest ``operation_start`` among them; declaring a mix
  ``current`` while a component is prospective is an error.

>>> import datetime as dt
>>> first_year(dt.date(2027, 7, 1))
(datetime.date(2027, 7, 1), datetime.date(2028, 6, 30))
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Sequence

import polars as pl

from lca.choices import SCENARIO_KINDS, spoken
from lca.errors import Problem, StudyError

#: columns of ``Study.outlook`` (what the study file says, resolved for mixes)
DECLARED_SCHEMA = {"scenario": pl.String, "outlook": pl.String, "operation_start": pl.Date}
#: columns of ``Study.outlooks``: with each scenario's reference period, worked out when asked, so a
#: study whose reference period is changed in memory gives its current scenarios the new one
OUTLOOK_SCHEMA = {**DECLARED_SCHEMA, "reference_start": pl.Date, "reference_end": pl.Date}
#: strength of an outlook when a mix combines its components'
_RANK = {k: i for i, k in enumerate(SCENARIO_KINDS)}
#: years a date may take (as the study's reference period: factor vintages are chosen from it)
YEARS = (1900, 2200)


def first_year(start: dt.date) -> tuple[dt.date, dt.date]:
    """The year of operation that begins on ``start``: ``(start, day before its anniversary)``."""
    try:
        nxt = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        nxt = start.replace(year=start.year + 1, day=28) + dt.timedelta(days=1)
    return start, nxt - dt.timedelta(days=1)


def outlook_frame(entries: Sequence[Mapping[str, Any]], mixes: pl.DataFrame,
                  file: str) -> tuple[pl.DataFrame, list[Problem]]:
    """``Study.outlook`` (:data:`DECLARED_SCHEMA`, one row per scenario in file order) and every problem
    of the ``kind`` / ``operation_start`` keys, each at its scenario and key."""
    from lca.study.pact import as_date

    problems: list[Problem] = []
    declared: dict[str, tuple[str | None, dt.date | None]] = {}
    order: list[str] = []
    for i, e in enumerate(entries, 1):
        sid = e.get("id")
        if not isinstance(sid, str) or sid in declared:
            continue  # the scenario loader reports it
        where = f"scenario '{sid}'"
        order.append(sid)
        kind, start = e.get("kind"), None
        if kind is not None and kind not in SCENARIO_KINDS:
            problems.append(Problem(f"unknown kind {kind!r:.40}", file=file, table=where, column="kind",
                                    hint=f"use {spoken(SCENARIO_KINDS)}"))
            kind = None
        if "operation_start" in e:
            try:
                start = as_date(e["operation_start"], file=file, table=where, column="operation_start")
            except StudyError as exc:
                problems += exc.problems
            if start is not None and not YEARS[0] <= start.year <= YEARS[1]:
                problems.append(Problem(f"operation_start {start.isoformat()} is outside the years "
                                        f"{YEARS[0]}-{YEARS[1]}", file=file, table=where, column="operation_start"))
                start = None
            if kind in (None, "current"):
                problems.append(Problem("operation_start is given but the scenario is not prospective", file=file,
                                        table=where, column="operation_start",
                                        hint='add kind = "prospective", or remove operation_start'))
        if kind == "prospective" and "operation_start" not in e and "mix" not in e:
            problems.append(Problem("a prospective scenario needs its operation_start", file=file, table=where,
                                    column="operation_start",
                                    hint="write the planned start of operation, e.g. operation_start = 2027-07-01"))
        declared[sid] = (kind, start)
    parts = {m: g.get_column("component").to_list() for (m,), g in mixes.group_by("scenario")} if mixes.height else {}
    resolved: dict[str, tuple[str, dt.date | None]] = {}

    def resolve(sid: str, seen: tuple[str, ...] = ()) -> tuple[str, dt.date | None]:
        if sid in resolved:
            return resolved[sid]
        kind, start = declared.get(sid, (None, None))
        comps = [resolve(c, seen + (sid,)) for c in parts.get(sid, ()) if c in declared and c not in seen + (sid,)]
        if comps:  # a mix: the strongest outlook and the latest start of its components
            strongest = max((k for k, _ in comps), key=_RANK.__getitem__)
            if kind is not None and _RANK[kind] < _RANK[strongest]:
                problems.append(Problem(f"the mix is declared {kind} but a component is {strongest}", file=file,
                                        table=f"scenario '{sid}'", column="kind",
                                        hint=f'write kind = "{strongest}" or leave kind out'))
            kind = strongest if kind is None or _RANK[kind] < _RANK[strongest] else kind
            starts = [s for _, s in comps if s is not None]
            start = start or (max(starts) if starts else None)
        resolved[sid] = (kind or "current", start)
        return resolved[sid]

    rows = []
    for sid in order:
        kind, start = resolve(sid)
        rows.append({"scenario": sid, "outlook": kind, "operation_start": start if kind != "current" else None})
    return pl.DataFrame(rows, schema=DECLARED_SCHEMA), problems


def with_periods(declared: pl.DataFrame | None, scenario_ids: Sequence[str],
                 ref: tuple[dt.date, dt.date]) -> pl.DataFrame:
    """:data:`OUTLOOK_SCHEMA`: each scenario's reference period, the planned first year of one with an
    operation start, else the study's ``ref``; ``declared`` None: every scenario current."""
    if declared is None:
        declared = pl.DataFrame([{"scenario": s, "outlook": "current", "operation_start": None}
                                 for s in scenario_ids], schema=DECLARED_SCHEMA)
    # one row per scenario (a handful), not per activity: plain Python keeps first_year's leap-day rule
    periods = [first_year(start) if start is not None else ref for start in declared.get_column("operation_start")]
    return declared.with_columns(pl.Series("reference_start", [p[0] for p in periods], dtype=pl.Date),
                                 pl.Series("reference_end", [p[1] for p in periods], dtype=pl.Date))


def outlook_note(row: Mapping[str, Any], *, data_year: int | None = None) -> str:
    """One sentence for a non-current scenario (report, ``lca run``, exports); ``""`` for a current one.

    >>> import datetime as dt
    >>> outlook_note({"outlook": "prospective", "operation_start": dt.date(2027, 7, 1),
    ...               "reference_start": dt.date(2027, 7, 1), "reference_end": dt.date(2028, 6, 30)}, data_year=2025)
    'Prospective: operation starts 2027-07-01; reference period is the planned first year, 2027-07-01 to 2028-06-30; computed with the latest data available (factor vintages up to 2025), not data of its own operation.'
    """
    kind = row["outlook"]
    if kind == "current":
        return ""
    data = (f"; computed with the latest data available (factor vintages up to {data_year}), not data of its own "
            "operation" if data_year else "; computed with the latest data available, not data of its own operation")
    if kind == "prospective":
        return (f"Prospective: operation starts {row['operation_start'].isoformat()}; reference period is the "
                f"planned first year, {row['reference_start'].isoformat()} to {row['reference_end'].isoformat()}"
                f"{data}.")
    return "Hypothetical: a what-if scenario, neither a plant in operation nor a plan."
