"""The ``lca`` command line (typer). Each command group lives in ``lca/commands/``.

Exit codes: 0 ok, 1 invalid input (every problem is printed, no traceback, no output written),
2 usage error.
"""

from __future__ import annotations

import sys

import typer

from lca.commands import common

app = typer.Typer(
    name="lca",
    help="Unit-checked, cited product carbon footprints for battery supply chains.\n\n"
         "Without a STUDY the bundled default study (coated separator, North America) is used.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _register() -> None:
    from lca.commands import export, factors, ledger, report, run, uncertainty, validate

    for module in (run, report, factors, export, validate, uncertainty, ledger):
        module.register(app)


_register()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", help="Print the lca version and exit.")) -> None:
    if version:
        from lca import __version__

        typer.echo(f"lca {__version__}")
        raise typer.Exit(0)


def main() -> None:
    """Console-script entry point."""
    sys.exit(common.run_app(app))


if __name__ == "__main__":  # pragma: no cover
    main()
