"""``lca run``: compute a study and print results by scenario and stage."""

from __future__ import annotations

from lca.cli.common import (FormatOpt, OutputFormat, Per, PerOpt, StudyArg, Switches, check_per, check_scenarios,
                            compare_opt, compute_loaded, method_switches, print_frame)
from lca.cli.console import fmt, handle_errors, out_console, styled

CompareOpt = compare_opt("Two scenario ids A B to compare (default: the study's comparison).")


@handle_errors
@method_switches
def run(
    study: StudyArg = None,
    per: PerOpt = Per.declared_unit,
    switches: Switches = None,
    compare: CompareOpt = None,
    output_format: FormatOpt = OutputFormat.table,
) -> None:
    """Compute every scenario and print totals and stages (rich table, or CSV/JSON on stdout).

    Example: lca run --per kWh --cell-plant holland
    """
    s = switches.load(study)
    check_scenarios(s, compare, "--compare")  # before anything is printed
    fp = compute_loaded(s, switches.factors)
    check_per(fp, per)
    _warn_over_cutoff(fp)
    stages = fp.by_stage(per=per.value)
    if output_format != OutputFormat.table:  # machine-readable rows say what each scenario describes
        stages = stages.join(fp.outlook.select("scenario", "outlook"), on="scenario", how="left",
                             maintain_order="left")
    if not print_frame(stages, output_format):
        _print_tables(fp, stages, per.value, compare)
        _print_disclosure(out_console(), fp)
        _print_declaration(out_console(), fp)


def _warn_over_cutoff(fp) -> None:
    """On stderr: every exclusion and scenario over the study's cut-off. The results are still shown
    (they are the study's), but `lca check` and a PACT export refuse such a study."""
    from lca.cli.console import err_console
    from lca.results.screening import over_cutoff

    over = over_cutoff(fp.exclusions, fp.exempted)
    for _, _, message in over:
        err_console().print(f"warning: {message}")
    if over:
        err_console().print(f"warning: {fp.meta.source} is over its cut-off: `lca check` fails and a PACT export "
                            "is refused until the exclusions are modelled or re-estimated")


def _print_tables(fp, stages, per: str, compare) -> None:
    from rich import box
    from rich.table import Table

    from lca.cli.common import unit_words

    console = out_console()
    totals = fp.totals(per)
    unit = totals.get_column("unit")[0]
    m = fp.meta
    console.print(styled((m.title, "bold")))  # user text: never read as markup (the console has it off)
    console.print(f"declared unit {m.declared_unit} · {m.method['gwp']} · electricity "
                  f"{m.method['electricity_rule']}, basis {m.method['electricity_basis']} · T&D losses "
                  f"{m.method['td_losses']} · " + (f"cell plant {m.cell_plant} · " if m.cell_plant else "")
                  + f"factors {fp.library.version}")  # a study delivering to no cell plant: nothing to name
    _print_bases(console, fp)
    stage_names = [st for st in stages.get_column("stage").unique(maintain_order=True)]
    # a light table so seven columns of numbers fit an 80-column terminal without truncation
    table = Table(title=f"Footprint by stage ({unit_words(fp, per, unit)})", title_justify="left", box=box.SIMPLE_HEAD,
                  collapse_padding=True, pad_edge=False)
    table.add_column("scenario", no_wrap=True)
    for st in stage_names:
        table.add_column(st.replace("_", "\n"), justify="right", no_wrap=True, min_width=7)
    table.add_column("total", justify="right", style="bold", no_wrap=True, min_width=7)
    outlook = {r["scenario"]: r for r in fp.outlook.iter_rows(named=True)}
    for sid, label, total, _ in totals.iter_rows():
        row = stages.filter(stages["scenario"] == sid)
        vals = dict(zip(row["stage"], row["value"]))
        table.add_row(_marked(sid, outlook), *[fmt(vals.get(st, 0.0)) for st in stage_names], fmt(total))
    console.print(table)
    for sid, r in outlook.items():  # every scenario that is not current, with its period and data
        if r["note"]:
            console.print(styled((f"{_MARK[r['outlook']]} {sid}: {r['note']}", "")))
    pair = tuple(compare) if compare and all(compare) else fp.meta.comparison
    if pair and len(pair) == 2:
        a, b = pair
        cmp = fp.compare(a, b, per=per)
        t2 = Table(title=f"{b} vs {a} ({unit_words(fp, per, unit)})", title_justify="left", box=box.SIMPLE_HEAD,
                   pad_edge=False)
        for col in ("stage", a, b, "difference", "%"):
            t2.add_column(col, justify="left" if col == "stage" else "right")
        for st, va, vb, d, pct, *_ in cmp.iter_rows():
            t2.add_row(st, fmt(va), fmt(vb), fmt(d), "–" if pct is None else f"{pct:+.1f} %")
        console.print(t2)
        kinds = {outlook[x]["outlook"] for x in (a, b) if x in outlook}
        if len(kinds) > 1:  # a plan compared with a plant in operation: say so under the comparison
            console.print(styled((f"note: a {outlook[b]['outlook']} scenario compared with a "
                                  f"{outlook[a]['outlook']} one: {a} {_period(outlook[a])}, "
                                  f"{b} {_period(outlook[b])}", "")))


