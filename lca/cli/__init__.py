"""The ``lca`` command line (typer). Each command (or group) is a module of this package
(``lca.cli.run``, ``lca.cli.report``, …), registered below; what they share is :mod:`lca.cli.common`
(options, as ``Annotated`` aliases declared once) and :mod:`lca.cli.console` (printing, the error
handler).

Exit codes: 0 ok; 1 the command failed: invalid input (every problem is printed with its file and
key/row/column), an output that cannot be written or would overwrite an input, or an internal
error (one line saying it is a bug); 2 usage error; 130 interrupted. Never a traceback, unless
``lca --debug ...`` or ``LCA_DEBUG=1`` asks for one. A failed run leaves no output or temporary file.
"""

from __future__ import annotations

import sys

import typer

from lca.cli import console

app = typer.Typer(
    name="lca",
    help="Unit-checked, cited product carbon footprints for battery supply chains.\n\n"
         "Without a STUDY the bundled default study is used.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _register() -> None:
    """Every command and group, in the order ``lca --help`` lists them (one place for both)."""
    from lca.cli import exchange, export, factors, ledger, report, run, uncertainty, validate

    app.command("run")(run.run)
    app.command("report")(report.report)
    app.add_typer(factors.factors_app, name="factors")
    app.command("export")(export.export)
    app.command("check")(export.check)
    app.command("validate")(validate.validate)
    app.add_typer(validate.schema_app, name="schema")
    app.command("uncertainty")(uncertainty.uncertainty)
    app.command("ledger")(ledger.ledger)
    app.command("pull")(exchange.pull)
    app.command("request")(exchange.request)


_register()


def _print_version(value: bool) -> None:
    if value:
        from lca import __version__

        typer.echo(f"lca {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", help="Print the lca version and exit.",
                                       callback=_print_version, is_eager=True),
          debug: bool = typer.Option(False, "--debug", help="Show the Python traceback of any error (also: "
                                                            "environment variable LCA_DEBUG=1).")) -> None:
    """Unit-checked, cited product carbon footprints for battery supply chains."""
    console.set_debug(debug)


def main() -> None:
    """Console-script entry point."""
    _use_pint_cache()
    sys.exit(console.run_app(app))


def _use_pint_cache() -> None:
    # Interactive start-up matters: let pint cache its parsed definitions (results are unaffected).
    import os
    from pathlib import Path

    if os.environ.get("LCA_NO_CACHE") or "LCA_PINT_CACHE" in os.environ:
        return
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "lca" / "pint"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    os.environ["LCA_PINT_CACHE"] = str(folder)
