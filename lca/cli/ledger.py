"""CLI command ``lca ledger``: per-lot footprints for a shipments table (registered by `lca.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from lca.choices import ON_ERROR, PARTITIONS
from lca.cli.common import area_per_roll, choice_enum, load, study_inputs
from lca.cli.console import err_console, fmt, handle_errors, out_console


OnError = choice_enum("OnError", ON_ERROR)
PartitionBy = choice_enum("PartitionBy", PARTITIONS)


def _window(value: Optional[str]) -> Optional[str]:
    """Typer callback: a malformed --date-window is a usage error (exit 2)."""
    if value is not None:
        from lca.errors import LcaInputError
        from lca.ledger.plan import date_window

        try:
            date_window(None, value)
        except LcaInputError as exc:
            raise typer.BadParameter(exc.problems[0].message.split(": ", 1)[-1]) from None
    return value


@handle_errors
def ledger(
    shipments: Path = typer.Argument(..., help="Shipments/lots table: .csv, .parquet or a folder of Parquet files.",
                                     show_default=False),
    out: Path = typer.Option(..., "-o", "--out", help="Output Parquet file (a folder with --partition-by)."),
    study: Optional[Path] = typer.Option(None, "--study", "-s",
                                         help="Study TOML; default: the bundled default study."),
    plant_data: Optional[Path] = typer.Option(None, "--plant-data",
                                              help="Primary plant data (plant, period, carrier, energy, output)."),
    on_error: OnError = typer.Option(OnError.fail, "--on-error", case_sensitive=False,
                                     help="fail: exit 1 listing bad lots, write nothing; skip: write them "
                                          "to the rejects file."),
    rejects: Optional[Path] = typer.Option(None, "--rejects",
                                           help="Rejects file (default: OUT stem + .rejects.parquet)."),
    partition_by: Optional[PartitionBy] = typer.Option(None, "--partition-by",
                                                       help="Write one folder per period (period=YYYY-MM/lots.parquet): one streaming sink per month, "
                                                            "peak memory about that of a single file."),
    m2_per_roll: Optional[str] = typer.Option(None, "--m2-per-roll", callback=area_per_roll,
                                              help="Area of one roll for unit 'roll', e.g. 1200 or '1200 m^2'."),
    max_listed: int = typer.Option(20, "--max-listed", min=1, help="Bad lots listed when failing."),
    date_window: Optional[str] = typer.Option(None, "--date-window", metavar="FIRST..LAST", callback=_window,
                                              help="Dates lots may carry, e.g. 2020-01-01..2030-12-31; lots "
                                                   "outside are bad rows (default: the study's reference "
                                                   "period ± 5 years)."),
) -> None:
    """Footprint of every lot (quantity × intensity of its scenario, destination plant and month)."""
    from lca.results import compute
    from lca.ledger import compute_ledger

    st = _guard(shipments, out, study, plant_data, rejects, partition_by)
    with err_console().status("computing the ledger (streaming)…", spinner="dots"):
        r = compute_ledger(shipments, compute(st), out=out, plant_data=plant_data, on_error=on_error.value,
                           rejects=rejects, partition_by=partition_by.value if partition_by else None,
                           m2_per_roll=m2_per_roll, max_listed=max_listed, date_window=date_window)
    _print_summary(r)


def _guard(shipments: Path, out: Path, study: Optional[Path], plant_data: Optional[Path], rejects: Optional[Path],
           partition_by) -> object:
    """Check the outputs can be written and are none of the inputs; return the loaded study (passed on,
    so the files checked are the files read)."""
    from lca.errors import OutputError
    from lca.outputs import check_output_path, guard_outputs

    if out.name in ("", "..") or (rejects is not None and rejects.name in ("", "..")):
        raise OutputError(f"cannot write {out if out.name in ('', '..') else rejects}: give a file or folder "
                          f"name, not the current or parent folder")
    rejects_path = rejects or out.with_name(out.stem + ".rejects.parquet")  # the ledger's default
    check_output_path(out, "-o/--out", folder=partition_by is not None)
    check_output_path(rejects_path, "--rejects")
    st = load(study)
    inputs = [("shipments", shipments), ("plant data (--plant-data)", plant_data), *study_inputs(st)]
    guard_outputs([("-o/--out", out), ("--rejects" if rejects else "rejects file (default)", rejects_path)], inputs)
    return st


def _print_summary(r) -> None:
    from rich.table import Table

    con = out_console()
    for key, title in (("period", "month"), ("destination_plant", "destination plant"), ("scenario", "route")):
        t = Table(title=f"Totals by {title}", title_justify="left")
        for col, just in ((title, "left"), ("lots", "right"), (f"quantity ({r.plan.declared_unit})", "right"),
                          ("footprint (kg_CO2e)", "right")):
            t.add_column(col, justify=just)
        for k, n, q, f, _u in r.summary[key].iter_rows():
            t.add_row(str(k), f"{n:,}", fmt(q), fmt(f))
        con.print(t)
    total, unit = r.total
    con.print(f"lots in: {r.n_in:,}  written: {r.n_out:,}  rejected: {r.n_rejected:,}  "
              f"(in = written + rejected: {'yes' if r.n_in == r.n_out + r.n_rejected else 'NO'})")
    con.print(f"total: {fmt(total)} {unit} → {r.out}")
    con.print(r.checks)
    if r.rejects_path is not None:
        con.print(f"rejected lots with reasons → {r.rejects_path}")
