"""``lca report``: write the self-contained HTML disclosure (and optionally a PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from lca.commands.common import (CELL_PLANT_OPT, FACTORS_OPT, GWP_OPT, RULE_OPT, TD_OPT, STUDY_ARG, ElectricityRule, Gwp, TdLosses, compute_study, err_console,
                                 handle_errors, iso_timestamp)


def register(app: typer.Typer) -> None:
    app.command("report")(report)


@handle_errors
def report(
    study: Optional[Path] = STUDY_ARG,
    output: Path = typer.Option(Path("separator-report.html"), "-o", "--output", help="HTML file to write."),
    pdf: bool = typer.Option(False, "--pdf", help="Also print the report to PDF with headless Chromium."),
    timestamp: Optional[str] = typer.Option(None, "--timestamp", callback=iso_timestamp,
                                            help="Pin the run timestamp (ISO 8601) for byte-identical reports."),
    cell_plant: Optional[str] = CELL_PLANT_OPT,
    gwp: Optional[Gwp] = GWP_OPT,
    electricity_rule: Optional[ElectricityRule] = RULE_OPT,
    td_losses: Optional[TdLosses] = TD_OPT,
    factors: Optional[List[Path]] = FACTORS_OPT,
    uncertainty: bool = typer.Option(False, "--uncertainty", help="Run a Monte Carlo analysis and include it."),
    iterations: int = typer.Option(10_000, "--iterations", min=100, help="Monte Carlo iterations (with "
                                                                          "--uncertainty)."),
    seed: int = typer.Option(42, "--seed", help="Random seed of the Monte Carlo analysis (fixed: reproducible)."),
) -> None:
    """Compute the study and write a self-contained HTML report (no network, inline SVG).

    Example: lca report -o separator-report.html --pdf --uncertainty --iterations 20000
    """
    from lca.errors import OutputError
    from lca.outputs import write_atomic
    from lca.report import now_iso, render_html, write_pdf

    fp = compute_study(study, factors=factors, cell_plant=cell_plant, gwp=gwp,
                       electricity_rule=electricity_rule, td_losses=td_losses)
    unc = None
    if uncertainty:
        try:
            from lca.uncertainty import run_uncertainty
        except ImportError:
            raise OutputError("--uncertainty needs lca.uncertainty, which this build does not include") from None
        unc = run_uncertainty(fp, iterations=iterations, seed=seed)
    html = render_html(fp, timestamp=timestamp or now_iso(), uncertainty=unc)
    write_atomic(output, html)
    err_console().print(f"wrote {output} ({len(html.encode()) / 1024:.0f} KiB)", markup=False)
    if pdf:
        pdf_path = output.with_suffix(".pdf")
        write_pdf(output, pdf_path)
        err_console().print(f"wrote {pdf_path}", markup=False)
