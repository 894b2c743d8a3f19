"""Routes: the ordered legs between two sites, from ``[[route]]`` entries and a routes table file.

Every leg of every route is checked at load — used by a scenario or not — because a typo in one
row of a route table otherwise becomes a route of its own that nobody uses, and its leg silently
drops out of the route that was meant. A route defined in two places (twice inline, or inline and
in the table file) is an error naming both. A table file's rows carry the route's ends, not the
leg's, so each row gives its ``leg`` number: a route's rows must be consecutive and numbered 1…n
in row order (:func:`_from_table`); inline legs are in array order. Modes are checked against the factor library at compute
time (:func:`check_route_modes`), since ``--factors`` layers may add modes.
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping

import polars as pl

from lca.errors import FactorError, Problem, SchemaError, StudyError
from lca.study.parse import _check_keys, _split_amount, primary_problems
from lca.study.provenance import INLINE_KEYS, PROVENANCE_SCHEMA, provenance_fields

MODE = re.compile(r"^[a-z0-9_]+$")
LEG_KEYS = {"mode", "distance", "unit", "factor", "primary", *INLINE_KEYS}
#: One row per leg; ``file``/``table``/``row``/``unit_column`` say where the leg was written.
LEG_SCHEMA = {"from_site": pl.String, "to_site": pl.String, "leg": pl.Int64, "mode": pl.String,
              "distance": pl.Float64, "distance_unit": pl.String, "factor": pl.String, "primary": pl.Boolean,
              **PROVENANCE_SCHEMA, "origin": pl.String, "file": pl.String, "table": pl.String, "row": pl.Int64, "unit_column": pl.String}


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
            fields, more = leg_fields(leg, file=file, where=lwhere)
            problems += more
            if fields is not None:
                rows.append({"from_site": src, "to_site": dst, "leg": m, **fields, "origin": lwhere, "file": file,
                             "table": lwhere, "row": None, "unit_column": "unit" if "unit" in leg else "distance"})
    return rows, first, problems


def leg_fields(leg: Mapping[str, Any], *, file: str, where: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """A leg written in the study file (a route's, or a scenario's own): its checked fields (mode,
    distance and its unit, factor, primary) and its problems; fields None if the distance is unreadable."""
    problems = _check_keys(leg, LEG_KEYS, file=file, where=where)
    problems += primary_problems(leg, file, where)
    prov, more = provenance_fields(leg, file=file, where=where)
    problems += more
    try:
        dist, unit = _split_amount(leg, file=file, where=where, key="distance")
    except StudyError as exc:
        return None, problems + exc.problems
    return {"mode": leg.get("mode"), "distance": dist, "distance_unit": unit, "factor": leg.get("factor"),
            "primary": leg.get("primary") is True, **prov}, problems


#: Why a routes table has a ``leg`` column, said with the fix wherever it is missing.
LEG_HINT = ("add a 'leg' column numbering each route's legs 1, 2, … in travel order (a row carries the "
            "route's ends, not the leg's, so the order must be written down)")


def _numbering(legs: list[int]) -> str | None:
    """Why a route's leg numbers (in row order) are not 1…n, or None."""
    if legs[0] != 1:
        return f"it starts at leg {legs[0]}"
    seen: set[int] = set()
    for k in legs:
        if k in seen:
            return f"leg {k} appears twice"
        seen.add(k)
    missing = sorted(set(range(1, len(legs) + 1)) - seen)
    if missing:
        return f"leg {missing[0]} is missing"
    return "the legs are not in travel order" if legs != sorted(legs) else None


