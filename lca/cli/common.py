"""Shared CLI plumbing: options, loading a study, and turning domain errors into exit code 1.

Options used by several commands are declared once, here, as ``Annotated`` aliases (typer reads
the option from the annotation; the default is the parameter's own): ``study: StudyArg = None``.
Their choices are enums built from the tuples of :mod:`lca.choices`, the one home of every choice
set (the same values the study loader, the table schemas and the JSON Schema accept).
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Callable, List, Optional, Tuple, TypeVar

import typer

from lca import choices
from lca.cli.console import err_console, styled

F = TypeVar("F", bound=Callable[..., Any])


def choice_enum(name: str, values: tuple[str, ...], doc: str | None = None) -> type[Enum]:
    """A ``str`` Enum (what typer turns into a choice) of a choice set of :mod:`lca.choices`; member
    names are the values with ``-`` written ``_`` (``ExportFormat.pact_v3`` is ``"pact-v3"``).

    >>> [m.value for m in choice_enum("Rule", choices.ELECTRICITY_RULES)]
    ['location', 'market', 'national']
    """
    enum = Enum(name, [(v.replace("-", "_"), v) for v in values], type=str, module=__name__)
    enum.__doc__ = doc or f"One of: {', '.join(values)}."
    return enum


OutputFormat = choice_enum("OutputFormat", choices.OUTPUT_FORMATS,
                           "How a command prints tables: a rich table for people, CSV or JSON for programs.")


class Per(str):
    """A view id for ``--per``: a built-in view (:data:`lca.choices.VIEWS`) or a ``[[view]]`` of the
    study, so any text is taken here and checked against the loaded study (:func:`check_per`).
    ``.value`` reads it like the choice enums."""

    declared_unit: "Per"

    @property
    def value(self) -> str:
        return str(self)


Per.declared_unit = Per("declared_unit")
Gwp = choice_enum("Gwp", choices.GWP_SETS)
ElectricityRule = choice_enum("ElectricityRule", choices.ELECTRICITY_RULES)
TdLosses = choice_enum("TdLosses", choices.TD_LOSSES)
ElectricityBasis = choice_enum("ElectricityBasis", choices.ELECTRICITY_BASES)

# ------------------------------------------------------------------- options shared by commands

StudyArg = Annotated[Optional[Path], typer.Argument(help="Study TOML file; default: the bundled default study.",
                                                    show_default=False)]
# Method switches shared by every command that computes a study (one definition, one help text).
CellPlantOpt = Annotated[Optional[str], typer.Option("--cell-plant", help="Site id of the cell plant to deliver to "
                                                                          "(overrides the study).")]
GwpOpt = Annotated[Optional[Gwp], typer.Option("--gwp", case_sensitive=False, help=f"GWP100 set: "
                                               f"{choices.spoken(choices.GWP_SETS)} (overrides the study).")]
RuleOpt = Annotated[Optional[ElectricityRule], typer.Option("--electricity-rule", help=" | ".join(
    choices.ELECTRICITY_RULES) + " (overrides the study).")]
TdOpt = Annotated[Optional[TdLosses], typer.Option("--td-losses", help=" | ".join(choices.TD_LOSSES)
                                                   + ": add grid T&D losses (overrides the study).")]
BasisOpt = Annotated[Optional[ElectricityBasis], typer.Option(
    "--electricity-basis", help="Basis of every site's electricity, coverage-point-gases: " + " | ".join(
        choices.ELECTRICITY_BASES) + " (overrides the study; sets T&D losses with its point).")]
FactorsOpt = Annotated[Optional[List[Path]], typer.Option("--factors", help="User factor file (CSV/Parquet) on top "
                                                                            "of the library; repeatable.")]
ReceivedOpt = Annotated[Optional[str], typer.Option(
    "--received", metavar="DIR|URL", help="Folder of received PACT footprints (`lca pull --into DIR`), or a database "
                                          "URL (sqlite:///FILE, postgresql+psycopg://…), that supplier_footprint ids and "
                                          "product ids are looked up in (overrides the study's \\[factors] received).")]
AllowExpiredOpt = Annotated[bool, typer.Option(
    "--allow-expired", help="Use supplier footprints that are expired, not yet valid for use, or Deprecated (the outputs warn).")]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help=" | ".join(choices.OUTPUT_FORMATS))]
PerOpt = Annotated[Per, typer.Option("--per", parser=Per, metavar="VIEW", help="Express results per declared unit, "
                                     "per kg, or per one of the study's [\\[view]] ids (e.g. kWh, vehicle, year).")]
SeedOpt = Annotated[int, typer.Option("--seed", min=0, help="Random seed of the Monte Carlo analysis (>= 0); the "
                                                            "same seed gives the same numbers.")]


@dataclass(frozen=True)
class Switches:
    """The method switches given on the command line (None: as the study says)."""

    cell_plant: Optional[str] = None
    gwp: Optional[Gwp] = None
    electricity_rule: Optional[ElectricityRule] = None
    td_losses: Optional[TdLosses] = None
    electricity_basis: Optional[ElectricityBasis] = None
    factors: Optional[List[Path]] = None
    received: Optional[str] = None
    allow_expired: Optional[bool] = None

    def load(self, study: Optional[Path]):
        """The study (or the default) loaded, these switches applied (:func:`load`)."""
        return load(study, cell_plant=self.cell_plant, gwp=self.gwp, electricity_rule=self.electricity_rule,
                    td_losses=self.td_losses, electricity_basis=self.electricity_basis, received=self.received,
                    allow_expired=bool(self.allow_expired))

    def compute(self, study: Optional[Path]):
        """Load and compute in one go (the common case for commands); method gaps go to stderr."""
        return compute_loaded(self.load(study), self.factors)


#: The options behind :class:`Switches`, in the order every command shows them.
SWITCH_OPTIONS = {"cell_plant": CellPlantOpt, "gwp": GwpOpt, "electricity_rule": RuleOpt, "td_losses": TdOpt,
                  "electricity_basis": BasisOpt, "factors": FactorsOpt, "received": ReceivedOpt,
                  "allow_expired": AllowExpiredOpt}


def method_switches(func: F) -> F:
    """Give a command the method switches: its ``switches`` parameter becomes the options of
    :data:`SWITCH_OPTIONS` (shown where the parameter stands in the help) and the command receives
    them as one :class:`Switches`. Every command that computes a study has the same switches, with
    the same help, declared once."""
    sig = inspect.signature(func, eval_str=True)
    params: list[inspect.Parameter] = []
    for p in sig.parameters.values():
        if p.name == "switches":
            params += [inspect.Parameter(name, p.kind, default=False if name == "allow_expired" else None,
                                         annotation=option) for name, option in SWITCH_OPTIONS.items()]
        else:
            params.append(p)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        switches = Switches(**{name: kwargs.pop(name, None) for name in SWITCH_OPTIONS})
        return func(*args, switches=switches, **kwargs)

    # typer reads the signature (and its type hints) of the wrapper: the switch options in place of one
    wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params if p.annotation is not p.empty}
    return wrapper  # type: ignore[return-value]


def two_scenarios(value):
    """Typer callback of ``--compare A B``: comparing a scenario with itself is a usage error (exit 2)."""
    if value and len(value) == 2 and value[0] is not None and value[0] == value[1]:
        raise typer.BadParameter(f"'{value[0]}' is compared with itself; give two different scenario ids",
                                 param_hint="'--compare'")
    return value


def compare_opt(help: str) -> Any:
    """``--compare A B`` (two different scenario ids); each command says what it does with them."""
    return Annotated[Optional[Tuple[str, str]], typer.Option("--compare", help=help, show_default=False,
                                                            callback=two_scenarios)]


# ----------------------------------------------------------------------------- loading, inputs

def load(study: Optional[Path], *, cell_plant: str | None = None, gwp: Gwp | None = None,
         electricity_rule: ElectricityRule | None = None, td_losses: TdLosses | None = None,
         electricity_basis: ElectricityBasis | None = None, received: str | Path | None = None,
         allow_expired: bool = False):
    """Load a study (or the default) and apply method switches given on the command line."""
    import lca.exchange  # noqa: F401 — registers database URLs as received footprints (--received URL)
    from lca.errors import StudyError
    from lca.resources import default_study_path
    from lca.study import load_study

    path = study or default_study_path()
    try:
        s = load_study(path, cell_plant=cell_plant, received=received, allow_expired=allow_expired)
    except StudyError:
        if cell_plant is not None:
            _check_cell_plant(path, cell_plant)
        raise
    changes = {k: v.value for k, v in (("gwp", gwp), ("electricity_rule", electricity_rule),
                                        ("td_losses", td_losses), ("electricity_basis", electricity_basis))
               if v is not None}
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


def check_scenarios(study, ids, option: str) -> None:
    """Scenario ids given on the command line must be scenarios of the study (message names the option).

    ``study``: a loaded study (before computing) or its footprint."""
    from lca.errors import LcaInputError, Problem

    from lca.results import Footprint

    if isinstance(study, Footprint):
        known, where = study.scenarios, study.meta.source
    else:
        known, where = study.scenario_ids, study.path or "the study"
    bad = [i for i in dict.fromkeys(ids or ()) if i is not None and i not in known]
    if bad:
        raise LcaInputError([Problem(f"{option}: unknown scenario '{b}'",
                                     hint=f"use one of the scenarios of {where}: "
                                          + ", ".join(known)) for b in bad])


def check_per(fp, per: "Per | str", option: str = "--per") -> None:
    """``--per`` needs a conversion the study may not state: say so naming the option, file and key."""
    from lca.errors import LcaInputError, Problem

    per = per.value if isinstance(per, Per) else per
    try:
        fp.scale(per)
    except LcaInputError as exc:
        file = fp.meta.source
        raise LcaInputError([Problem(f"{option} {per}: {p.message}", file=p.file or file, table=p.table, row=p.row,
                                     column=p.column, hint=p.hint or f"add it to the study, or choose another {option}")
                             for p in exc.problems]) from None


def unit_words(fp, per: str, unit: str) -> str:
    """A result unit with the study's label of its view, so "per kWh" cannot be misread:
    ``kg_CO2e/kWh, per kWh of cell capacity`` (the unit alone per declared unit or per kg)."""
    import polars as pl

    if per in choices.VIEWS:
        return unit
    row = fp.views.filter(pl.col("view") == per)
    label = str(row.get_column("label")[0] or "") if row.height else ""
    return f"{unit}, {label}" if label else unit


def study_inputs(study, factors: Optional[List[Path]] = None) -> list[tuple[str, Path]]:
    """Every file or folder a command computing ``study`` reads (for :func:`lca.outputs.guard_outputs`)."""
    from lca.resources import factors_dir

    items: list[tuple[str, Path]] = []
    if study.path is not None:
        items.append(("study file", study.path))
    items += [("table file", p) for p in study.table_files]
    items += [("factor file", p) for p in study.factor_files if isinstance(p, Path)]  # not [factors] sources
    items += [("supplier footprint file", Path(f)) for f in study.supplier_footprints.get_column("file").drop_nulls()]
    items += [("factor file (--factors)", Path(p)) for p in factors or ()]
    items.append(("shipped factor library", factors_dir()))
    return items


def compute_loaded(s, factors: Optional[List[Path]] = None):
    """Compute a loaded study; method gaps go to stderr as warnings."""
    from lca.results import compute

    fp = compute(s, factors=factors or [])
    if fp.warnings:
        console = err_console()
        for w in dict.fromkeys(fp.warnings):
            console.print(styled(("warning:", "yellow"), f" {w}"))
    return fp


def print_frame(frame, output_format: OutputFormat) -> bool:
    """Print ``frame`` on stdout as CSV or JSON when ``--format`` asks for it (True); False: the
    command prints its own table for people."""
    if output_format is OutputFormat.csv:
        typer.echo(frame.write_csv(), nl=False)
        return True
    if output_format is OutputFormat.json:
        typer.echo(frame.write_json())
        return True
    return False


def iso_timestamp(value: Optional[str]) -> Optional[str]:
    """Typer callback: accept only ISO 8601 date-times (``2026-01-01T00:00:00Z``), normalised to UTC ``Z``."""
    if value is None:
        return None
    from lca.timestamps import parse_utc, utc_text

    try:
        return utc_text(parse_utc(value))
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not an ISO 8601 date-time such as 2026-01-01T00:00:00Z") from None


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