#: the marker a scenario's row carries in the table, and its footnote
_MARK = {"current": "", "prospective": "†", "hypothetical": "‡"}


def _marked(sid: str, outlook) -> str:
    """The scenario cell: its id, with its outlook when it is not current."""
    kind = outlook[sid]["outlook"] if sid in outlook else "current"
    return f"{sid} {_MARK[kind]}" if _MARK[kind] else sid


def _period(r) -> str:
    return f"{r['reference_start'].isoformat()} to {r['reference_end'].isoformat()}"


def _print_bases(console, fp) -> None:
    """Electricity basis per site, as charged, and what is missing from the declared basis."""
    from rich import box
    from rich.table import Table

    bases = fp.electricity_basis.unique("site", keep="first", maintain_order=True)
    if bases.height == 0:
        return
    table = Table(title=f"Electricity basis by site (declared: {bases.get_column('declared')[0]})",
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("site", "grid", "coverage", "point", "gases", "missing", "bias"):
        table.add_column(col, justify="right" if col == "bias" else "left")
    for site, grid, cov, point, gases, missing, bias in bases.select(
            "site", "grid", "coverage", "point", "gases", "missing", "bias").iter_rows():
        table.add_row(styled(site), styled(grid or "–"), cov, point, gases, styled(missing or "–"),
                      "–" if not missing else f"{bias:+.1%}")
    console.print(table)


def _print_disclosure(console, fp) -> None:
    """The figures every export states beside the total — exempted emissions, primary data share and
    data-quality ratings — computed by the functions the PACT export uses, so `lca run`, the report and
    the exports show the same numbers (rounded as the PACT v3 export writes them)."""
    from rich import box
    from rich.table import Table

    from lca.disclosure.pact.figures import scenario_figures
    from lca.results.screening import exempted_percent

    rows = scenario_figures(fp)
    if rows.height == 0:
        return
    table = Table(title="Disclosure figures (as in the PACT export)", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    table.add_column("scenario", no_wrap=True)
    for col in ("exempted %", "primary %", "DQR tech", "DQR geo", "DQR temp"):
        table.add_column(col, justify="right")
    two = lambda v: f"{round(float(v), 2):.2f}"  # noqa: E731
    for r in rows.iter_rows(named=True):
        table.add_row(styled(r["scenario"]), two(exempted_percent(fp, r["scenario"])), two(r["primary_pct"]),
                      two(r["dqr_technological"]), two(r["dqr_geographical"]), two(r["dqr_temporal"]))
    console.print(table)


def _print_declaration(console, fp) -> None:
    """Under a rule pack (``[method] rules``): each scenario's declared total per kWh of lifetime energy
    under every electricity variant, with the pack's notice ("draft rules, not in force") — the figures
    of ``lca export --format eu-declaration`` and the report's declaration section."""
    if fp.study.method.rules is None:
        return
    from rich import box
    from rich.table import Table

    import polars as pl

    from lca.disclosure.declaration import declare
    from lca.disclosure.declaration.figures import NOT_MODELLED

    d = declare(fp)
    table = Table(title=f"Declaration under {d.pack.id}, kg CO2e/kWh of lifetime energy "
                        f"({d.energy.total.to('kWh').magnitude:g} kWh)", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    table.add_column("scenario", no_wrap=True)
    for v in d.variants:
        table.add_column(v.id, justify="right")
    for sid in fp.scenarios:
        table.add_row(styled(sid), *(f"{d.total(sid, v.id):.4g}" for v in d.variants))
    console.print(table)
    # name every declared stage left out (end of life, or a stage no activity maps to), never just EoL
    left = d.rows.filter(pl.col("status") == NOT_MODELLED).get_column("stage").unique(maintain_order=True).to_list()
    console.print(styled((f"{d.pack.notice}; "
                          + (f"not yet modelled: {', '.join(left).lower()}" if left else "every stage modelled")
                          + "; no performance class: " + d.pack.classes_reason, "")))
