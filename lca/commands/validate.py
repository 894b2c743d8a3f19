"""``lca validate`` (check input files for CI) and ``lca schema export`` (JSON Schema of every input table)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import List

import typer

from lca.commands.common import handle_errors

class ValidateFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


schema_app = typer.Typer(name="schema", help="JSON Schema of the input tables and the study file.",
                         no_args_is_help=True, add_completion=False)


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.add_typer(schema_app, name="schema")


@handle_errors
def validate(
    paths: List[Path] = typer.Argument(..., help="Study files, tables (CSV/Parquet), factor files or folders.",
                                       show_default=False),
    output_format: ValidateFormat = typer.Option(ValidateFormat.text, "--format", help="text | json | github "
                                                                                        "(annotation lines)"),
) -> None:
    """Validate studies, tables and factor files for CI (exit 0 valid, 1 otherwise).

    Every problem is reported with file, row and column; --format github prints annotations.

    Example: lca validate studies/ factors/my-factors.csv --format github
    """
    import json

    from lca.commands.common import err_console, out_console, styled
    from lca.validate import annotation, validate_paths

    problems = validate_paths(paths)
    if output_format is ValidateFormat.json:
        rows = [{**p.as_dict(), **{k: v for k, v in (("line", a.line), ("col", a.col)) if v is not None}}
                for p, a in ((p, annotation(p)) for p in problems)]
        typer.echo(json.dumps({"valid": not problems, "problems": rows}, indent=2, ensure_ascii=False))
    elif output_format is ValidateFormat.github:
        for p in problems:
            typer.echo(annotation(p).github())
    elif problems:
        console = err_console()
        console.print(styled(("error:", "bold red"), f" {len(problems)} problem{'s' if len(problems) != 1 else ''}:"))
        for p in problems:
            console.print(f"  - {p}", markup=False)
    else:
        out_console().print("ok: every file is valid", markup=False)
    raise typer.Exit(1 if problems else 0)


@schema_app.command("export")
@handle_errors
def schema_export(
    output: Path = typer.Option(Path("schemas"), "-o", "--output", help="Folder to write *.schema.json into."),
) -> None:
    """Write JSON Schema (2020-12) for every input table and the study file (deterministic).

    Example: lca schema export -o schemas/
    """
    from lca.commands.common import out_console
    from lca.export.jsonschema import write_schemas
    from lca.outputs import ensure_folder

    ensure_folder(output, "-o/--output")  # a file there, a loop, no permission: one located message
    for path in write_schemas(output):
        out_console().print(f"wrote {path}", markup=False)
