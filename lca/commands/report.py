"""``lca report``: write the self-contained HTML disclosure (and optionally a PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from lca.commands.common import STUDY_ARG, ElectricityRule, Gwp, TdLosses, compute_study, err_console, \
    handle_errors


def register(app: typer.Typer) -> None:
    app.command("report")(report)


@handle_errors
def report(
    study: Optional[Path] = STUDY_ARG,
    output: Path = typer.Option(Path("separator-report.html"), "-o", "--output", help="HTML file to write."),
    pdf: bool = typer.Option(False, "--pdf", help="Also print the report to PDF with headless Chromium."),
    timestamp: Optional[str] = typer.Option(None, "--timestamp", help="Pin the run timestamp (ISO 8601) for "
                                                                      "byte-identical reports."),
    cell_plant: Optional[str] = typer.Option(None, "--cell-plant", help="Site id of the cell plant."),
    gwp: Optional[Gwp] = typer.Option(None, "--gwp", case_sensitive=False, help="GWP100 set."),
    electricity_rule: Optional[ElectricityRule] = typer.Option(None, "--electricity-rule"),
    td_losses: Optional[TdLosses] = typer.Option(None, "--td-losses"),
    factors: Optional[List[Path]] = typer.Option(None, "--factors", help="User factor file; repeatable."),
) -> None:
    """Compute the study and write a self-contained HTML report (no network, inline SVG).

    Example: lca report -o separator-report.html --pdf
    """
    from lca.report import render_html, write_pdf, now_iso
    from lca.outputs import write_atomic

    fp = compute_study(study, factors=factors, cell_plant=cell_plant, gwp=gwp,
                       electricity_rule=electricity_rule, td_losses=td_losses)
    html = render_html(fp, timestamp=timestamp or now_iso())
    write_atomic(output, html)
    err_console().print(f"wrote {output} ({len(html.encode()) / 1024:.0f} KiB)", markup=False)
    if pdf:
        pdf_path = output.with_suffix(".pdf")
        write_pdf(output, pdf_path)
        err_console().print(f"wrote {pdf_path}", markup=False)
