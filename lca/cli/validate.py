"""``lca validate`` (check input files for CI) and ``lca schema export`` (JSON Schema of every input table)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from lca.choices import VALIDATE_FORMATS, VALIDATE_SKIPPABLE
from lca.cli.common import choice_enum
from lca.cli.console import handle_errors

ValidateFormat = choice_enum("ValidateFormat", VALIDATE_FORMATS)
Stage = choice_enum("Stage", VALIDATE_SKIPPABLE)


schema_app = typer.Typer(name="schema", help="JSON Schema of the input tables and the study file.",
                         no_args_is_help=True, add_completion=False)


@handle_errors
def validate(
    paths: List[Path] = typer.Argument(..., help="Study files, tables (CSV/Parquet), factor files or folders.",
                                       show_default=False),
    output_format: ValidateFormat = typer.Option(ValidateFormat.text, "--format",
                                                 help=" | ".join(VALIDATE_FORMATS) + " (annotation lines)"),
    max_problems: int = typer.Option(50, "--max-problems", min=0, help="Show at most N problems (0: all); a "
                                                                       "last line says how many more there are."),
    allow_unknown: bool = typer.Option(False, "--allow-unknown", help="Skip (and list) files that are not ours, "
                                                                      "empty files and empty folders instead of "
                                                                      "failing on them."),
    skip: List[Stage] = typer.Option([], "--skip", help="Leave a study stage out (repeatable): uncertainty, pact "
                                                        "(e.g. an AR4 study that is never exported to PACT). The "
                                                        "summary line says which stages were skipped."),
    received: Optional[str] = typer.Option(None, "--received", metavar="DIR|URL", help="Folder (or database URL) of "
                                           "received PACT footprints, as for lca run (supplier_footprint ids)."),
    allow_expired: bool = typer.Option(False, "--allow-expired", help="Accept expired, not yet valid or Deprecated "
                                                                      "supplier footprints, as for lca run."),
) -> None:
    """Validate studies, tables and factor files for CI (exit 0 valid, 1 otherwise).

    Studies go through the commands' own checks (load, compute, uncertainty, PACT export and
    checks); every problem is reported with file, row and column. A stage that cannot run (the
    study does not load or compute) is named with the reason, one line per file. The last line
    says which files were checked and which were skipped, and why.

    Example: lca validate studies/ factors/my-factors.csv --format github
    """
    import json

    import lca.exchange  # noqa: F401 — registers database URLs as received footprints (--received URL)
    from lca.validation import Annotation, annotation, validate as run_checks

    outcome = run_checks(paths, allow_unknown=allow_unknown, skip=[s.value for s in skip], received=received,
                         allow_expired=allow_expired)
    problems = outcome.problems
    shown = problems if max_problems == 0 else problems[:max_problems]
    more = len(problems) - len(shown)
    more_line = f"... and {more} more problem{'s' if more != 1 else ''} (--max-problems 0 shows all)"
    lines: dict[str, list[int]] = {}
    if output_format is ValidateFormat.json:
        rows = [{**p.as_dict(), **{k: v for k, v in (("line", a.line), ("col", a.col)) if v is not None}}
                for p, a in ((p, annotation(p, lines)) for p in shown)]
        typer.echo(json.dumps({"valid": not problems, "problems": rows, "problems_total": len(problems),
                               "summary": outcome.as_dict()}, indent=2, ensure_ascii=False))
    elif output_format is ValidateFormat.github:
        for w in outcome.warnings:
            typer.echo(Annotation(w["file"], None, None, w["message"]).github("warning"))
        for p in shown:
            typer.echo(annotation(p, lines).github())
        if more:
            typer.echo(Annotation(None, None, None, more_line).github())
        for file, note in outcome.stage_notes():
            typer.echo(Annotation(file, None, None, note).github("notice"))
        typer.echo(Annotation(None, None, None, outcome.summary()).github("notice"))
    else:
        _print_text(outcome, shown, more_line if more else None)
    raise typer.Exit(1 if problems else 0)


def _print_text(outcome, shown, more_line) -> None:
    from lca.cli.console import err_console, out_console, styled

    problems = outcome.problems
    for w in outcome.warnings:
        err_console().print(styled(("warning:", "yellow"), f" {w['file']}: {w['message']}"))
    if problems:
        console = err_console()
        console.print(styled(("error:", "bold red"), f" {len(problems)} problem{'s' if len(problems) != 1 else ''}:"))
        for p in shown:
            console.print(f"  - {p}", markup=False)
        if more_line:
            console.print(more_line, markup=False)
        _print_notes(outcome)
        console.print(outcome.summary(), markup=False)
    else:
        _print_notes(outcome)
        out_console().print(f"ok: every file is valid ({outcome.summary()})", markup=False)


def _print_notes(outcome) -> None:
    """One line per file whose stages did not all run, and why (stderr: the result is the last line)."""
    from lca.cli.console import err_console, styled

    for file, note in outcome.stage_notes():
        err_console().print(styled(("note:", "cyan"), f" {file}: {note}"))


@schema_app.command("export")
@handle_errors
def schema_export(
    output: Path = typer.Option(Path("schemas"), "-o", "--output", help="Folder to write *.schema.json into."),
) -> None:
    """Write JSON Schema (2020-12) for every input table and the study file (deterministic).

    Example: lca schema export -o schemas/
    """
    from lca.cli.console import out_console
    from lca.validation.jsonschema import write_schemas
    from lca.outputs import ensure_folder

    ensure_folder(output, "-o/--output")  # a file there, a loop, no permission: one located message
    for path in write_schemas(output):
        out_console().print(f"wrote {path}", markup=False)
