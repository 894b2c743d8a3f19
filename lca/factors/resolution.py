"""Region resolution: which factor row each activity is charged with.

For an activity of flow F at site S, only ``status = default`` rows are candidates, tried in the
site's region chain (grid region → subdivision → country → GLO); the first level with a row wins,
and within it, per scope, the dataset *edition* whose vintage is nearest the reference year (the
latest year not after it, else the earliest later one), as a whole (:mod:`lca.factors.editions`).
An explicit factor id on the activity wins over all of that, if it is of the category the flow
takes. Every choice is recorded in the result; the rules are documented in docs/method-rules.md.
"""

from __future__ import annotations

import polars as pl

from lca.errors import FactorError, Problem
from lca.factors.checks import explicit_kind_problems, market_factor_problems
from lca.factors.editions import pick_editions
from lca.factors.library import CATEGORY_DIMENSIONS, FactorLibrary


def region_chains(sites: pl.DataFrame, electricity_rule: str) -> pl.DataFrame:
    """Long frame ``site, rule_scope, rank, level, region`` of candidate regions per site.

    ``rule_scope`` is ``electricity`` or ``other``: under the national rule electricity skips the
    grid region and subdivision and starts at the country.
    """
    levels = [("grid", "grid"), ("subdivision", "subdivision"), ("country", "country")]
    parts = []
    for rule_scope in ("electricity", "other"):
        use = levels if not (rule_scope == "electricity" and electricity_rule == "national") else levels[2:]
        for rank, (level, col) in enumerate(use):
            parts.append(sites.select(pl.col("id").alias("site"), pl.col(col).alias("region"))
                         .with_columns(pl.lit(rule_scope).alias("rule_scope"), pl.lit(rank).alias("rank"),
                                       pl.lit(level).alias("level")))
        parts.append(sites.select(pl.col("id").alias("site")).with_columns(
            pl.lit("GLO").alias("region"), pl.lit(rule_scope).alias("rule_scope"), pl.lit(9).alias("rank"),
            pl.lit("global").alias("level")))
    out = pl.concat(parts, how="diagonal").filter(pl.col("region").is_not_null())
    # the same region at two levels (grid = country for KR) counts once, at its best rank
    return (out.sort("rank").unique(["site", "rule_scope", "region"], keep="first", maintain_order=True)
            .select("site", "rule_scope", "rank", "level", "region"))


