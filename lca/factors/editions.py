"""Which default factor rows an activity is charged: one dataset edition per scope, scopes that never overlap.

A factor row belongs to an *edition*: one publication of one dataset (eGRID2023 rev2, EPA GHG
Emission Factors Hub 2025, DESNZ 2025 WTT fuels …). The edition is the row's ``dataset`` column,
or ``"<source> (<year>)"`` where that is empty, so files without the column still group their rows
by publication. Rows of one edition are charged together or not at all: a newer eGRID published
as CO2, CH4 and N2O rates replaces an older CO2e rate as a whole, never adds to it.

For an activity whose region level has been chosen (:func:`lca.factors.resolve`):

1. per *scope* (combustion, upstream, life_cycle …) the edition with the best vintage wins: the
   latest edition year not after the reference year, else the earliest later one;
2. two editions tying for that vintage is an error naming both (the engine cannot tell which
   publication the user meant); since it holds for every activity, it is checked on the factor
   set whenever a layer is applied (:func:`edition_ties`), whether or not a study charges them;
3. an edition that states one scope both as a CO2e row and as gas-level rows is an error (the
   CO2e row already contains those gases), and so is an edition with two rows for one gas;
4. scopes that overlap (``life_cycle`` with ``combustion``, ``well_to_wheel`` with ``upstream``,
   total grid loss ``n/a`` with ``transmission`` …) are never both charged: error naming both.

Different editions for *different, non-overlapping* scopes are fine: natural gas is EPA Hub
combustion CO2 + CH4 + N2O (one edition) plus DESNZ well-to-tank (another edition, another scope).
"""

from __future__ import annotations

from typing import Mapping

import polars as pl

from lca.errors import Problem

#: The parts of an activity's chain each scope covers; two scopes overlap iff they share a part.
SCOPE_PARTS: dict[str, tuple[str, ...]] = {
    "combustion": ("combustion",),
    "tank_to_wheel": ("combustion",),
    "upstream": ("upstream",),
    "well_to_tank": ("upstream",),
    "direct": ("direct",),
    "well_to_wheel": ("combustion", "upstream"),
    "life_cycle": ("combustion", "upstream", "direct"),
    "cradle_to_gate": ("combustion", "upstream", "direct"),
    # grid-loss rows: a total T&D fraction, or its transmission and distribution parts
    "n/a": ("transmission", "distribution"),
    "transmission": ("transmission",),
    "distribution": ("distribution",),
}


def edition_expr() -> pl.Expr:
    """The edition id of a factor row: ``dataset`` if given, else ``"<source> (<year>)"``."""
    given = pl.col("dataset").str.strip_chars()
    derived = pl.format("{} ({})", pl.col("source").str.strip_chars(), pl.col("year"))
    return pl.when(given.is_not_null() & (given != "")).then(given).otherwise(derived)


def _where(ids: list[str], files: list[str | None]) -> str:
    names = sorted(dict.fromkeys(f for f in files if f))
    return f"{', '.join(sorted(dict.fromkeys(ids)))}" + (f" in {', '.join(names)}" if names else "")


def _user_file(files: list[str | None]) -> str | None:
    """The file to locate a conflict in: a user's file if one is involved, else a shipped one."""
    named = [f for f in files if f]
    user = [f for f in named if not f.startswith("factors/")]
    return (user or named or [None])[0]


def pick_editions(cand: pl.DataFrame, ref_year: int) -> tuple[pl.DataFrame, list[Problem]]:
    """Keep, per (activity, scope), the rows of the edition with the best vintage; report conflicts.

    ``cand`` holds candidate default rows of the winning region level: ``act, flow, region, scope,
    gas, edition, factor_year, factor_id, factor_file``. Returns the chosen rows and the problems
    (one per distinct conflict, not per activity).
    """
    if cand.height == 0:
        return cand, []
    ed_year = pl.col("factor_year").max().over("act", "scope", "edition")
    cand = cand.with_columns(ed_year.alias("__ed_year"))
    y = pl.col("__ed_year")
    not_after = y <= ref_year
    best = (pl.when(not_after.any().over("act", "scope")).then(y.filter(not_after).max().over("act", "scope"))
            .otherwise(y.min().over("act", "scope")))
    chosen = cand.filter(y == best)
    problems = _ties(chosen) + _mixed_bases(chosen) + _overlaps(chosen)
    return chosen.drop("__ed_year"), problems


def _ties(chosen: pl.DataFrame) -> list[Problem]:
    g = (chosen.group_by("act", "flow", "region", "scope", "__ed_year", "edition")
         .agg(pl.col("factor_id").sort(), pl.col("factor_file"))
         .filter(pl.len().over("act", "scope") > 1)
         .sort("edition"))
    if g.height == 0:
        return []
    per = (g.group_by("act", "flow", "region", "scope", "__ed_year")
           .agg(pl.col("edition"), pl.col("factor_id"), pl.col("factor_file"))
           .unique(["flow", "region", "scope", "edition"]).sort("flow", "region", "scope"))
    return [_tie(flow, region, scope, year, eds, ids, files, "one activity is charged one edition")
            for flow, region, scope, year, eds, ids, files in per.select(
                "flow", "region", "scope", "__ed_year", "edition", "factor_id", "factor_file").iter_rows()]


