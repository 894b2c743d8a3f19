"""Shared CLI plumbing: options, loading a study, and turning domain errors into exit code 1."""

from __future__ import annotations

import functools
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])

STUDY_ARG = typer.Argument(None, help="Study TOML file; default: the bundled separator study.",
                           show_default=False)


class OutputFormat(str, Enum):
    """How a command prints tables: a rich table for people, CSV or JSON for programs."""

    table = "table"
    csv = "csv"
    json = "json"


class Per(str, Enum):
    declared_unit = "declared_unit"
    kg = "kg"
    kWh = "kWh"
    vehicle = "vehicle"
    year = "year"


class Gwp(str, Enum):
    AR6 = "AR6"
    AR5 = "AR5"
    AR4 = "AR4"


class ElectricityRule(str, Enum):
    location = "location"
    market = "market"
    national = "national"


class TdLosses(str, Enum):
    excluded = "excluded"
    included = "included"


# Method switches shared by every command that computes a study (one definition, one help text).
CELL_PLANT_OPT = typer.Option(None, "--cell-plant", help="Site id of the cell plant to deliver to (overrides the "
                                                         "study).")
GWP_OPT = typer.Option(None, "--gwp", case_sensitive=False, help="GWP100 set: AR6, AR5 or AR4 (overrides the study).")
RULE_OPT = typer.Option(None, "--electricity-rule", help="location | market | national (overrides the study).")
TD_OPT = typer.Option(None, "--td-losses", help="excluded | included: add grid T&D losses (overrides the study).")
FACTORS_OPT = typer.Option(None, "--factors", help="User factor file (CSV/Parquet) on top of the library; "
                                                   "repeatable.")


def err_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def out_console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def report_problems(exc: Exception) -> None:
    """Print every problem of a domain error to stderr, one per line."""
    from lca.errors import LcaInputError

    console = err_console()
    if isinstance(exc, LcaInputError):
        n = len(exc.problems)
        console.print(f"[bold red]error:[/] {n} problem{'s' if n != 1 else ''} in the input:")
        for p in exc.problems:
            console.print(f"  - {p}", markup=False)
    else:
        console.print("[bold red]error:[/] ", end="")
        console.print(str(exc), markup=False)


def handle_errors(func: F) -> F:
    """Decorator: domain errors → message on stderr and exit code 1 (never a traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from lca.errors import LcaError

        try:
            return func(*args, **kwargs)
        except LcaError as exc:
            report_problems(exc)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def load(study: Optional[Path], *, cell_plant: str | None = None, gwp: Gwp | None = None,
         electricity_rule: ElectricityRule | None = None, td_losses: TdLosses | None = None):
    """Load a study (or the default) and apply method switches given on the command line."""
    from lca.resources import default_study_path
    from lca.study import load_study

    s = load_study(study or default_study_path(), cell_plant=cell_plant)
    changes = {k: v.value for k, v in (("gwp", gwp), ("electricity_rule", electricity_rule),
                                        ("td_losses", td_losses)) if v is not None}
    return s.with_method(**changes) if changes else s


def compute_study(study: Optional[Path], *, factors: list[Path] | None = None, **kw: Any):
    """Load and compute in one go (the common case for commands); method gaps go to stderr."""
    from lca.pipeline import compute

    fp = compute(load(study, **kw), factors=factors or [])
    if fp.warnings:
        console = err_console()
        for w in dict.fromkeys(fp.warnings):
            console.print(f"[yellow]warning:[/] {w}", highlight=False)
    return fp


def run_app(app: typer.Typer) -> int:
    """Run the typer app and return its exit code (0 ok, 1 input error, 2 usage error)."""
    try:
        app(standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


def fmt(value: float, digits: int = 4) -> str:
    """Numbers for terminal tables: 4 significant digits, no scientific notation for normal sizes."""
    if value == 0:
        return "0"
    from math import floor, log10

    mag = floor(log10(abs(value)))
    if -4 <= mag < 9:
        decimals = max(0, digits - 1 - mag)
        return f"{value:,.{decimals}f}"
    return f"{value:.{digits - 1}e}"


def iso_timestamp(value: Optional[str]) -> Optional[str]:
    """Typer callback: accept only ISO 8601 date-times (``2026-01-01T00:00:00Z``), normalised to UTC ``Z``."""
    if value is None:
        return None
    import datetime as dt

    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not an ISO 8601 date-time such as 2026-01-01T00:00:00Z") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
