"""The study: a TOML file (plus optional CSV/Parquet tables beside it) loaded into validated frames.

A study is data, not code. See ``docs/study-format.md`` for the format; the bundled default is
``lca/studies/separator-na.toml``. Loading parses and validates everything and reports every
problem with the file and the key or row; it never computes.

>>> from lca.resources import default_study_path
>>> s = load_study(default_study_path())
>>> s.id, s.method.gwp, s.scenario_ids[:2]
('separator-na', 'AR6', ['jp-import', 'charlotte-coated'])
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

import polars as pl

from lca.errors import Problem, SchemaError, StudyError
from lca.study_parse import Product, Quantity, _check_keys, parse_quantity, shape_problems
from lca.study_scenarios import CELL_PLANT, _scenarios
from lca.study_tables import _check_exchange_refs, _processes, _product, _routes, _sites

__all__ = ["Study", "Method", "Product", "Quantity", "load_study", "study_from_dict", "parse_quantity", "CELL_PLANT"]

GWP_SETS = ("AR6", "AR5", "AR4")
ELECTRICITY_RULES = ("location", "market", "national")
TD_LOSSES = ("excluded", "included")

_TOP_KEYS = {"study", "method", "product", "site", "process", "route", "scenario", "comparison", "tables",
             "factors", "uncertainty", "pact"}


@dataclass(frozen=True)
class Method:
    """Method choices; each is recorded with every result."""

    gwp: str = "AR6"
    electricity_rule: str = "location"
    td_losses: str = "excluded"


@dataclass(frozen=True)
class Study:
    """A loaded, validated study. Frames are polars DataFrames; quantities carry units."""

    id: str
    title: str
    description: str
    reference_start: dt.date
    reference_end: dt.date
    method: Method
    product: Product
    sites: pl.DataFrame
    processes: pl.DataFrame
    exchanges: pl.DataFrame
    scenarios: pl.DataFrame
    steps: pl.DataFrame
    transport: pl.DataFrame
    mixes: pl.DataFrame
    cell_plant: str | None = None
    comparison: tuple[str, str] | None = None
    factor_files: tuple[Path, ...] = ()
    path: Path | None = None
    #: table files named in ``[tables]`` (inputs a command must never write over)
    table_files: tuple[Path, ...] = ()
    input_hashes: Mapping[str, str] = field(default_factory=dict)
    company_name: str | None = None
    company_ids: tuple[str, ...] = ()
    product_ids: tuple[str, ...] = ()
    product_category_cpc: str | None = None
    #: raw ``[[uncertainty]]`` entries (parsed by :mod:`lca.uncertainty`)
    uncertainty_spec: tuple[Mapping[str, Any], ...] = ()
    #: raw ``[pact]`` table (read by :mod:`lca.export`)
    pact_spec: Mapping[str, Any] = field(default_factory=dict)

    @property
    def scenario_ids(self) -> list[str]:
        return self.scenarios.get_column("id").to_list()

    @property
    def reference_year(self) -> int:
        """Year used to choose factor vintages: the reference period's end year."""
        return self.reference_end.year

    def with_method(self, **changes: str) -> "Study":
        """Copy with other method choices (validated)."""
        method = replace(self.method, **changes)
        _check_method(method, str(self.path or "study"))
        return replace(self, method=method)


# ------------------------------------------------------------------------------------ parsing

def _check_method(m: Method, file: str) -> None:
    problems = []
    if m.gwp not in GWP_SETS:
        problems.append(Problem(f"unknown GWP set '{m.gwp}'", file=file, table="method", column="gwp",
                                hint="use AR6, AR5 or AR4"))
    if m.electricity_rule not in ELECTRICITY_RULES:
        problems.append(Problem(f"unknown electricity rule '{m.electricity_rule}'", file=file, table="method",
                                column="electricity_rule", hint="use location, market or national"))
    if m.td_losses not in TD_LOSSES:
        problems.append(Problem(f"unknown td_losses setting '{m.td_losses}'", file=file, table="method",
                                column="td_losses", hint="use excluded or included"))
    if problems:
        raise StudyError(problems)


