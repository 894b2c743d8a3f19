"""Electricity on a declared basis, built from components (docs/method-rules.md "Electricity basis").

A study reports its electricity on one basis (``[method] electricity_basis``): coverage (combustion
or life cycle), point (at generation, or at the point of consumption = with T&D losses) and gases
(CO2 only, or CO2e). Every electricity factor row states its own basis in existing columns of its
file, read through the maps below: ``scope`` (``combustion``; ``life_cycle``; ``upstream`` = an
*adder*, the fuel chain and infrastructure to add to a combustion row), ``td_losses`` and ``gas``.

The engine builds the declared basis per activity where it can:

* life cycle: a combustion row gets the upstream adder found first in the site's region chain (a
  cited row of its own, charged as an extra contribution of the same activity); a life-cycle row
  already has it and never gets one; under a combustion basis adders are never charged;
* consumption: rows without losses are grossed up by the grid's loss (:mod:`lca.factors.losses`);
* gases: cannot be built (no shipped component): reported.

What it cannot build is reported per site with a screening estimate of its size (:data:`SCREENING`)
in ``Footprint.electricity_basis`` (:func:`site_bases`), never silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from lca.choices import ELECTRICITY_BASES, ELECTRICITY_COVERAGES, ELECTRICITY_GASES, ELECTRICITY_POINTS
from lca.factors.library import FactorLibrary
from lca.factors.resolution import default_rows, factor_columns, region_chains

#: ``scope`` of an electricity row → coverage (``upstream`` rows are adders, not a coverage)
COVERAGE_OF_SCOPE = {"combustion": "combustion", "life_cycle": "lifecycle"}
#: scope of an upstream adder row
ADDER_SCOPE = "upstream"
#: ``td_losses`` of an electricity row → point
POINT_OF_TD_LOSSES = {"excluded": "generation", "included": "consumption"}
#: Screening size of each component when the engine cannot build it (fraction of the part it sits on):
#: upstream ≈ 20 % of combustion (Electricity Maps 2024 life-cycle/direct ratios of the zones shipped:
#: 1.11-1.50, median 1.20); T&D losses 5 % (EIA US average 2017-2021 ≈ 5 %; Kansai 4.4-5.5 %);
#: CH4 + N2O of combustion 0.5 % of CO2 (eGRID2023 rev2 US: 770.884 CO2e / 767.209 CO2 lb/MWh).
SCREENING = {"upstream": 0.20, "losses": 0.05, "gases": 0.005}
DEFAULT_BASIS = ELECTRICITY_BASES[0]


@dataclass(frozen=True)
class Basis:
    """One electricity basis: coverage, point and gases (:data:`lca.choices.ELECTRICITY_BASES`)."""

    coverage: str = ELECTRICITY_COVERAGES[0]
    point: str = ELECTRICITY_POINTS[0]
    gases: str = ELECTRICITY_GASES[0]

    @classmethod
    def parse(cls, text: str) -> "Basis":
        """``lifecycle-consumption-CO2e`` → Basis; ValueError for anything else (callers locate it)."""
        if text not in ELECTRICITY_BASES:
            raise ValueError(text)
        return cls(*text.split("-"))

    def __str__(self) -> str:
        return f"{self.coverage}-{self.point}-{self.gases}"

    @property
    def words(self) -> str:
        """``life cycle at the point of consumption, CO2e``."""
        cov = "life cycle" if self.coverage == "lifecycle" else "combustion only"
        at = "at the point of consumption (T&D losses included)" if self.point == "consumption" else "at generation"
        return f"{cov} {at}, {'all gases (CO2e)' if self.gases == 'CO2e' else 'CO2 only'}"


def without_adders(library: FactorLibrary) -> FactorLibrary:
    """The library for the main resolution: electricity adders are components, never a region's factor."""
    adder = (pl.col("category") == "electricity") & (pl.col("scope") == ADDER_SCOPE)
    return replace(library, factors=library.factors.filter(~adder))


def add_upstream(resolved: pl.DataFrame, sites: pl.DataFrame, library: FactorLibrary, *, ref_year: int,
                 electricity_rule: str, basis: Basis) -> pl.DataFrame:
    """Resolved rows plus, under a life-cycle basis, one upstream adder row per electricity activity
    charged a combustion row only (the adder of the first region of the site's chain that has one)."""
    if basis.coverage != "lifecycle":
        return resolved
    el = resolved.filter(pl.col("category") == "electricity")
    need = (el.group_by("act").agg((pl.col("scope") == "combustion").any().alias("c"),
                                   (pl.col("scope") != "combustion").any().alias("other"))
            .filter(pl.col("c") & ~pl.col("other")).select("act"))
    if need.height == 0:
        return resolved
    f = factor_columns(library.factors).filter((pl.col("category") == "electricity") & (pl.col("scope") == ADDER_SCOPE))
    acts = (el.join(need, on="act").unique("act", keep="first")
            .select("act", "site", "flow", pl.lit("electricity").alias("rule_scope")))
    found, _ = default_rows(acts, region_chains(sites, electricity_rule), f, ref_year)
    if found.height == 0:
        return resolved
    fcols = [c for c in f.columns if c != "factor_flow"]
    base = (resolved.join(found.select("act").unique(), on="act").unique("act", keep="first")
            .drop([c for c in fcols if c in resolved.columns], "region_used", "region_fallback", "vintage_note",
                  "method_note", strict=False))
    year = pl.col("factor_year")
    rows = base.join(found.select("act", *fcols, "level"), on="act").with_columns(
        pl.col("region").alias("region_used"), pl.col("level").alias("region_fallback"),
        pl.when(year < ref_year).then(pl.format("latest vintage up to {} is {}", pl.lit(ref_year), year))
        .when(year > ref_year).then(pl.format("no vintage up to {}; used {} (later)", pl.lit(ref_year), year))
        .otherwise(pl.lit(None, pl.String)).alias("vintage_note"),
        pl.lit(None, pl.String).alias("method_note"))
    return pl.concat([resolved, rows.select(resolved.columns)], how="vertical_relaxed").sort("act", "factor_id")


