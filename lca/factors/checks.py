"""Checks of factor rows beyond their pandera schema, each problem located (file, row, column), and of
the explicit factor ids a study names (a site's ``market_factor``, an exchange's or leg's ``factor``).

:func:`lca.factors.validate_factors` runs the schema first (types, ranges, finite numbers), then
these: the header, units and their dimension by category, what each category must state
(electricity: whether T&D losses are included; grid loss: a fraction in [0, 1) after unit
conversion, a loss scope), uncertainty parameters that fit their distribution, and one default
row per key and per edition.
"""

from __future__ import annotations

import re

import polars as pl

from lca.errors import Problem
from lca.factors.editions import edition_expr
from lca.units import dimension_name

LOSS_SCOPES = ("n/a", "transmission", "distribution")
#: What an electricity row may state as its basis (docs/method-rules.md §5): coverage in ``scope``
#: (``upstream`` = an adder), gases in ``gas`` (CO2 only, CO2e, or the gas-level rows of a CO2e set)
ELECTRICITY_SCOPES = ("combustion", "upstream", "life_cycle")
ELECTRICITY_ROW_GASES = ("CO2", "CO2e", "CH4_fossil", "N2O")
#: What a factor unit must look like for its gas (never suggest the kind of unit just refused).
UNIT_HINTS = {"co2e": "gas CO2e takes CO2e per unit of activity, e.g. 'kg_CO2e/kWh'",
              "mass": "a single gas takes a mass of that gas per unit of activity, e.g. 'kg/MMBtu' or 'g/kWh'",
              "none": "gas 'none' takes a plain ratio, e.g. 'kWh/kWh' or 'dimensionless'"}
_DUPLICATED = re.compile(r"^(.+)_duplicated_\d+$")


def column_problems(columns: list[str], allowed: list[str], file: str | None) -> list[Problem]:
    """Duplicate and unknown header columns (polars renames a repeated ``x`` to ``x_duplicated_0``)."""
    out = []
    for c in columns:
        m = _DUPLICATED.match(c)
        if m and m.group(1) in columns:
            out.append(Problem(f"column '{m.group(1)}' appears more than once in the header", file=file,
                               table="factors", column=m.group(1), hint="keep one column of each name"))
        elif c not in allowed:
            out.append(Problem(f"unknown column '{c}'", file=file, table="factors", column=c,
                               hint="remove it, or put the text in 'notes'; the columns are " + ", ".join(allowed)))
    return out


def _located(rows: pl.DataFrame, file: str | None, column: str, message, hint: str | None = None) -> list[Problem]:
    return [Problem(message(r), file=file, table="factors", row=r["__i"] + 1, column=column, hint=hint)
            for r in rows.iter_rows(named=True)]