def resolve(activities: pl.DataFrame, sites: pl.DataFrame, library: FactorLibrary, *, ref_year: int,
            electricity_rule: str = "location", missing_ok: bool = False) -> pl.DataFrame:
    """Attach factor rows to activities (one row per activity × charged factor row).

    ``activities`` needs ``act`` (unique int), ``site``, ``flow``, ``factor`` (explicit id or
    null), ``origin``. Adds the ``factor_*`` columns plus ``region_used``, ``region_fallback``
    (level name, or ``explicit``), ``vintage_note`` and ``method_note`` (e.g. a market-rule gap).
    Default rows are chosen per dataset edition (:mod:`lca.factors.editions`); an explicit id (an
    exchange's or leg's ``factor``, a site's ``market_factor`` under the market rule) must be of
    the category its flow takes. With ``missing_ok`` activities without a factor are dropped
    instead of raising.
    """
    f = factor_columns(library.factors)
    is_elec = pl.col("flow").is_in(electricity_flows(library))
    explicit = activities.filter(pl.col("factor").is_not_null())
    auto = activities.filter(pl.col("factor").is_null())
    problems = market_factor_problems(sites, f)

    # market rule: a site's supplier-specific factor becomes an explicit id for its electricity
    # (never for anything else: grid losses are resolved on their own, lca.factors.losses)
    if electricity_rule == "market" and "market_factor" in sites.columns:
        mk = sites.select(pl.col("id").alias("site"), "market_factor").filter(pl.col("market_factor").is_not_null())
        moved = auto.filter(is_elec).join(mk, on="site", how="inner")
        explicit = pl.concat([explicit.with_columns(pl.lit(False).alias("__market")),
                              moved.with_columns(pl.col("market_factor").alias("factor"), pl.lit(True).alias("__market"))
                              .drop("market_factor")], how="vertical_relaxed")
        auto = auto.join(moved.select("act"), on="act", how="anti")
    market_gap = pl.lit(None, pl.String)
    if electricity_rule == "market":
        # GHG Protocol: without a contractual instrument the residual mix applies; we ship none, so
        # the location factor stands in, and the result says so
        market_gap = (pl.when(is_elec).then(pl.format("no supplier-specific factor (market_factor) for site '{}': "
                                                       "location-based grid factor used as a proxy for the residual "
                                                       "mix", pl.col("site")))
                      .otherwise(pl.lit(None, pl.String)))

    exp = explicit.join(f, left_on="factor", right_on="factor_id", how="left", coalesce=False)
    # an id that came from a site's market_factor is the site's, checked (and blamed) there alone
    written = exp.filter(~pl.col("__market")) if "__market" in exp.columns else exp
    for flow, fid, origin in written.filter(pl.col("factor_value").is_null()).select("flow", "factor", "origin"
                                                                                     ).unique().sort("origin").iter_rows():
        problems.append(Problem(f"unknown factor id '{fid}' for flow '{flow}'", table=origin, column="factor",
                                hint="check the id with `lca factors search`"))
    problems += explicit_kind_problems(written.filter(pl.col("factor_value").is_not_null()), f, CATEGORY_DIMENSIONS)
    exp = exp.filter(pl.col("factor_value").is_not_null()).drop("__market", strict=False)
    exp = exp.with_columns(pl.col("region").alias("region_used"), pl.lit("explicit").alias("region_fallback"),
                           pl.lit(None, pl.String).alias("vintage_note"), pl.lit(None, pl.String).alias("method_note"))

    chains = region_chains(sites, electricity_rule)
    scoped = auto.with_columns(pl.when(is_elec).then(pl.lit("electricity")).otherwise(pl.lit("other"))
                               .alias("rule_scope"))
    cand, edition_problems = default_rows(scoped, chains, f, ref_year)
    problems += edition_problems
    year = pl.col("factor_year")
    cand = cand.with_columns(
        pl.col("region").alias("region_used"), pl.col("level").alias("region_fallback"),
        pl.when(year > ref_year).then(pl.format("no vintage up to {}; used {} (later)", pl.lit(ref_year), year))
        .when(year < ref_year).then(pl.format("latest vintage up to {} is {}", pl.lit(ref_year), year))
        .otherwise(pl.lit(None, pl.String)).alias("vintage_note"),
        market_gap.alias("method_note"))

    missing = scoped.join(cand.select("act").unique(), on="act", how="anti")
    tried = chains.group_by("site", "rule_scope").agg(pl.col("region").sort_by("rank").str.join(" → ").alias("tried"))
    missing = missing.join(tried, on=["site", "rule_scope"], how="left")
    known = set(f.filter(pl.col("status") == "default").get_column("factor_flow").unique().to_list())
    missing_problems = []
    for flow, site, tr, origin in missing.select("flow", "site", "tried", "origin").unique().sort(
            "origin", "flow").iter_rows():
        if flow not in known:
            missing_problems.append(Problem(f"no emission factor for flow '{flow}'", table=origin, column="flow",
                                            hint="check the flow name, or add a factor with `--factors FILE` or "
                                                 "the study's [factors] files"))
        else:
            missing_problems.append(Problem(f"no default factor for flow '{flow}' at site '{site}' in regions {tr}",
                                            table=origin, column="flow",
                                            hint="add a factor for one of these regions or name a factor id"))
    problems += [] if missing_ok else missing_problems
    if problems:
        raise FactorError(problems)
    cols = list(activities.columns) + [c for c in f.columns if c not in activities.columns and c != "factor_flow"] + [
        "region_used", "region_fallback", "vintage_note", "method_note"]
    return pl.concat([cand.select(cols), exp.select(cols)], how="vertical_relaxed").sort("act", "factor_id")


def default_rows(acts: pl.DataFrame, chains: pl.DataFrame, f: pl.DataFrame,
                 ref_year: int) -> tuple[pl.DataFrame, list[Problem]]:
    """Default factor rows for activities (``act, site, flow, rule_scope``) and the problems found.

    The first level of the region chain with a default row wins as a whole (its own scope split
    is used, never a mix of scopes from different regions); within it one edition per scope
    (:func:`lca.factors.editions.pick_editions`). ``f`` is :func:`factor_columns` of a library.
    """
    defaults = f.filter(pl.col("status") == "default").rename({"factor_flow": "flow"})
    cand = (acts.join(chains, on=["site", "rule_scope"], how="inner")
            .join(defaults, on=["flow", "region"], how="inner"))
    cand = cand.filter(pl.col("rank") == pl.col("rank").min().over("act"))
    return pick_editions(cand, ref_year)


def electricity_flows(library: FactorLibrary) -> list[str]:
    """Flows whose factors are grid electricity (the electricity rule applies to them)."""
    return (library.factors.filter(pl.col("category") == "electricity").get_column("flow").unique().sort()
            .to_list())


def factor_columns(factors: pl.DataFrame) -> pl.DataFrame:
    """Factor rows with names that cannot clash with activity columns (``factor_*``)."""
    return factors.select(
        pl.col("id").alias("factor_id"), pl.col("flow").alias("factor_flow"), pl.col("name").alias("factor_name"),
        "category", "region", pl.col("value").alias("factor_value"), pl.col("unit").alias("factor_unit"), "gas",
        "scope", "basis", "td_losses", pl.col("year").alias("factor_year"), "status", "estimate",
        pl.col("primary").fill_null(False).alias("factor_primary"), "source",
        "source_table", "url", "license", "dq_technological", "dq_geographical", "dq_temporal", "unc_dist",
        "unc_gsd", "unc_sd", "unc_min", "unc_max", "numerator", "f_to_base", "per_dimension", "layer", "edition",
        pl.col("file").alias("factor_file"),
        # null = the row does not state it (a user file; factor-risk rates it as an estimate)
        pl.col("citation_quality").alias("factor_citation_quality"))
