"""Shared CLI plumbing: options, loading a study, and turning domain errors into exit code 1."""

from __future__ import annotations

import functools
import re
from enum import Enum
from pathlib import Path
from typing import Any, Callable, List, Optional, TypeVar

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


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    r"""User text made inert for a terminal: control characters (ESC sequences that move the cursor,
    clear the screen or set the window title; bells; carriage returns) shown as ``\x1b`` etc.

    >>> terminal_safe("a\x1b[2Jb")
    'a\\x1b[2Jb'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


@functools.lru_cache(maxsize=None)
def _console_class():
    from rich.console import Console

    class SafeConsole(Console):
        """Every string printed, table cells and titles included, passes through :func:`terminal_safe`."""

        def render_str(self, text, **kwargs):  # type: ignore[override]
            return super().render_str(terminal_safe(text), **kwargs)

    return SafeConsole


def err_console():
    """Console for messages on stderr. Markup and emoji codes are off and control characters are shown
    escaped: user text (titles, ids, file names) is printed as it is, never read as ``[bold]``,
    ``:smile:`` or a terminal escape sequence; styles come from :func:`styled`."""
    return _console_class()(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)


def out_console():
    """Console for results on stdout; as safe as :func:`err_console` (tables included)."""
    return _console_class()(highlight=False, soft_wrap=True, markup=False, emoji=False)


def styled(*parts: "str | tuple[str, str]"):
    """A rich Text from plain strings and ``(text, style)`` pairs: styling that cannot be injected.

    >>> styled(("error:", "bold red"), " [/oops] as typed").plain
    'error: [/oops] as typed'
    """
    from rich.text import Text

    return Text.assemble(*((terminal_safe(p[0]), p[1]) if isinstance(p, tuple) else terminal_safe(p)
                           for p in parts))


# ----------------------------------------------------------------------------- error handling

_DEBUG = False


def set_debug(value: bool) -> None:
    """Set by the root ``--debug`` option (each invocation sets it afresh)."""
    global _DEBUG
    _DEBUG = bool(value)


def debug_enabled() -> bool:
    """``--debug`` given, or ``LCA_DEBUG`` set to anything but empty/0: show tracebacks."""
    import os

    return _DEBUG or os.environ.get("LCA_DEBUG", "").strip() not in ("", "0")


def report_problems(exc: Exception) -> None:
    """Print every problem of a domain error to stderr, one per line."""
    from lca.errors import LcaInputError

    console = err_console()
    if isinstance(exc, LcaInputError):
        n = len(exc.problems)
        console.print(styled(("error:", "bold red"), f" {n} problem{'s' if n != 1 else ''} in the input:"))
        for p in exc.problems:
            console.print(f"  - {p}")
    else:
        console.print(styled(("error:", "bold red"), " ", str(exc)))


def os_error_message(exc: OSError) -> str:
    """``path: what the OS said (what to do)`` for an OSError that escaped a reader or writer."""
    from lca.outputs import os_reason

    where = " → ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
    return f"{where}: {os_reason(exc)}" if where else os_reason(exc)


def handle_errors(func: F) -> F:
    """Decorator of every command: one located message on stderr and an exit code, never a traceback.

    * domain errors (:class:`~lca.errors.LcaError`): their problems, exit 1;
    * operating-system errors (permissions, read-only or full disks, a folder where a file is
      expected, symbolic link loops) that escaped a reader: ``path: reason``, exit 1;
    * Ctrl-C: ``interrupted``, exit 130 (outputs are written atomically, so nothing partial is left);
    * anything else is a bug in lca: one line saying so, exit 1. ``--debug`` (or ``LCA_DEBUG=1``)
      shows the traceback of any of these.
    Usage errors (exit 2) and ``typer.Exit`` pass through untouched.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from lca.errors import LcaError

        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.TyperException):  # exit codes and usage errors (2)
            raise
        except LcaError as exc:
            _traceback()
            report_problems(exc)
        except OSError as exc:
            _traceback()
            err_console().print(styled(("error:", "bold red"), " ", os_error_message(exc)))
        except KeyboardInterrupt:
            _traceback()
            err_console().print(styled(("interrupted", "bold red"), " (no partial output is left)"))
            raise typer.Exit(130) from None
        except MemoryError:
            _traceback()
            err_console().print(styled(("error:", "bold red"), " out of memory (try a smaller input or fewer "
                                                                "iterations)"))
        except Exception as exc:
            if debug_enabled():
                raise
            first = (str(exc).strip().splitlines() or [""])[0]
            # one line; whatever caused it, reaching here is a bug: lca should have said which input and where
            err_console().print(styled(("error:", "bold red"), f" internal error (a bug in lca): {type(exc).__name__}: "
                                       f"{first[:300]} — lca should have named the input and where; run again "
                                       f"with --debug (or LCA_DEBUG=1) to see the traceback, and please report it"))
        raise typer.Exit(1)

    return wrapper  # type: ignore[return-value]