def _from_table(t: pl.DataFrame, name: str, path: str) -> tuple[pl.DataFrame, list[Problem]]:
    """Legs of a validated routes table: a route's rows are consecutive and numbered 1…n in row order.

    A row moved to another route (its ``to`` changed to another real site) then shows as a leg
    number that does not fit, instead of quietly moving a leg from one route to another.
    """
    t = t.with_row_index("row", offset=1).with_columns(pl.col("row").cast(pl.Int64))
    problems = []
    spans = t.group_by("from", "to", maintain_order=True).agg(pl.col("row"), pl.col("leg"))
    for src, dst, rows, legs in spans.iter_rows():
        shown = ", ".join(map(str, rows))
        if rows[-1] - rows[0] + 1 != len(rows):
            gap = next(r for a, r in zip(rows, rows[1:]) if r != a + 1)
            problems.append(Problem(f"the legs of route {src} → {dst} are not in consecutive rows ({shown})",
                                    file=path, table="routes", row=gap,
                                    hint="list a route's legs together, in travel order"))
        why = _numbering(legs)
        if why:
            first = next(r for i, (r, k) in enumerate(zip(rows, legs), 1) if k != i)
            problems.append(Problem(f"the legs of route {src} → {dst} are numbered {', '.join(map(str, legs))} "
                                    f"in rows {shown}: {why}", file=path, table="routes", row=first, column="leg",
                                    hint="number each route's legs 1, 2, … in travel order, one row per leg; a "
                                         "row whose 'from'/'to' names another route belongs to that route"))
    legs = t.select(pl.col("from").alias("from_site"), pl.col("to").alias("to_site"), pl.col("leg").cast(pl.Int64),
                    "mode", pl.col("distance").cast(pl.Float64), pl.col("unit").alias("distance_unit"), "factor",
                    pl.col("primary").fill_null(False),
                    *[pl.col(c) if c in t.columns else pl.lit(None, d).alias(c) for c, d in PROVENANCE_SCHEMA.items()],
                    pl.format("{} row {}", pl.lit(name), pl.col("row")).alias("origin"), pl.lit(path).alias("file"),
                    pl.lit("routes").alias("table"), "row", pl.lit("unit").alias("unit_column"))
    return legs, problems


def _schema_problems(exc: SchemaError) -> list[Problem]:
    """The table's schema problems, a missing ``leg`` column with its reason and fix."""
    return [Problem(**{**p.as_dict(), "hint": LEG_HINT}) if p.column == "leg" and p.row is None else p
            for p in exc.problems]


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
            raise StudyError(problems + _schema_problems(exc)) from None
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


def unused_routes(legs: pl.DataFrame, plan: pl.DataFrame | None) -> list[str]:
    """A warning for each route that no transport element of any scenario can use, for any cell plant.

    An element without its own legs uses the route ``from → to``, or ``from → <cell plant>`` when
    it goes to ``cell_plant``; a route matching neither is dead data — most likely a typo in its
    ends that happens to name another real site. ``plan`` is the study's transport plan
    (:func:`lca.study.retarget.transport_plan`); without one nothing can be said.
    """
    if plan is None or legs.height == 0 or not {"from_site", "to_site", "origin", "row"} <= set(legs.columns):
        return []
    from lca.study.retarget import CELL_PLANT

    uses = plan.filter(~pl.col("inline"))
    exact = uses.select("from_site", pl.col("to").alias("to_site"))
    to_plant = uses.filter(pl.col("to") == CELL_PLANT).select("from_site")
    spans = (legs.group_by("from_site", "to_site", maintain_order=True)
             .agg(pl.col("origin").first(), pl.col("row").min().alias("lo"), pl.col("row").max().alias("hi")))
    dead = spans.join(exact, on=["from_site", "to_site"], how="anti").join(to_plant, on="from_site", how="anti")
    out = []
    for src, dst, origin, lo, hi in dead.iter_rows():
        where = (origin.rsplit(" leg #", 1)[0] if lo is None
                 else origin.rsplit(" row ", 1)[0] + (f" row {lo}" if lo == hi else f" rows {lo}-{hi}"))
        out.append(f"{where}: route {src} → {dst} is used by no transport element of any scenario (none goes from "
                   f"'{src}' to '{dst}' or from '{src}' to the cell plant); check its ends")
    return out


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