def row_problems(checked: pl.DataFrame, allowed_dims: dict[str, tuple[str, ...]],
                 file: str | None) -> list[Problem]:
    """Semantic problems of a schema-valid factor table with its unit columns joined (``__i`` = row)."""
    problems = [Problem(f"factor '{r['id']}': {r['unit_error']}", file=file, table="factors", row=r["__i"] + 1,
                        column="unit", hint=UNIT_HINTS[r["numerator"]])
                for r in checked.filter(pl.col("unit_error").is_not_null()).iter_rows(named=True)]
    ok = checked.filter(pl.col("unit_error").is_null())
    dims = ok.select("per_dimension").unique()
    dims = dims.with_columns(pl.Series("dimension_name", [dimension_name(d) for d in dims.get_column("per_dimension")],
                                       dtype=pl.String))
    allowed = pl.DataFrame([(c, d) for c, ds in allowed_dims.items() for d in ds],
                           schema={"category": pl.String, "dimension_name": pl.String}, orient="row")
    wrong = ok.join(dims, on="per_dimension", how="left").join(allowed, on=["category", "dimension_name"], how="anti")
    problems += _located(wrong, file, "unit", lambda r: (
        f"factor '{r['id']}': unit '{r['unit']}' is per {r['dimension_name']}, but a {r['category']} factor must be "
        "per " + " or ".join(allowed_dims[r['category']])))
    is_loss = pl.col("category") == "grid_loss"
    problems += _located(checked.filter((pl.col("category") == "electricity")
                                        & ~pl.col("td_losses").is_in(["included", "excluded"]).fill_null(False)),
                         file, "td_losses", lambda r: f"electricity factor '{r['id']}' does not say whether it "
                         "includes T&D losses", "write 'included' (delivered/consumption-end factors) or 'excluded' "
                         "(generation-based factors)")
    is_el = pl.col("category") == "electricity"
    problems += _located(checked.filter(is_el & ~pl.col("scope").is_in(ELECTRICITY_SCOPES)), file, "scope",
                         lambda r: f"electricity factor '{r['id']}': scope '{r['scope']}' is not an electricity basis "
                         "coverage", "write combustion, life_cycle, or upstream (an adder to a combustion row)")
    problems += _located(checked.filter(is_el & ~pl.col("gas").is_in(ELECTRICITY_ROW_GASES)), file, "gas",
                         lambda r: f"electricity factor '{r['id']}': gas '{r['gas']}' is not an electricity basis gas",
                         "write CO2 (CO2 only) or CO2e, or gas-level CO2/CH4_fossil/N2O rows")
    problems += _located(checked.filter(is_loss != pl.col("scope").is_in(LOSS_SCOPES)), file, "scope", lambda r: (
        f"factor '{r['id']}': scope '{r['scope']}' " + ("is not a grid-loss scope" if r["category"] == "grid_loss"
                                                         else "is for grid-loss rows only")),
        "grid-loss rows: n/a (total T&D), transmission or distribution; other rows: the part of the chain "
        "they cover (combustion, upstream, life_cycle, …)")
    # a loss is a fraction of the electricity generated: [0, 1) after unit conversion (4.2 percent = 0.042)
    frac = pl.col("value") * pl.col("f_to_base")
    problems += _located(ok.filter(is_loss & (pl.col("per_dimension") == "dimensionless") & ~(frac < 1.0)), file,
                         "value", lambda r: f"grid-loss factor '{r['id']}': {r['value']} {r['unit']} is not a "
                         "fraction below 1", "write the loss as a fraction (0.042) or with unit 'percent' (4.2)")
    problems += _uncertainty_problems(checked, file)
    return problems + _duplicate_defaults(checked, file)


def _uncertainty_problems(df: pl.DataFrame, file: str | None) -> list[Problem]:
    """Parameters a distribution needs, and ranges that contain the value (same rules as Monte Carlo)."""
    kind, v, lo, hi = pl.col("unc_dist"), pl.col("value"), pl.col("unc_min"), pl.col("unc_max")
    live = df.filter(kind.is_not_null() & (kind != "none") & (v != 0))
    out = _located(live.filter((kind == "lognormal") & pl.col("unc_gsd").is_null()), file, "unc_gsd",
                   lambda r: f"factor '{r['id']}': unc_dist lognormal needs unc_gsd", "fill in unc_gsd (> 1)")
    out += _located(live.filter((kind == "normal") & pl.col("unc_sd").is_null()), file, "unc_sd",
                    lambda r: f"factor '{r['id']}': unc_dist normal needs unc_sd", "fill in unc_sd")
    ranged = live.filter(kind.is_in(["triangular", "uniform"]))
    out += _located(ranged.filter(lo.is_null() | hi.is_null()), file, "unc_min", lambda r: (
        f"factor '{r['id']}': unc_dist {r['unc_dist']} needs unc_min and unc_max"), "fill in unc_min and unc_max")
    bad = ranged.filter(lo.is_not_null() & hi.is_not_null()
                        & ((lo < 0) | (lo > hi) | ((kind == "triangular") & ((v < lo) | (v > hi)))))
    out += _located(bad, file, "unc_min", lambda r: (
        f"factor '{r['id']}': {r['unc_dist']} range {r['unc_min']:g}-{r['unc_max']:g} does not contain its value "
        f"{r['value']:g} (or is negative)"), "fix unc_min/unc_max")
    return out


