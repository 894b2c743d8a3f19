"""``lca uncertainty``: Monte Carlo of every scenario, P(B < A), sensitivity and break-even values."""

from __future__ import annotations

from typing import Optional

import typer

from lca.choices import DEFAULT_ITERATIONS, DEFAULT_SEED, UNCERTAINTY_TABLES
from lca.cli.common import (FormatOpt, OutputFormat, Per, PerOpt, SeedOpt, StudyArg, Switches, check_per,
                            check_scenarios, choice_enum, compare_opt, method_switches)
from lca.cli.console import err_console, fmt, handle_errors, out_console, styled

#: runs at least this long (iterations) get a progress bar on stderr
PROGRESS_FROM = 50_000


UncTable = choice_enum("UncTable", UNCERTAINTY_TABLES)
CompareOpt = compare_opt("Scenario ids A B: report P(B < A) and break-even values (default: the study's "
                         "comparison).")


def _max_memory(value: Optional[str]) -> Optional[str]:
    """Typer callback: a malformed or impossible ``--max-memory`` is a usage error (exit 2)."""
    from lca.uncertainty.checks import parse_bytes

    if value is not None:
        try:
            parse_bytes(value)
        except ValueError as exc:
            raise typer.BadParameter(f"{exc} (e.g. --max-memory 8GiB)") from None
    return value


@handle_errors
@method_switches
def uncertainty(
    study: StudyArg = None,
    iterations: int = typer.Option(DEFAULT_ITERATIONS, "--iterations", "-n", min=1,
                                   help="Monte Carlo iterations (>= 1)."),
    seed: SeedOpt = DEFAULT_SEED,
    max_memory: Optional[str] = typer.Option(None, "--max-memory", metavar="SIZE", callback=_max_memory,
                                             help="Memory a run may allocate, e.g. 8GiB (default: LCA_MAX_MEMORY "
                                                  "or 2 GiB); larger runs are refused before they start."),
    compare: CompareOpt = None,
    per: PerOpt = Per.declared_unit,
    output_format: FormatOpt = OutputFormat.table,
    table: UncTable = typer.Option(UncTable.summary, "--table", help="Which frame --format csv writes."),
    switches: Switches = None,
) -> None:
    """Propagate factor and study uncertainties (Monte Carlo, common random numbers across scenarios).

    Example: lca uncertainty --iterations 100000 --seed 1 --compare jp-import charlotte-coated
    """
    from lca.uncertainty import run_uncertainty
    from lca.uncertainty.checks import memory_limit

    memory_limit(max_memory)  # a malformed --max-memory fails before the study is computed
    fp = switches.compute(study)
    check_scenarios(fp, compare, "--compare")
    check_per(fp, per)
    pair = list(compare) if compare else None
    if iterations >= PROGRESS_FROM:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("Monte Carlo"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
                      TimeElapsedColumn(), console=err_console(), transient=True) as bar:
            task = bar.add_task("mc", total=iterations)
            result = run_uncertainty(fp, iterations, seed, per=per.value, compare=pair, max_memory=max_memory,
                                     progress=lambda n: bar.advance(task, n))
    else:
        result = run_uncertainty(fp, iterations, seed, per=per.value, compare=pair, max_memory=max_memory)
    if output_format is OutputFormat.csv:
        typer.echo(getattr(result, table.value).write_csv(), nl=False)
        return
    if output_format is OutputFormat.json:
        import json

        doc = {"iterations": result.iterations, "seed": result.seed, "unit": result.unit, "per": result.per,
               "comparison": list(result.comparison) if result.comparison else None,
               "description": result.description()}
        for name in UNCERTAINTY_TABLES:
            doc[name] = getattr(result, name).to_dicts()
        typer.echo(json.dumps(doc, indent=1))
        return
    _print(fp, result)


def _print(fp, r) -> None:
    import polars as pl
    from rich.table import Table

    console = out_console()
    console.print(styled((fp.meta.title, "bold")))
    console.print(f"{r.iterations:,} iterations · seed {r.seed} · common random numbers across scenarios · "
                  f"{r.inputs.height} uncertain inputs", markup=False)
    from lca.cli.common import unit_words

    t = Table(title=f"Totals ({unit_words(fp, r.per, r.unit)})", title_justify="left")
    for col in ("scenario", "deterministic", "(percentile)", "mean", "median", "2.5 %", "97.5 %"):
        t.add_column(col, justify="left" if col == "scenario" else "right")
    det = dict(fp.totals(r.per).select("scenario", "value").iter_rows())
    for s, _st, mean, med, lo, hi, _u in r.summary.filter(pl.col("stage") == "total").iter_rows():
        # skewed input ranges move the point estimate away from the median: say where it sits
        at = float((r.draws_total[s] <= det[s]).mean() * 100)
        t.add_row(s, fmt(det[s]), f"{at:.0f}", fmt(mean), fmt(med), fmt(lo), fmt(hi))
    console.print(t)
    if r.comparison is None:
        return
    a, b = r.comparison
    diffs = r.differences.filter(pl.col("scenario_a") == a)
    for _a, sb, mean, _med, lo, hi, p, unit in diffs.iter_rows():
        word = "lower" if p >= 0.5 else "higher"
        text = f"{sb} is {word} than {a} in {_share(p if p >= 0.5 else 1 - p)} of draws"
        console.print(styled((text, "bold")) if sb == b else text)
        if sb == b:
            console.print(f"  difference {b} − {a}: mean {fmt(mean)} {unit}, 95 % interval {fmt(lo)} to "
                          f"{fmt(hi)}", markup=False)
    sens = r.sensitivity.filter(pl.col("target") == f"{b} vs {a}").head(5)
    if sens.height:
        st = Table(title=f"What drives the difference {b} − {a} (squared Spearman rank correlation)",
                   title_justify="left")
        st.add_column("input")
        st.add_column("r²", justify="right")
        for _t, name, r2 in sens.iter_rows():
            st.add_row(name, f"{r2:.3f}")
        console.print(st)
    if r.breakeven.height:
        bt = Table(title=f"Break-even: value making {b} equal to {a}", title_justify="left")
        for col in ("parameter", "current", "break-even", "unit", "note"):
            bt.add_column(col, justify="right" if col in ("current", "break-even") else "left")
        for _a, _b, param, cur, be, unit, note in r.breakeven.iter_rows():
            bt.add_row(param, fmt(cur), "–" if be is None else fmt(be), unit, note)
        console.print(bt)


def _share(p: float) -> str:
    """"71 %"; never rounds a share short of all draws up to "100 %"."""
    if 0.995 <= p < 1.0:
        return "more than 99 %"
    return f"{p * 100:.0f} %"
