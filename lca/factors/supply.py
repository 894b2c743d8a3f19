"""Fuel upstream by supply route (docs/method-rules.md "Fuel upstream by supply route").

The upstream (well-to-tank) part of a fuel depends on how the region gets it: natural gas burned in
Japan or Korea arrives as LNG (liquefied, shipped, regasified: about twice the upstream of pipeline
gas), in North America by pipeline. ``factors/supply_routes.toml`` lists, per fuel flow and region,
the route and the upstream factor row it takes, each with its citation. An activity of that flow at a
site takes the route of the first region of the site's chain listed (grid region → subdivision →
country → GLO); its resolved ``upstream`` row becomes the route's row (whatever its status). An
activity that names its own factor id keeps it. Any fuel flow can have routes (diesel, LPG, …).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import polars as pl

from lca.choices import CITATION_QUALITIES, FUEL_ROUTES, spoken
from lca.errors import FactorError, Problem
from lca.factors.library import FactorLibrary
from lca.factors.resolution import factor_columns, region_chains

ROUTES_FILE = "supply_routes.toml"
ROUTE_SCHEMA = {"flow": pl.String, "region": pl.String, "route": pl.String, "factor": pl.String,
                "citation_quality": pl.String, "source": pl.String}
#: scopes a route replaces (the fuel chain before combustion)
UPSTREAM_SCOPES = ("upstream", "well_to_tank")


def read_routes(directory: Path) -> pl.DataFrame | None:
    """The routes of a library folder (``flow, region, route, factor, citation_quality, source``), checked;
    None when the folder has no routes file (:func:`lca.factors.load_library` keeps them on the library)."""
    path = Path(directory) / ROUTES_FILE
    file = f"factors/{ROUTES_FILE}"
    if not path.exists():
        return None
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    rows, problems = [], []
    for i, r in enumerate(doc.get("route", []), start=1):
        where = dict(file=file, table=f"route {i}")
        for key in ("flow", "region", "route", "factor", "source"):
            if not isinstance(r.get(key), str) or not r.get(key):
                problems.append(Problem(f"missing '{key}'", column=key, hint="every route names flow, region, "
                                        "route, factor and source", **where))
        if r.get("route") not in FUEL_ROUTES:
            problems.append(Problem(f"unknown route '{r.get('route')}'", column="route",
                                    hint=f"use {spoken(FUEL_ROUTES)}", **where))
        if r.get("citation_quality") not in CITATION_QUALITIES:
            problems.append(Problem(f"unknown citation_quality '{r.get('citation_quality')}'",
                                    column="citation_quality", hint=f"use {spoken(CITATION_QUALITIES)}", **where))
        rows.append({k: r.get(k) for k in ROUTE_SCHEMA})
    out = pl.DataFrame(rows, schema=ROUTE_SCHEMA)
    dup = out.filter(pl.struct("flow", "region").is_duplicated())
    problems += [Problem(f"two routes for flow '{f}' in region {g}", file=file, hint="keep one")
                 for f, g in dup.select("flow", "region").unique().sort("flow", "region").iter_rows()]
    if problems:
        raise FactorError(problems)
    return out


def apply_supply_routes(resolved: pl.DataFrame, sites: pl.DataFrame, library: FactorLibrary, *,
                        electricity_rule: str) -> pl.DataFrame:
    """Resolved rows with each routed fuel's upstream row replaced by its route's row (the library's routes)."""
    routes = library.routes
    if routes is None or routes.height == 0:
        return resolved
    up = (pl.col("scope").is_in(UPSTREAM_SCOPES) & (pl.col("region_fallback") != "explicit")
          & pl.col("flow").is_in(routes.get_column("flow").unique().to_list()))
    hit = resolved.filter(up)
    if hit.height == 0:
        return resolved
    chains = region_chains(sites, electricity_rule).filter(pl.col("rule_scope") == "other")
    pick = (hit.select("act", "site", "flow").unique()
            .join(chains, on="site").join(routes, on=["flow", "region"])
            .sort("rank").unique("act", keep="first")
            .select("act", pl.col("factor").alias("__route_factor"), pl.col("region").alias("__route_region"),
                    pl.col("route").alias("__route")))
    f = factor_columns(library.factors)
    unknown = pick.join(f.select(pl.col("factor_id").alias("__route_factor")), on="__route_factor", how="anti")
    if unknown.height:
        raise FactorError([Problem(f"supply route names unknown factor id '{fid}'", file=f"factors/{ROUTES_FILE}",
                                   column="factor", hint="name a factor row of the library")
                           for fid in unknown.get_column("__route_factor").unique().sort()])
    fcols = [c for c in f.columns if c != "factor_flow"]
    moved = (hit.join(pick, on="act").drop([c for c in fcols if c in hit.columns])
             .join(f.drop("factor_flow").rename({"factor_id": "__route_factor"}), on="__route_factor")
             .rename({"__route_factor": "factor_id"})
             .with_columns(pl.col("region").alias("region_used"))  # the route's row, from its own region
             .select(resolved.columns))
    kept = resolved.join(moved.select("act", "scope").unique(), on=["act", "scope"], how="anti")
    return pl.concat([kept, moved], how="vertical_relaxed").sort("act", "factor_id")