def load_study(path: Path | str, *, cell_plant: str | None = None) -> Study:
    """Read, parse and validate a study file (and its table files). Raises :class:`StudyError`."""
    path = Path(path)
    file = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StudyError(Problem("study file not found", file=file, hint="check the path")) from None
    except IsADirectoryError:
        raise StudyError(Problem("is a directory, not a study file", file=file)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StudyError(Problem(f"not UTF-8 text (byte {exc.start})", file=file,
                                 hint="save the file as UTF-8")) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyError(Problem(f"malformed TOML: {exc}", file=file,
                                 hint="check quotes, brackets and commas on that line")) from None
    hashes = {path.name: hashlib.sha256(raw).hexdigest()}
    study = study_from_dict(doc, base=path.parent, file=file, hashes=hashes, cell_plant=cell_plant)
    return replace(study, path=path)


def study_from_dict(doc: Mapping[str, Any], *, base: Path | None = None, file: str = "study",
                    hashes: dict[str, str] | None = None, cell_plant: str | None = None) -> Study:
    """Build a :class:`Study` from a parsed TOML document (or an equivalent dict)."""
    base = base or Path.cwd()
    hashes = dict(hashes or {})
    problems = [Problem(f"unknown section '{k}'", file=file, table=k,
                        hint="allowed sections: " + ", ".join(sorted(_TOP_KEYS)))
                for k in doc if k not in _TOP_KEYS]
    shape = shape_problems(doc, file)
    if shape:
        raise StudyError(problems + shape)
    head = doc.get("study", {})
    if not isinstance(head, Mapping) or "id" not in head:
        problems.append(Problem("missing [study] section with an 'id'", file=file, table="study",
                                hint='add [study] with id = "my-study"'))
        raise StudyError(problems)
    problems += _check_keys(head, {"id", "title", "description", "reference_period", "cell_plant",
                                   "company_name", "company_ids", "product_ids", "product_category_cpc"},
                            file=file, where="study")
    period = head.get("reference_period")
    if not (isinstance(period, Mapping) and isinstance(period.get("start"), dt.date)
            and isinstance(period.get("end"), dt.date)):
        problems.append(Problem("reference_period must be { start = YYYY-MM-DD, end = YYYY-MM-DD }", file=file,
                                table="study", column="reference_period"))
        ref_start = ref_end = dt.date(2025, 1, 1)
    else:
        ref_start, ref_end = period["start"], period["end"]
        if ref_end < ref_start:
            problems.append(Problem("reference period ends before it starts", file=file, table="study",
                                    column="reference_period"))

    mdoc = doc.get("method", {})
    problems += _check_keys(mdoc, {"gwp", "electricity_rule", "td_losses"}, file=file, where="method")
    method = Method(str(mdoc.get("gwp", "AR6")), str(mdoc.get("electricity_rule", "location")),
                    str(mdoc.get("td_losses", "excluded")))
    try:
        _check_method(method, file)
    except StudyError as exc:
        problems += exc.problems

    product = None
    try:
        product = _product(doc.get("product"), file)
    except StudyError as exc:
        problems += exc.problems

    tables = doc.get("tables", {})
    problems += _check_keys(tables, {"sites", "exchanges", "routes"}, file=file, where="tables")
    for name in tables.values():
        if (base / str(name)).is_file():
            hashes[str(name)] = hashlib.sha256((base / str(name)).read_bytes()).hexdigest()

    sites = processes = exchanges = None
    try:
        sites = _sites(doc.get("site", []), tables, base, file)
    except (StudyError, SchemaError) as exc:
        problems += exc.problems
    try:
        processes, exchanges = _processes(doc.get("process", []), tables, base, file)
    except (StudyError, SchemaError) as exc:
        problems += exc.problems
    routes: dict[tuple[str, str], list[dict[str, Any]]] = {}
    try:
        routes = _routes(doc.get("route", []), tables, base, file)
    except (StudyError, SchemaError) as exc:
        problems += exc.problems
    if problems:
        raise StudyError(problems)

    plant = cell_plant or head.get("cell_plant")
    site_ids = set(sites.get_column("id").to_list())
    if plant is not None and plant not in site_ids:
        problems.append(Problem(f"cell plant '{plant}' is not a site", file=file, table="study",
                                column="cell_plant", hint="use one of: " + ", ".join(sorted(site_ids))))
    scen, steps, transport, mixes, sp = _scenarios(doc.get("scenario", []), routes, plant, site_ids,
                                                   set(processes.get_column("id").to_list()),
                                                   product.shipped_mass_ratio, file)
    problems += sp
    comparison = None
    comp = doc.get("comparison")
    if comp:
        ids = set(scen.get_column("id").to_list())
        for k in ("baseline", "alternative"):
            if comp.get(k) not in ids:
                problems.append(Problem(f"comparison {k} '{comp.get(k)}' is not a scenario", file=file,
                                        table="comparison", column=k))
        comparison = (comp.get("baseline"), comp.get("alternative"))
    fdoc = doc.get("factors", {})
    listed = fdoc.get("files", [])
    factor_files = tuple(base / str(p) for p in ([listed] if isinstance(listed, str) else listed))
    for p in factor_files:
        if not p.is_file():
            problems.append(Problem(f"factor file '{p.name}' not found next to the study", file=file,
                                    table="factors", column="files"))
        else:
            hashes[p.name] = hashlib.sha256(p.read_bytes()).hexdigest()
    if problems:
        raise StudyError(problems)
    _check_exchange_refs(exchanges, processes, file)
    return Study(
        id=str(head["id"]), title=str(head.get("title", head["id"])), description=str(head.get("description", "")),
        reference_start=ref_start, reference_end=ref_end, method=method, product=product, sites=sites,
        processes=processes, exchanges=exchanges, scenarios=scen, steps=steps, transport=transport,
        mixes=mixes, cell_plant=plant, comparison=comparison, factor_files=factor_files, input_hashes=hashes,
        table_files=tuple(base / str(n) for n in tables.values()),
        company_name=head.get("company_name"), company_ids=tuple(head.get("company_ids", ())),
        product_ids=tuple(head.get("product_ids", ())), product_category_cpc=head.get("product_category_cpc"),
        uncertainty_spec=tuple(doc.get("uncertainty", ())), pact_spec=dict(doc.get("pact", {})))