def site_bases(detail: pl.DataFrame, sites: pl.DataFrame, declared: Basis) -> pl.DataFrame:
    """``scenario, site, grid, coverage, point, gases, declared, missing, bias``: the basis each site's
    electricity is on, as charged, and what differs from the declared basis with its estimated effect
    (``bias``: fraction of the site's electricity emissions, negative = the result is too low)."""
    schema = {"scenario": pl.String, "site": pl.String, "grid": pl.String, "coverage": pl.String,
              "point": pl.String, "gases": pl.String, "declared": pl.String, "missing": pl.String,
              "bias": pl.Float64}
    el = detail.filter(pl.col("category") == "electricity")
    if el.height == 0:
        return pl.DataFrame(schema=schema)
    grossed = pl.col("td_loss").is_not_null() if "td_loss" in el.columns else pl.lit(False)
    main = pl.col("scope") != ADDER_SCOPE
    g = (el.group_by("scenario", "site", maintain_order=True).agg(
        ((pl.col("scope") == "life_cycle").any() | pl.col("scope").eq(ADDER_SCOPE).any()).alias("lc"),
        (pl.col("td_losses").eq("included") | grossed).filter(main).all().alias("cons"),
        (pl.col("gas").eq("CO2e").filter(main).all()  # CO2e rows, or gas-level rows with CH4/N2O
         | pl.col("gas").is_in(["CH4_fossil", "N2O"]).filter(main).any()).alias("co2e"),
        pl.col("region_used").filter(main).first().alias("region"),
        pl.col("td_loss").filter(grossed).first().alias("loss") if "td_loss" in el.columns
        else pl.lit(None, pl.Float64).alias("loss")))
    s = SCREENING
    parts = [  # (condition, text, factor on the site's electricity emissions)
        (~pl.col("lc") & (declared.coverage == "lifecycle"),
         pl.format("upstream (no upstream adder for {})", pl.col("region")), 1 / (1 + s["upstream"])),
        (pl.col("lc") & (declared.coverage == "combustion"),
         pl.lit("upstream included (a life-cycle factor)"), 1 + s["upstream"]),
        (~pl.col("cons") & (declared.point == "consumption"),
         pl.format("T&D losses (no grid-loss factor for {})", pl.col("region")), 1 - s["losses"]),
        (pl.col("cons") & (declared.point == "generation"),
         pl.lit("T&D losses included (a consumption-end factor)"), 1 / (1 - s["losses"])),
        (~pl.col("co2e") & (declared.gases == "CO2e"), pl.lit("CH4 and N2O of combustion (a CO2-only factor)"),
         1 / (1 + s["gases"])),
        (pl.col("co2e") & (declared.gases == "CO2"), pl.lit("CH4 and N2O included (a CO2e factor)"), 1 + s["gases"]),
    ]
    missing = pl.concat_str([pl.when(c).then(t) for c, t, _ in parts], separator="; ", ignore_nulls=True)
    factor = pl.lit(1.0)
    for c, _, k in parts:
        factor = factor * pl.when(c).then(pl.lit(k)).otherwise(pl.lit(1.0))
    grid = sites.select(pl.col("id").alias("site"),
                        (pl.col("grid") if "grid" in sites.columns else pl.lit(None, pl.String)).alias("__grid"))
    return (g.join(grid, on="site", how="left", maintain_order="left").with_columns(
        pl.coalesce("__grid", "region").alias("grid"),
        pl.when(pl.col("lc")).then(pl.lit("lifecycle")).otherwise(pl.lit("combustion")).alias("coverage"),
        pl.when(pl.col("cons")).then(pl.lit("consumption")).otherwise(pl.lit("generation")).alias("point"),
        pl.when(pl.col("co2e")).then(pl.lit("CO2e")).otherwise(pl.lit("CO2")).alias("gases"),
        pl.lit(str(declared)).alias("declared"), missing.replace("", None).alias("missing"),
        (factor - 1.0).alias("bias"))
        .select(list(schema)).cast(schema))


def basis_warnings(bases: pl.DataFrame) -> list[str]:
    """Methodology warnings: sites not on the declared basis, and sites of one study on different bases."""
    out = []
    if bases.height == 0:
        return out
    per_site = bases.unique(["site"], keep="first", maintain_order=True)
    for site, grid, missing, bias, declared in per_site.filter(pl.col("missing").is_not_null()).select(
            "site", "grid", "missing", "bias", "declared").iter_rows():
        out.append(f"site '{site}' ({grid}): electricity not on the declared basis {declared}: {missing} "
                   f"(estimated effect {bias:+.1%} of its electricity emissions)")
    kinds = per_site.select(pl.format("{}-{}-{}", "coverage", "point", "gases").alias("b"), "site")
    if kinds.get_column("b").n_unique() > 1:
        listed = "; ".join(f"{b}: {', '.join(s)}" for b, s in kinds.group_by("b", maintain_order=True)
                           .agg(pl.col("site")).iter_rows())
        out.append(f"electricity of the compared sites is on mixed bases ({listed}): scenario comparisons "
                   "mix bases")
    return out
