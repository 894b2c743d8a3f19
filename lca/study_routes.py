"""Routes: the ordered legs between two sites, from ``[[route]]`` entries and a routes table file.

Every leg of every route is checked at load — used by a scenario or not — because a typo in one
row of a route table otherwise becomes a route of its own that nobody uses, and its leg silently
drops out of the route that was meant. A route defined in two places (twice inline, or inline and
in the table file) is an error naming both; a route's rows in a table file must be consecutive
(they are its legs, in travel order). Modes are checked against the factor library at compute
time (:func:`check_route_modes`), since ``--factors`` layers may add modes.
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping

import polars as pl

from lca.errors import FactorError, Problem, SchemaError, StudyError
from lca.study_parse import _check_keys, _split_amount, primary_problems

MODE = re.compile(r"^[a-z0-9_]+$")
LEG_KEYS = {"mode", "distance", "unit", "factor", "primary"}
#: One row per leg; ``file``/``table``/``row``/``unit_column`` say where the leg was written.
LEG_SCHEMA = {"from_site": pl.String, "to_site": pl.String, "leg": pl.Int64, "mode": pl.String,
              "distance": pl.Float64, "distance_unit": pl.String, "factor": pl.String, "primary": pl.Boolean,
              "origin": pl.String, "file": pl.String, "table": pl.String, "row": pl.Int64, "unit_column": pl.String}


def _inline(entries: list[Mapping[str, Any]], file: str) -> tuple[list[dict[str, Any]], dict, list[Problem]]:
    rows: list[dict[str, Any]] = []
    first: dict[tuple[str, str], str] = {}
    problems: list[Problem] = []
    for i, e in enumerate(entries, 1):
        src, dst = e.get("from"), e.get("to")
        where = f"route #{i} ({src} → {dst})"
        problems += _check_keys(e, {"from", "to", "legs"}, file=file, where=where)
        if (src, dst) in first:
            problems.append(Problem(f"route {src} → {dst} is defined twice: {first[(src, dst)]} and route #{i}",
                                    file=file, table=where, hint="keep one of them"))
            continue
        first[(src, dst)] = f"route #{i}"
        legs = e.get("legs") or []
        if not legs:
            problems.append(Problem("route has no legs", file=file, table=where, column="legs",
                                    hint='add legs = [{ mode = "truck", distance = "100 km" }]'))
        for m, leg in enumerate(legs, 1):
            lwhere = f"{where} leg #{m}"
            problems += _check_keys(leg, LEG_KEYS, file=file, where=lwhere)
            problems += primary_problems(leg, file, lwhere)
            try:
                dist, unit = _split_amount(leg, file=file, where=lwhere, key="distance")
            except StudyError as exc:
                problems += exc.problems
                continue
            rows.append({"from_site": src, "to_site": dst, "leg": m, "mode": leg.get("mode"), "distance": dist,
                         "distance_unit": unit, "factor": leg.get("factor"), "primary": leg.get("primary") is True,
                         "origin": lwhere, "file": file,
                         "table": lwhere, "row": None, "unit_column": "unit" if "unit" in leg else "distance"})
    return rows, first, problems


def _from_table(t: pl.DataFrame, name: str, path: str) -> tuple[pl.DataFrame, list[Problem]]:
    """Legs of a validated routes table; a route's rows must be consecutive (its legs, in order)."""
    t = t.with_row_index("row", offset=1).with_columns(pl.col("row").cast(pl.Int64))
    problems = []
    spans = t.group_by("from", "to", maintain_order=True).agg(pl.col("row"))
    for src, dst, rows in spans.iter_rows():
        if rows[-1] - rows[0] + 1 != len(rows):
            gap = next(r for a, r in zip(rows, rows[1:]) if r != a + 1)
            problems.append(Problem(f"the legs of route {src} → {dst} are not in consecutive rows "
                                    f"({', '.join(map(str, rows))})", file=path, table="routes", row=gap,
                                    hint="list a route's legs together, in travel order"))
    legs = t.select(pl.col("from").alias("from_site"), pl.col("to").alias("to_site"),
                    (pl.col("row").cum_count().over("from", "to")).cast(pl.Int64).alias("leg"), "mode",
                    pl.col("distance").cast(pl.Float64), pl.col("unit").alias("distance_unit"), "factor",
                    pl.col("primary").fill_null(False),
                    pl.format("{} row {}", pl.lit(name), pl.col("row")).alias("origin"), pl.lit(path).alias("file"),
                    pl.lit("routes").alias("table"), "row", pl.lit("unit").alias("unit_column"))
    return legs, problems


