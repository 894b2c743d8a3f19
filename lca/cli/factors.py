"""``lca factors``: browse, search and validate emission factors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from lca.cli.common import FormatOpt, OutputFormat, StudyArg, Switches, method_switches, print_frame
from lca.cli.console import err_console, fmt, handle_errors, out_console

factors_app = typer.Typer(help="Browse, search and validate the emission-factor library.",
                          no_args_is_help=True)


SHORT_STATUS = {"alternative": "alt.", "sensitivity": "sens."}

#: ``--factors`` of the factors commands: a layer on the library (the library is what they show)
LayerOpt = Annotated[Optional[List[Path]], typer.Option("--factors", help="Also load this user factor file.")]

LIST_COLUMNS = ["id", "flow", "category", "region", "value", "unit", "gas", "scope", "year", "status", "estimate",
                "source", "citation_quality"]


def _library(extra: Optional[List[Path]]):
    from lca.factors import load_library

    return load_library(*(extra or []))


def _emit(df, output_format: OutputFormat, title: str) -> None:
    import polars as pl

    if print_frame(df, output_format):
        return
    from rich.table import Table

    from rich import box

    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False)
    for c in ("id", "region", "value", "unit", "gas", "year", "status"):
        table.add_column(c, justify="right" if c in ("value", "year") else "left",
                         no_wrap=True)
    for r in df.iter_rows(named=True):
        table.add_row(r["id"], r["region"], fmt(r["value"]), r["unit"], r["gas"], str(r["year"]),
                      SHORT_STATUS.get(r["status"], r["status"]) + ("*" if r["estimate"] else ""))
    out_console().print(table)
    if df.height:
        err_console().print("* = engineering estimate · alt. = alternative dataset · sens. = sensitivity only · "
                            "details and citation: lca factors show ID · all columns: --format csv", markup=False)
    if df.height == 0:
        err_console().print("no factor matches these filters", markup=False)
    _ = pl


@factors_app.command("list")
@handle_errors
def list_factors(
    category: Optional[str] = typer.Option(None, "--category", help="electricity, fuel, material, freight, …"),
    region: Optional[str] = typer.Option(None, "--region", help="Region code, e.g. US-SRVC, JP, GLO."),
    gas: Optional[str] = typer.Option(None, "--gas", help="CO2e, CO2, CH4_fossil, N2O, …"),
    flow: Optional[str] = typer.Option(None, "--flow", help="Flow id, e.g. electricity, hdpe_resin."),
    source: Optional[str] = typer.Option(None, "--source", help="Text to find in the source citation."),
    status: Optional[str] = typer.Option(None, "--status", help="default, alternative, sensitivity, market."),
    year: Optional[int] = typer.Option(None, "--year", help="Reference year."),
    factors: LayerOpt = None,
    output_format: FormatOpt = OutputFormat.table,
) -> None:
    """List factors, filtered. Example: lca factors list --region US-SRVC"""
    import polars as pl

    df = _library(factors).factors
    for col, val in (("category", category), ("region", region), ("gas", gas), ("flow", flow),
                     ("status", status)):
        if val is not None:
            df = df.filter(pl.col(col).str.to_lowercase() == val.lower())
    if year is not None:
        df = df.filter(pl.col("year") == year)
    if source:
        df = df.filter(pl.col("source").str.to_lowercase().str.contains(source.lower(), literal=True))
    _emit(df.select(LIST_COLUMNS).sort("flow", "region", "year", "id"), output_format, f"{df.height} factors")


@factors_app.command("show")
@handle_errors
def show(
    factor_id: str = typer.Argument(..., help="Factor id (see `lca factors list` / `search`)."),
    factors: LayerOpt = None,
) -> None:
    """Everything about one factor, including its full citation. Example: lca factors show grid.egrid2023r2.us-srvc"""
    lib = _library(factors)
    from lca.errors import FactorError, Problem

    try:
        row = lib.get(factor_id)
    except FactorError:
        import difflib

        close = difflib.get_close_matches(factor_id, lib.factors.get_column("id").to_list(), n=5, cutoff=0.5)
        hint = ("did you mean " + ", ".join(close) + "?") if close else "list ids with `lca factors search TEXT`"
        raise FactorError(Problem(f"unknown factor id '{factor_id}'", hint=hint)) from None
    console = out_console()
    skip = {"numerator", "f_to_base", "per_dimension"}
    width = max(len(k) for k in row)
    for k, v in row.items():
        if k in skip or v is None or v == "":
            continue
        console.print(f"{k:<{width}}  {v}", markup=False)


@factors_app.command("search")
@handle_errors
def search(
    text: str = typer.Argument(..., help="Words to find in id, name, flow, region, source or notes."),
    factors: LayerOpt = None,
    output_format: FormatOpt = OutputFormat.table,
) -> None:
    """Find factors whose id, name, flow, region, source or notes contain all the words."""
    import polars as pl

    df = _library(factors).factors
    hay = pl.concat_str([pl.col(c).fill_null("") for c in ("id", "name", "flow", "region", "source", "notes")],
                        separator=" ").str.to_lowercase()
    for word in text.lower().split():
        df = df.filter(hay.str.contains(word, literal=True))
    _emit(df.select(LIST_COLUMNS).sort("flow", "region", "year", "id"), output_format,
          f"{df.height} factors matching '{text}'")


@factors_app.command("validate")
@handle_errors
def validate(file: Path = typer.Argument(..., help="A user factor file (CSV or Parquet).")) -> None:
    """Check a factor file as a --factors layer: its rows (units, dimensions by category, sources, ids), then the
    library with it on top (no two default editions of one flow, region and scope with the same year). Exit 1 if
    invalid."""
    from lca.factors import check_layer, read_factor_file

    df = read_factor_file(file)
    check_layer(df, file=str(file))
    err_console().print(f"{file}: {df.height} factors, all valid", markup=False)
    # optional for users, but a reviewer reads an unstated citation as an estimate: say so (exit 0)
    quality = df.get_column("citation_quality") if "citation_quality" in df.columns else None
    unstated = df.height if quality is None else quality.cast(str).replace("", None).null_count()
    if unstated:
        err_console().print(f"warning: {file}: {unstated} of {df.height} factors state no citation_quality (primary, "
                            "secondary or estimate): the factor-risk table (lca factors audit, the report) rates them "
                            "as estimates", markup=False)


@factors_app.command("audit")
@handle_errors
@method_switches
def audit(
    study: StudyArg = None,
    switches: Switches = None,
    top: Optional[int] = typer.Option(None, "--top", min=1, help="Show only the N highest risks."),
    output_format: FormatOpt = OutputFormat.table,
) -> None:
    """Factor risk of a study: every factor it charges, ranked by contribution × citation weakness
    (primary 1, secondary 3, estimate or not stated 5), as the report's "Factor risk" table.
    Example: lca factors audit --format csv"""
    from lca.results.risk import factor_risk

    fp = switches.compute(study)
    risk = factor_risk(fp)
    if top is not None:
        risk = risk.head(top)
    if print_frame(risk, output_format):
        return
    from rich import box
    from rich.table import Table

    table = Table(title=f"Factor risk: {fp.meta.title}", title_justify="left", box=box.SIMPLE_HEAD,
                  collapse_padding=True, pad_edge=False)
    # ids are printed whole (they are what `lca factors show` takes); the scenario may shorten
    for c, right in (("#", True), ("factor", False), ("citation", False), ("share", True), ("scenario", False),
                     ("risk", True)):
        table.add_column(c, justify="right" if right else "left", no_wrap=True,
                         overflow="ellipsis" if c == "scenario" else "fold")
    for r in risk.iter_rows(named=True):
        quality = r["citation_quality"] + ("" if r["stated"] else "*")
        table.add_row(str(r["rank"]), r["factor_id"], quality, f"{100 * r['share']:.1f}%", r["scenario"],
                      f"{r['risk']:.3f}")
    out_console().print(table)
    err_console().print("share = largest share of a scenario total · risk = share × citation weight (primary 1, "
                        "secondary 3, estimate 5) · * = states no citation_quality, counted as an estimate · all "
                        "columns: --format csv", markup=False)
