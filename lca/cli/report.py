"""``lca report``: write the self-contained HTML disclosure (and optionally a PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from lca.choices import DEFAULT_ITERATIONS, DEFAULT_SEED
from lca.cli.common import SeedOpt, StudyArg, Switches, compute_loaded, iso_timestamp, method_switches, study_inputs
from lca.cli.console import err_console, handle_errors


@handle_errors
@method_switches
def report(
    study: StudyArg = None,
    output: Path = typer.Option(Path("separator-report.html"), "-o", "--output", help="HTML file to write."),
    pdf: bool = typer.Option(False, "--pdf", help="Also print the report to PDF with headless Chromium."),
    timestamp: Optional[str] = typer.Option(None, "--timestamp", callback=iso_timestamp,
                                            help="Pin the run timestamp (ISO 8601) for byte-identical reports."),
    switches: Switches = None,
    uncertainty: bool = typer.Option(False, "--uncertainty", help="Run a Monte Carlo analysis and include it."),
    iterations: int = typer.Option(DEFAULT_ITERATIONS, "--iterations", min=100, help="Monte Carlo iterations (with "
                                                                                    "--uncertainty)."),
    seed: SeedOpt = DEFAULT_SEED,
) -> None:
    """Compute the study and write a self-contained HTML report (no network, inline SVG).

    With --pdf the PDF is written next to the HTML (r.html → r.pdf); -o r.pdf --pdf writes the PDF to
    r.pdf and the HTML beside it as r.html. No output may be one of the inputs.

    Example: lca report -o separator-report.html --pdf --uncertainty --iterations 20000
    """
    from lca.errors import OutputError
    from lca.outputs import check_output_path, guard_outputs, write_atomic
    from lca.report import now_iso, render_html, write_pdf
    from lca.resources import templates_dir

    html_path, pdf_path = _paths(output, pdf)
    outputs = [("-o/--output", html_path)] + ([("--pdf", pdf_path)] if pdf_path else [])
    for option, path in outputs:
        check_output_path(path, option)
    s = switches.load(study)
    guard_outputs(outputs, study_inputs(s, switches.factors) + [("report template folder", templates_dir())])
    fp = compute_loaded(s, switches.factors)
    unc = None
    if uncertainty:
        try:
            from lca.uncertainty import run_uncertainty
        except ImportError:
            raise OutputError("--uncertainty needs lca.uncertainty, which this build does not include") from None
        unc = run_uncertainty(fp, iterations=iterations, seed=seed)
    html = render_html(fp, timestamp=timestamp or now_iso(), uncertainty=unc)
    write_atomic(html_path, html)
    err_console().print(f"wrote {html_path} ({len(html.encode()) / 1024:.0f} KiB)")
    if pdf_path is not None:
        write_pdf(html_path, pdf_path)
        err_console().print(f"wrote {pdf_path}")


def _paths(output: Path, pdf: bool) -> tuple[Path, Path | None]:
    """(HTML path, PDF path or None). The HTML is never printed over itself: ``-o r.pdf --pdf`` puts
    the PDF at r.pdf and the HTML beside it (r.html)."""
    if not pdf:
        return output, None
    if output.suffix.lower() == ".pdf":
        return output.with_suffix(".html"), output
    return output, output.with_suffix(".pdf")