def collect_routes(entries: list[Mapping[str, Any]], table: pl.DataFrame | None, *, name: str | None,
                   path: str | None, file: str) -> tuple[pl.DataFrame, list[Problem]]:
    """All route legs (inline first, then the table file's rows) and the problems found.

    ``table`` is the routes table as read (text columns) and ``name``/``path`` its name in
    ``[tables]`` and its location; ``file`` is the study. A table that fails its schema raises.
    """
    from lca.schemas import RouteTable, validate_table

    rows, inline, problems = _inline(entries, file)
    frames = [pl.DataFrame(rows, schema=LEG_SCHEMA, strict=False)]
    if table is not None:
        try:
            checked = validate_table(table, RouteTable, file=path, table="routes")
        except SchemaError as exc:
            raise StudyError(problems + exc.problems) from None
        legs, more = _from_table(checked, name or "routes", path or file)
        problems += more
        spans = legs.group_by("from_site", "to_site", maintain_order=True).agg(pl.col("row").min().alias("lo"),
                                                                              pl.col("row").max().alias("hi"))
        for src, dst, lo, hi in spans.iter_rows():
            if (src, dst) in inline:
                rows_text = f"row {lo}" if lo == hi else f"rows {lo}-{hi}"
                problems.append(Problem(f"route {src} → {dst} is defined twice: {inline[(src, dst)]} in this file "
                                        f"and {rows_text} of {name}", file=file,
                                        table=f"{inline[(src, dst)]} ({src} → {dst})",
                                        hint="keep one of them (legs would be travelled twice)"))
        frames.append(legs.select(list(LEG_SCHEMA)))
    return pl.concat(frames, how="vertical_relaxed"), problems


def leg_problems(legs: pl.DataFrame, *, route_ends: set[str] | None = None) -> list[Problem]:
    """Mode spelling, distance (finite, >= 0, not subnormal) and unit (a length) of every leg.

    With ``route_ends`` (the site ids), the legs' ``from_site``/``to_site`` must be sites too.
    """
    from lca.units import unit_info

    length = unit_info("km").dimension
    problems: list[Problem] = []
    for r in legs.iter_rows(named=True):
        loc = {"file": r["file"], "table": r["table"], "row": r["row"]}
        if route_ends is not None:
            for col, key in (("from", "from_site"), ("to", "to_site")):
                if r[key] not in route_ends:
                    table = loc["table"] if r["row"] is not None else loc["table"].rsplit(" leg #", 1)[0]
                    problems.append(Problem(f"unknown site '{r[key]}'", file=r["file"], table=table, row=r["row"],
                                            column=col, hint="use one of: " + ", ".join(sorted(route_ends))))
        mode = r["mode"]
        if mode is None:
            problems.append(Problem("missing mode", **loc, column="mode", hint='add mode = "truck" (or another mode)'))
        elif not MODE.match(mode):
            problems.append(Problem(f"mode '{mode}' has the wrong form", **loc, column="mode",
                                    hint="a mode is lower-case letters, digits and '_' (e.g. container_ship)"))
        d = r["distance"]
        if d is not None and not (math.isfinite(d) and d >= 0):
            problems.append(Problem(f"distance {d!r} must be a finite number >= 0", **loc, column="distance"))
        info = unit_info(r["distance_unit"]) if r["distance_unit"] is not None else None
        if info is None:
            problems.append(Problem("missing unit", **loc, column=r["unit_column"]))
        elif info.error:
            problems.append(Problem(info.error, **loc, column=r["unit_column"], hint="see README 'Units'"))
        elif info.dimension != length:
            problems.append(Problem(f"unit '{r['distance_unit']}' is not a distance", **loc, column=r["unit_column"],
                                    hint="write a length such as 'km' or 'mile'"))
    return problems


def route_map(legs: pl.DataFrame) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """``(from, to) → legs`` in travel order, for scenarios' transport elements without legs."""
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in legs.iter_rows(named=True):
        out.setdefault((r["from_site"], r["to_site"]), []).append(r)
    return out


def check_route_modes(routes: pl.DataFrame, library, *, file: str | None = None) -> None:
    """Every route leg's mode has a default freight factor (or its explicit factor exists).

    Run at compute time, with the library the study is computed with (user layers included).
    """
    if routes.height == 0:
        return
    f = library.factors
    modes = {fl.removeprefix("freight_") for fl in f.filter((pl.col("status") == "default")
                                                            & pl.col("flow").str.starts_with("freight_"))
             .get_column("flow").unique().to_list()}
    ids = set(f.get_column("id").to_list())
    problems = []
    for r in routes.iter_rows(named=True):
        loc = {"file": r["file"] or file, "table": r["table"], "row": r["row"]}
        if r["factor"] is not None:
            if r["factor"] not in ids:
                problems.append(Problem(f"unknown factor id '{r['factor']}'", **loc, column="factor",
                                        hint="check the id with `lca factors search`"))
        elif r["mode"] not in modes:
            problems.append(Problem(f"unknown transport mode '{r['mode']}': no factor for flow 'freight_{r['mode']}'",
                                    **loc, column="mode", hint="use one of: " + ", ".join(sorted(modes))))
    if problems:
        raise FactorError(problems)