def _duplicate_defaults(df: pl.DataFrame, file: str | None) -> list[Problem]:
    out = []
    dflt = df.filter(pl.col("status") == "default").with_columns(edition_expr().alias("__edition"))
    for flow, region, year, scope, gas, ids in (dflt.group_by("flow", "region", "year", "scope", "gas")
                                                .agg(pl.col("id").sort()).filter(pl.col("id").list.len() > 1)
                                                .sort("flow", "region", "year", "scope", "gas").iter_rows()):
        out.append(Problem(f"two default factors for flow '{flow}', region {region}, year {year}, scope {scope}, "
                           f"gas {gas}: {', '.join(ids)}", file=file, table="factors",
                           hint="mark all but one as status 'alternative'"))
    # same edition and year is the check above; same edition across years is one publication twice
    for flow, region, ed, scope, gas, ids in (dflt.group_by("flow", "region", "__edition", "scope", "gas")
                                              .agg(pl.col("id").sort(), pl.col("year").n_unique().alias("__years"))
                                              .filter(pl.col("__years") > 1).drop("__years")
                                              .sort("flow", "region", "__edition", "scope", "gas").iter_rows()):
        out.append(Problem(f"edition '{ed}' has two default rows for flow '{flow}', region {region}, scope {scope}, "
                           f"gas {gas}: {', '.join(ids)}", file=file, table="factors", column="dataset",
                           hint="one edition is one publication: give each vintage its own dataset id"))
    return out


def _describe(cat: str, flow: str, dim: str, file: str | None) -> str:
    where = f", {file}" if file else ""
    return f"a {cat} factor (flow '{flow}', per {dimension_name(dim)}{where})"


def market_factor_problems(sites: pl.DataFrame, f: pl.DataFrame) -> list[Problem]:
    """Every site's ``market_factor`` must be a known electricity factor, whatever the rule in force."""
    if "market_factor" not in sites.columns:
        return []
    mk = (sites.select("id", "market_factor").filter(pl.col("market_factor").is_not_null())
          .join(f, left_on="market_factor", right_on="factor_id", how="left"))
    out = []
    wrong = mk.filter(pl.col("category").is_null() | (pl.col("category") != "electricity"))
    for site, fid, cat, flow, dim, file in wrong.select("id", "market_factor", "category", "factor_flow",
                                                        "per_dimension", "factor_file").iter_rows():
        where = dict(table=f"site '{site}'", column="market_factor")
        if cat is None:
            out.append(Problem(f"unknown factor id '{fid}'", hint="check the id with `lca factors search`", **where))
        else:
            out.append(Problem(f"market_factor '{fid}' is {_describe(cat, flow, dim, file)}; a site's market factor "
                               "must be an electricity factor (per energy)", **where,
                               hint="name a supplier-specific electricity factor "
                                    "(`lca factors list --category electricity`)"))
    return out


def explicit_kind_problems(exp: pl.DataFrame, f: pl.DataFrame,
                           category_dims: dict[str, tuple[str, ...]]) -> list[Problem]:
    """An explicit factor must be of the category its flow takes (electricity for electricity, freight for legs).

    A factor of another flow of the same category is accepted (a deliberate proxy, e.g. polypropylene for
    a custom resin; lineage records both flows); a flow the library does not know takes any category
    but grid loss. The denominator's dimension is checked against the activity's unit when characterised.
    """
    takes = f.group_by(pl.col("factor_flow").alias("flow")).agg(pl.col("category").unique().sort().alias("takes"))
    x = exp.join(takes, on="flow", how="left").filter(
        (pl.col("category") == "grid_loss")
        | (pl.col("takes").is_not_null() & ~pl.col("category").is_in(pl.col("takes")).fill_null(False)))
    out = []
    for flow, fid, cat, fflow, dim, file, takes, origin in x.select(
            "flow", "factor", "category", "factor_flow", "per_dimension", "factor_file", "takes", "origin").unique(
            ).sort("origin", "factor").iter_rows():
        kinds = [t for t in (takes or []) if t != "grid_loss"]
        need = " or ".join(kinds) if kinds else "emission"
        dims = " or ".join(d for t in kinds for d in category_dims.get(t, ())) or "its unit"
        out.append(Problem(f"factor '{fid}' is {_describe(cat, fflow, dim, file)}, but flow '{flow}' takes {need} "
                           f"factors (per {dims})", table=origin, column="factor",
                           hint=f"name a {need} factor (`lca factors list --flow {flow}`), or remove the id"))
    return out