def _tie(flow: str, region: str, scope: str, year: int, eds: list[str], ids: list[list[str]],
         files: list[list[str | None]], why: str, *, prefer: str | None = None,
         rows: Mapping[str, int] | None = None) -> Problem:
    listed = " and ".join(f"'{e}' ({_where(i, f)})" for e, i, f in zip(eds, ids, files))
    named = [x for f in files for x in f]
    file = prefer if prefer in named else _user_file(named)
    row = next((rows[i] for i_s, f_s in zip(ids, files) for i, f in zip(i_s, f_s) if f == file and i in rows),
               None) if rows else None
    return Problem(f"flow '{flow}' in region {region}, scope {scope}: two editions have the same vintage {year}: "
                   f"{listed}; {why}", file=file, table="factors", row=row, column="year" if row else None,
                   hint="keep one edition's rows as status 'default' (mark the others 'alternative' or replace them "
                        "by id), or fix the year; rows of one publication with different source texts need the same "
                        "'dataset' id")


def edition_ties(factors: pl.DataFrame, *, prefer: str | None = None,
                 rows: Mapping[str, int] | None = None) -> list[Problem]:
    """Rule 2 as a property of a factor set: two default editions of one (flow, region, scope) with the
    same vintage year are an error naming both, whether or not a study charges them.

    ``factors`` are library rows (``id, flow, category, region, scope, year, status, edition, file``).
    Checked whenever a layer is put on the library, so ``lca validate``, ``lca factors validate``
    and ``lca run --factors`` agree. ``prefer`` (the new layer's file) is where the problem is
    located, at its row from ``rows`` (id → row). Grid-loss rows are one flow, as resolved.
    """
    flow = pl.when(pl.col("category") == "grid_loss").then(pl.lit("grid_loss")).otherwise(pl.col("flow"))
    eds = (factors.filter(pl.col("status") == "default").with_columns(flow.alias("flow"))
           .group_by("flow", "region", "scope", "edition")
           .agg(pl.col("year").max().alias("__ed_year"), pl.col("id").sort(), pl.col("file").sort_by("id")))
    ties = (eds.filter(pl.len().over("flow", "region", "scope", "__ed_year") > 1)
            .sort("flow", "region", "scope", "__ed_year", "edition")
            .group_by("flow", "region", "scope", "__ed_year", maintain_order=True)
            .agg(pl.col("edition"), pl.col("id"), pl.col("file")))
    return [_tie(f, r, s, y, e, i, fs, "a study that charges this flow there could not tell which edition to use",
                 prefer=prefer, rows=rows) for f, r, s, y, e, i, fs in ties.iter_rows()]


def _mixed_bases(chosen: pl.DataFrame) -> list[Problem]:
    g = (chosen.group_by("act", "flow", "region", "scope", "edition")
         .agg((pl.col("gas") == "CO2e").any().alias("co2e"), (pl.col("gas") != "CO2e").any().alias("gases"),
              pl.col("gas").is_duplicated().any().alias("dup"), pl.col("factor_id").sort(), pl.col("factor_file"),
              pl.col("gas"))
         .filter((pl.col("co2e") & pl.col("gases")) | pl.col("dup"))
         .unique(["flow", "region", "scope", "edition"]).sort("flow", "region", "scope", "edition"))
    out = []
    for flow, region, scope, ed, co2e, gases, ids, files in g.select(
            "flow", "region", "scope", "edition", "co2e", "gases", "factor_id", "factor_file").iter_rows():
        what = ("states it both as a CO2e row and as gas-level rows (the CO2e row already contains those gases)"
                if co2e and gases else "has two rows for one gas")
        out.append(Problem(f"flow '{flow}' in region {region}, scope {scope}: edition '{ed}' {what}: "
                           f"{_where(ids, files)}", file=_user_file(files), table="factors",
                           hint="keep either the CO2e row or the gas-level rows as status 'default'"
                           if co2e and gases else "one default row per gas and edition"))
    return out


def _overlaps(chosen: pl.DataFrame) -> list[Problem]:
    parts = pl.DataFrame([(s, p) for s, ps in SCOPE_PARTS.items() for p in ps], schema=["scope", "part"],
                         orient="row")
    by_scope = (chosen.group_by("act", "flow", "region", "scope")
                .agg(pl.col("edition").first(), pl.col("factor_id").sort(), pl.col("factor_file")))
    x = (by_scope.join(parts, on="scope").filter(pl.col("scope").n_unique().over("act", "part") > 1)
         .unique(["act", "scope"]).sort("scope"))
    if x.height == 0:
        return []
    per = (x.group_by("act", "flow", "region").agg(pl.col("scope"), pl.col("edition"), pl.col("factor_id"),
                                                    pl.col("factor_file"))
           .unique(["flow", "region", "scope"]).sort("flow", "region"))
    out = []
    for flow, region, scopes, eds, ids, files in per.select(
            "flow", "region", "scope", "edition", "factor_id", "factor_file").iter_rows():
        listed = " and ".join(f"scope {s} of '{e}' ({_where(i, f)})" for s, e, i, f in zip(scopes, eds, ids, files))
        out.append(Problem(f"flow '{flow}' in region {region}: scopes overlap, both would be charged: {listed}",
                           file=_user_file([x for f in files for x in f]), table="factors",
                           hint="keep either the whole-chain (or total loss) rows or their parts as status 'default'"))
    return out