def _traceback() -> None:
    if debug_enabled():
        import traceback

        traceback.print_exc()


# ----------------------------------------------------------------------------- loading, inputs

def load(study: Optional[Path], *, cell_plant: str | None = None, gwp: Gwp | None = None,
         electricity_rule: ElectricityRule | None = None, td_losses: TdLosses | None = None):
    """Load a study (or the default) and apply method switches given on the command line."""
    from lca.errors import StudyError
    from lca.resources import default_study_path
    from lca.study import load_study

    path = study or default_study_path()
    try:
        s = load_study(path, cell_plant=cell_plant)
    except StudyError:
        if cell_plant is not None:
            _check_cell_plant(path, cell_plant)
        raise
    changes = {k: v.value for k, v in (("gwp", gwp), ("electricity_rule", electricity_rule),
                                        ("td_losses", td_losses)) if v is not None}
    return s.with_method(**changes) if changes else s


def _check_cell_plant(path: Path, plant: str) -> None:
    """After a failed load with ``--cell-plant``: blame the option (not the study) if it names no site."""
    from lca.errors import LcaInputError, Problem
    from lca.study import load_study

    try:
        sites = load_study(path).sites.get_column("id").to_list()
    except LcaInputError:
        return  # the study is broken on its own: its own errors say where
    if plant not in sites:
        raise LcaInputError(Problem(f"--cell-plant: '{plant}' is not a site of {path}",
                                    hint="use one of: " + ", ".join(sorted(sites))))


def two_scenarios(value):
    """Typer callback of ``--compare A B``: comparing a scenario with itself is a usage error (exit 2)."""
    if value and len(value) == 2 and value[0] is not None and value[0] == value[1]:
        raise typer.BadParameter(f"'{value[0]}' is compared with itself; give two different scenario ids",
                                 param_hint="'--compare'")
    return value


def check_scenarios(study, ids, option: str) -> None:
    """Scenario ids given on the command line must be scenarios of the study (message names the option)."""
    from lca.errors import LcaInputError, Problem

    known = study.scenario_ids
    bad = [i for i in dict.fromkeys(ids or ()) if i is not None and i not in known]
    if bad:
        raise LcaInputError([Problem(f"{option}: unknown scenario '{b}'",
                                     hint=f"use one of the scenarios of {study.path or 'the study'}: "
                                          + ", ".join(known)) for b in bad])


def check_per(fp, per: "Per | str", option: str = "--per") -> None:
    """``--per`` needs a conversion the study may not state: say so naming the option, file and key."""
    from lca.errors import LcaInputError, Problem

    per = per.value if isinstance(per, Per) else per
    try:
        fp.scale(per)
    except LcaInputError as exc:
        file = str(fp.study.path) if fp.study.path else None
        raise LcaInputError([Problem(f"{option} {per}: {p.message}", file=p.file or file, table=p.table, row=p.row,
                                     column=p.column, hint=p.hint or f"add it to the study, or choose another {option}")
                             for p in exc.problems]) from None


def study_inputs(study, factors: Optional[List[Path]] = None) -> list[tuple[str, Path]]:
    """Every file or folder a command computing ``study`` reads (for :func:`lca.outputs.guard_outputs`)."""
    from lca.resources import factors_dir

    items: list[tuple[str, Path]] = []
    if study.path is not None:
        items.append(("study file", study.path))
    items += [("table file", p) for p in study.table_files]
    items += [("factor file", p) for p in study.factor_files]
    items += [("factor file (--factors)", Path(p)) for p in factors or ()]
    items.append(("shipped factor library", factors_dir()))
    return items


def compute_loaded(s, factors: Optional[List[Path]] = None):
    """Compute a loaded study; method gaps go to stderr as warnings."""
    from lca.engine import compute

    fp = compute(s, factors=factors or [])
    if fp.warnings:
        console = err_console()
        for w in dict.fromkeys(fp.warnings):
            console.print(styled(("warning:", "yellow"), f" {w}"))
    return fp


def compute_study(study: Optional[Path], *, factors: list[Path] | None = None, **kw: Any):
    """Load and compute in one go (the common case for commands); method gaps go to stderr."""
    return compute_loaded(load(study, **kw), factors)


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


def area_per_roll(value: Optional[str]) -> Optional[str]:
    """Typer callback of ``--m2-per-roll``: a positive, finite area (a bare number is m²), checked once
    here so a bad value is a usage error naming the option rather than one error per roll lot."""
    if value is None:
        return None
    from lca.units import unit_info

    info = unit_info(value)
    if info.error is None and info.dimension == "dimensionless":
        info = unit_info(f"{value} m^2")
    if info.error is not None or info.dimension != "[length]^2":
        raise typer.BadParameter(f"'{value}' is not a positive area of one roll (give e.g. 1200 or '1200 m^2')")
    return value
