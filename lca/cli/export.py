"""``lca export`` (PACT v2.3/v3.0 JSON, CSV/Parquet/JSON tables) and ``lca check`` (PACT methodology rules)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from lca.choices import EXPORT_FORMATS, EXPORT_TABLES, PACT_VERSIONS
from lca.cli.common import (Per, StudyArg, Switches, check_per, check_scenarios, choice_enum, iso_timestamp,
                            method_switches, study_inputs)
from lca.cli.console import handle_errors

ExportFormat = choice_enum("ExportFormat", EXPORT_FORMATS)
Table = choice_enum("Table", EXPORT_TABLES)
Spec = choice_enum("Spec", PACT_VERSIONS)


@handle_errors
@method_switches
def export(
    study: StudyArg = None,
    output_format: ExportFormat = typer.Option(ExportFormat.pact_v3, "--format",
                                               help=" | ".join(EXPORT_FORMATS)),
    scenario: Optional[str] = typer.Option(None, "--scenario", help="One scenario id (PACT: a single object); "
                                                                     "default: every scenario (a JSON array)."),
    table: Table = typer.Option(Table.results, "--table", help="For csv/parquet/json: results (long format) or "
                                                               "inventory (expanded activities)."),
    per: Optional[List[Per]] = typer.Option(None, "--per", parser=Per, metavar="VIEW",
                                            help="Tables: express results per declared unit, kg or a [\\[view]] of "
                                                 "the study (once). PACT: one footprint per scenario and view, each "
                                                 "per one unit of its view (repeat --per for several)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="File to write (atomically); default stdout "
                                                                       "(not for parquet)."),
    created: Optional[str] = typer.Option(None, "--created", callback=iso_timestamp, help="PACT 'created' timestamp (ISO 8601); default "
                                                                  "now. Pin it for reproducible files."),
    switches: Switches = None,
) -> None:
    """Export PACT v2.3/v3.0 ProductFootprints, result/inventory tables (CSV, Parquet, JSON), or a
    declaration under the study's rule pack (eu-declaration: EU Battery Regulation Art. 7 JSON, both
    electricity variants side by side; battery-pass: the Catena-X battery passport's carbon footprint),
    or Catena-X PCFs (catenax-pcf: data model 9.0.0; catenax-battery-component: per kg, EU stages).

    PACT exports pass the `lca check` rules first: if one fails, nothing is written (exit code 1).

    Example: lca export --format pact-v3 --created 2026-01-01T00:00:00Z -o pcf.json

    Several declared units: lca export --format pact-v3 --per declared_unit --per kWh -o pcf.json
    """
    import json

    from lca.results import compute
    from lca.disclosure import export_pact, export_table
    from lca.outputs import check_output_path, guard_outputs, write_atomic

    if output_format is ExportFormat.parquet and output is None:
        raise typer.BadParameter("parquet needs -o FILE", param_hint="--output")
    if output is not None:
        check_output_path(output, "-o/--output")
    s = switches.load(study)
    if output is not None:
        guard_outputs([("-o/--output", output)], study_inputs(s, switches.factors))
    check_scenarios(s, [scenario], "--scenario")
    pact = output_format in (ExportFormat.pact_v2, ExportFormat.pact_v3)
    views = [p.value for p in per or []]
    if len(views) > 1 and not pact and output_format.value not in DECLARATIONS + CATENAX:
        raise typer.BadParameter("a table is in one view: give --per once (several only for PACT formats)",
                                 param_hint="--per")
    fp = compute(s, factors=switches.factors or [])
    for view in views or ["declared_unit"]:
        check_per(fp, view)
    if pact:
        version = "v3" if output_format is ExportFormat.pact_v3 else "v2"
        docs = export_pact(fp, version, scenario, created=created, per=views)
        text = json.dumps(docs, indent=2, ensure_ascii=False) + "\n"
    elif output_format.value in CATENAX:
        text = json.dumps(_catenax(fp, output_format.value, scenario, views, created), indent=2,
                          ensure_ascii=False) + "\n"
    elif output_format.value in DECLARATIONS:
        text = json.dumps(_declaration(fp, output_format.value, scenario, views, created), indent=2,
                          ensure_ascii=False) + "\n"
    else:
        data = export_table(fp, table.value, output_format.value, per=(views or ["declared_unit"])[0],
                            scenario=scenario)
        if output is not None:
            write_atomic(output, data)
            return
        text = data if isinstance(data, str) else data.decode()
    if output is not None:
        write_atomic(output, text)
    else:
        typer.echo(text, nl=False)


#: formats made under the study's rule pack (lca.disclosure.declaration): per kWh of lifetime energy
DECLARATIONS = ("eu-declaration", "battery-pass")


def _declaration(fp, fmt: str, scenario: str | None, views: list[str], created: str | None):
    """The EU Art. 7 declaration document or the battery passport's carbon footprint (no --per: the rules
    fix the unit, kg CO2e per kWh of lifetime energy)."""
    if views:
        raise typer.BadParameter(f"{fmt} is per kWh of lifetime energy, as the study's rule pack defines it: "
                                 "leave out --per", param_hint="--per")
    if fmt == "eu-declaration":
        from lca.disclosure.declaration.build import export_declaration

        return export_declaration(fp, scenario, created=created)
    from lca.disclosure.declaration.battery_pass import export_battery_pass

    return export_battery_pass(fp, scenario)


#: Catena-X formats (lca.disclosure.catenax): built from the PACT v3 figures, in a unit the model fixes
CATENAX = ("catenax-pcf", "catenax-battery-component")


def _catenax(fp, fmt: str, scenario: str | None, views: list[str], created: str | None):
    """The Catena-X PCF 9.0.0 (in the study's declared unit) or the battery-component PCF (per kg)."""
    if views:
        unit = "the study's declared unit" if fmt == "catenax-pcf" else "kg of product (the model's only mass unit)"
        raise typer.BadParameter(f"{fmt} is per {unit}: leave out --per", param_hint="--per")
    if fmt == "catenax-pcf":
        from lca.disclosure.catenax import export_catenax_pcf

        return export_catenax_pcf(fp, scenario, created=created)
    from lca.disclosure.catenax import export_battery_component

    return export_battery_component(fp, scenario, created=created)


NOT_COMPARED = "figures were not compared with a study; pass --study to do so"


@handle_errors
@method_switches
def check(
    file: Path = typer.Argument(..., help="PACT ProductFootprint JSON (one object or an array).",
                                show_default=False),
    spec: Optional[Spec] = typer.Option(None, "--spec", help="v2 (2.3) or v3 (3.0); default: from specVersion."),
    study: Optional[Path] = typer.Option(None, "--study", help="Also recompute this study and compare every figure "
                                                               "of each footprint with it (amounts per product: "
                                                               "figure × declared-unit amount).", show_default=False),
    scenario: Optional[str] = typer.Option(None, "--scenario", help="With --study: the scenario to compare a footprint "
                                                                     "with when its id is not one the study exports."),
    switches: Switches = None,
) -> None:
    """Check a PACT ProductFootprint file against the methodology rules (exit 1 if any fails).

    Rules: parts add up, exemptions <= 3 %, DQR ranges per version, validity <= 3 years, required
    fields per version and reference period, geography fields exclusive, a prospective footprint not
    Active once its reference period has ended; one line per broken rule.
    With --study (and the method options the file was exported with): every figure of each footprint
    (PCF, its parts, carbon contents, packaging, mass per product — v2.3: per-unit figure ×
    unitaryProductAmount —, exemptions, primary data share, DQRs) must match the recomputed study, and
    so must the reference period (a prospective scenario's planned first year; Active once it ended: refused).
    Without it only the rules above run, which a wrong but self-consistent file passes. With --study,
    and for a study file given instead of a JSON file (lca check study.toml), the study's declared
    [\\[exclusion]] screening estimates must be within its cut-off (default 1 % each, 3 % together).

    Example: lca check pcf.json --spec v3 --study study.toml
    """
    import json

    from lca.cli.console import out_console
    from lca.errors import ExportCheckError, Problem
    from lca.disclosure import check_pact, detect_version

    if file.suffix.lower() == ".toml":  # a study: its declared exclusions against its cut-off
        return _check_study_cutoff(file, switches)
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExportCheckError(Problem("file not found", file=str(file))) from None
    except IsADirectoryError:
        raise ExportCheckError(Problem("is a folder, not a PACT JSON file", file=str(file))) from None
    except RecursionError:
        raise ExportCheckError(Problem("JSON nested too deeply to check", file=str(file))) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportCheckError(Problem(f"not valid JSON: {exc}", file=str(file))) from None
    if not isinstance(doc, (dict, list)) or doc == []:
        raise ExportCheckError(Problem("expected a ProductFootprint object or a non-empty array", file=str(file)))
    version = spec.value if spec else detect_version(doc)
    if version is None:
        raise ExportCheckError(Problem("cannot tell the PACT version from specVersion", file=str(file),
                                       hint="pass --spec v2 or --spec v3"))
    problems = check_pact(doc, version, file=str(file))
    if study is None:  # the JSON alone cannot show a figure that is wrong but self-consistent
        from lca.cli.console import err_console

        err_console().print(NOT_COMPARED, markup=False)
    else:
        from lca.disclosure.pact.crosscheck import check_against_study

        from lca.validation.cutoff import cutoff_problems

        fp = switches.compute(study)
        problems += check_against_study(doc, version, fp, scenario=scenario, file=str(file))
        problems += cutoff_problems(fp, str(study))
    if problems:
        raise ExportCheckError(problems)
    n = 1 if isinstance(doc, dict) else len(doc)
    against = " and agree with the study" if study is not None else ""
    out_console().print(f"ok: {n} footprint{'s pass' if n != 1 else ' passes'} the PACT {version} methodology checks"
                        f"{against}", markup=False)


def _check_study_cutoff(path: Path, switches) -> None:
    """``lca check study.toml``: the study's screened exclusions within its cut-off (exit 1 with the list)."""
    from lca.cli.console import out_console
    from lca.errors import ExportCheckError
    from lca.results.screening import exempted_percent
    from lca.validation.cutoff import cutoff_problems

    fp = switches.compute(path)
    problems = cutoff_problems(fp, str(path))
    if problems:
        raise ExportCheckError(problems)
    if fp.exclusions.height == 0:
        out_console().print(f"ok: {path.name} declares no [[exclusion]]: nothing is exempted", markup=False)
        return
    each, total = fp.study.cutoff
    figures = ", ".join(f"{sid} {exempted_percent(fp, sid):.2f} %" for sid in fp.scenarios)
    out_console().print(f"ok: exclusions within the cut-off ({100 * each:g} % each, {100 * total:g} % together); "
                        f"exempted: {figures}", markup=False)
