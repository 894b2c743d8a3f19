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
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

import polars as pl

from lca.errors import Problem, SchemaError, StudyError
from lca.schemas import (ExchangeTable, MixTable, ProcessTable, SiteTable, StepTable, TransportTable,
                         validate_table)
from lca.units import require_unit

GWP_SETS = ("AR6", "AR5", "AR4")
ELECTRICITY_RULES = ("location", "market", "national")
TD_LOSSES = ("excluded", "included")
CELL_PLANT = "cell_plant"

_NUMBER_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")

_TOP_KEYS = {"study", "method", "product", "site", "process", "route", "scenario", "comparison", "tables",
             "factors", "uncertainty", "pact"}


@dataclass(frozen=True)
class Quantity:
    """A magnitude with its unit string (parsed and dimension-checked at load)."""

    value: float
    unit: str

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}"

    def to(self, unit: str) -> float:
        """Magnitude in another unit of the same dimension."""
        from lca.units import conversion_factor

        return self.value * conversion_factor(self.unit, unit)


@dataclass(frozen=True)
class Method:
    """Method choices; each is recorded with every result."""

    gwp: str = "AR6"
    electricity_rule: str = "location"
    td_losses: str = "excluded"


@dataclass(frozen=True)
class Product:
    name: str
    declared_unit: Quantity
    mass_per_declared_unit: Quantity
    separator_per_cell_energy: Quantity | None = None
    pack_energy: Quantity | None = None
    annual_volume: Quantity | None = None
    shipped_mass_ratio: float = 1.0


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

def parse_quantity(value: Any, *, file: str, where: str, key: str, expect: str | None = None) -> Quantity:
    """``"7.9 g"`` or ``{value = 7.9, unit = "g"}`` → :class:`Quantity`, unit checked."""
    if isinstance(value, Mapping) and "value" in value and "unit" in value:
        number, unit = value["value"], str(value["unit"])
    elif isinstance(value, str):
        m = _NUMBER_UNIT.match(value)
        if not m:
            raise StudyError(Problem(f"'{value}' is not a number followed by a unit", file=file, table=where,
                                     column=key, hint='write e.g. "7.9 g" or "0.2 kWh"'))
        number, unit = m.group(1), m.group(2) or "dimensionless"
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        raise StudyError(Problem(f"{value} has no unit", file=file, table=where, column=key,
                                 hint=f'write it with its unit, e.g. "{value} kg"'))
    else:
        raise StudyError(Problem(f"expected a quantity such as \"7.9 g\", got {value!r}", file=file, table=where,
                                 column=key))
    try:
        number = float(number)
    except (TypeError, ValueError):
        raise StudyError(Problem(f"{number!r} is not a number", file=file, table=where, column=key)) from None
    require_unit(unit, expect=_dim_of(expect), where=Problem("", file=file, table=where, column=key))
    return Quantity(number, unit)


def _dim_of(name: str | None) -> str | None:
    if name is None:
        return None
    from lca.units import unit_info
    return unit_info({"area": "m^2", "mass": "kg", "energy": "kWh", "length": "km",
                      "area per energy": "m^2/kWh", "mass per area": "kg/m^2"}[name]).dimension


def _split_amount(entry: Mapping[str, Any], *, file: str, where: str) -> tuple[float | None, str | None]:
    """Exchange/leg amounts: ``amount = "7.9 g"`` or ``amount = 7.9`` with ``unit = "g"``."""
    amount = entry.get("amount", entry.get("distance"))
    unit = entry.get("unit")
    if isinstance(amount, str):
        m = _NUMBER_UNIT.match(amount)
        if not m or not m.group(2):
            raise StudyError(Problem(f"'{amount}' is not a number followed by a unit", file=file, table=where,
                                     hint='write e.g. "7.9 g"'))
        return float(m.group(1)), m.group(2)
    if isinstance(amount, (int, float)) and not isinstance(amount, bool):
        if unit is None:
            raise StudyError(Problem(f"amount {amount} has no unit", file=file, table=where, column="unit",
                                     hint="add unit = \"...\" or write the amount as a string with its unit"))
        return float(amount), str(unit)
    raise StudyError(Problem("missing amount", file=file, table=where, column="amount",
                             hint='write amount = "7.9 g"'))


def _check_keys(entry: Mapping[str, Any], allowed: set[str], *, file: str, where: str) -> list[Problem]:
    return [Problem(f"unknown key '{k}'", file=file, table=where, column=k,
                    hint="allowed keys: " + ", ".join(sorted(allowed)))
            for k in entry if k not in allowed]


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


def _read_table(base: Path, name: str, *, file: str) -> pl.DataFrame:
    path = (base / name)
    try:
        if path.suffix.lower() == ".parquet":
            return pl.read_parquet(path)
        return pl.read_csv(path, infer_schema=False, encoding="utf8")
    except FileNotFoundError:
        raise StudyError(Problem(f"table file '{name}' not found next to the study", file=file,
                                 table="tables")) from None
    except Exception as exc:
        raise StudyError(Problem(f"cannot read table file '{name}': {exc}", file=file, table="tables",
                                 hint="use UTF-8 CSV with a header row, or Parquet")) from None


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
    factor_files = tuple(base / str(p) for p in fdoc.get("files", []))
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
        company_name=head.get("company_name"), company_ids=tuple(head.get("company_ids", ())),
        product_ids=tuple(head.get("product_ids", ())), product_category_cpc=head.get("product_category_cpc"),
        uncertainty_spec=tuple(doc.get("uncertainty", ())), pact_spec=dict(doc.get("pact", {})))


def _product(p: Any, file: str) -> Product:
    if not isinstance(p, Mapping):
        raise StudyError(Problem("missing [product] section", file=file, table="product",
                                 hint='add [product] with name, declared_unit = "1 m^2" and mass_per_declared_unit'))
    problems = _check_keys(p, {"name", "declared_unit", "mass_per_declared_unit", "separator_per_cell_energy",
                               "pack_energy", "annual_volume", "shipped_mass_ratio"}, file=file, where="product")
    out: dict[str, Any] = {}
    specs = {"declared_unit": None, "mass_per_declared_unit": "mass", "separator_per_cell_energy": None,
             "pack_energy": "energy", "annual_volume": None}
    for key, dim in specs.items():
        if key not in p:
            if key in ("declared_unit", "mass_per_declared_unit"):
                problems.append(Problem(f"missing '{key}'", file=file, table="product", column=key))
            continue
        try:
            out[key] = parse_quantity(p[key], file=file, where="product", key=key, expect=dim)
        except StudyError as exc:
            problems += exc.problems
    if not problems:
        from lca.units import unit_info
        du = unit_info(out["declared_unit"].unit).dimension
        if out["declared_unit"].value <= 0:
            problems.append(Problem("declared unit amount must be > 0", file=file, table="product",
                                    column="declared_unit"))
        spe = out.get("separator_per_cell_energy")
        if spe is not None and unit_info(spe.unit).dimension != unit_info(f"({out['declared_unit'].unit})/kWh").dimension:
            problems.append(Problem(f"separator_per_cell_energy '{spe}' must be declared units per energy "
                                    f"(e.g. {out['declared_unit'].unit}/kWh)", file=file, table="product",
                                    column="separator_per_cell_energy"))
        vol = out.get("annual_volume")
        if vol is not None and unit_info(vol.unit).dimension != du:
            problems.append(Problem(f"annual_volume '{vol}' must have the declared unit's dimension", file=file,
                                    table="product", column="annual_volume"))
    ratio = p.get("shipped_mass_ratio", 1.0)
    if not isinstance(ratio, (int, float)) or isinstance(ratio, bool) or ratio < 1:
        problems.append(Problem(f"shipped_mass_ratio must be a number >= 1, got {ratio!r}", file=file,
                                table="product", column="shipped_mass_ratio"))
    if problems:
        raise StudyError(problems)
    return Product(name=str(p.get("name", "product")), shipped_mass_ratio=float(ratio), **out)


def _sites(entries: list[Mapping[str, Any]], tables: Mapping[str, Any], base: Path, file: str) -> pl.DataFrame:
    cols = ["id", "name", "country", "subdivision", "grid", "market_factor"]
    problems: list[Problem] = []
    for i, e in enumerate(entries, 1):
        problems += _check_keys(e, set(cols), file=file, where=f"site #{i}")
    if problems:
        raise StudyError(problems)
    inline = pl.DataFrame([{c: (None if e.get(c) is None else str(e.get(c))) for c in cols} for e in entries],
                          schema={c: pl.String for c in cols})
    frames = [validate_table(inline, SiteTable, file=file, table="site")] if entries else []
    if "sites" in tables:
        name = str(tables["sites"])
        frames.append(validate_table(_read_table(base, name, file=file), SiteTable, file=str(base / name),
                                     table="sites").select(cols))
    if not frames:
        raise StudyError(Problem("no sites", file=file, table="site", hint="add at least one [[site]]"))
    sites = pl.concat([f.select(cols) for f in frames])
    dup = sites.filter(pl.col("id").is_duplicated()).get_column("id").unique().to_list()
    if dup:
        raise StudyError([Problem(f"site id '{d}' is defined twice", file=file, table="site") for d in dup])
    return sites


def _processes(entries: list[Mapping[str, Any]], tables: Mapping[str, Any], base: Path,
               file: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    allowed = {"id", "name", "stage", "output", "output_mass", "yield", "exchanges"}
    ex_allowed = {"flow", "input", "amount", "unit", "stage", "factor", "note"}
    problems: list[Problem] = []
    prows, erows = [], []
    for i, e in enumerate(entries, 1):
        where = f"process '{e.get('id', f'#{i}')}'"
        problems += _check_keys(e, allowed, file=file, where=where)
        try:
            out = parse_quantity(e.get("output", "1 dimensionless"), file=file, where=where, key="output")
            mass = parse_quantity(e["output_mass"], file=file, where=where, key="output_mass",
                                  expect="mass") if "output_mass" in e else None
        except StudyError as exc:
            problems += exc.problems
            continue
        prows.append({"id": e.get("id"), "name": e.get("name"), "stage": e.get("stage", e.get("id")),
                      "output_amount": out.value, "output_unit": out.unit,
                      "output_mass_amount": None if mass is None else mass.value,
                      "output_mass_unit": None if mass is None else mass.unit, "yield": e.get("yield", 1.0)})
        for j, x in enumerate(e.get("exchanges", []), 1):
            xwhere = f"{where} exchange #{j}"
            problems += _check_keys(x, ex_allowed, file=file, where=xwhere)
            try:
                amount, unit = _split_amount(x, file=file, where=xwhere)
            except StudyError as exc:
                problems += exc.problems
                continue
            erows.append({"process": e.get("id"), "flow": x.get("flow"), "input": x.get("input"), "amount": amount,
                          "unit": unit, "stage": x.get("stage"), "factor": x.get("factor"), "row": j,
                          "origin": f"{where} exchange #{j}"})
    if problems:
        raise StudyError(problems)
    if not prows:
        raise StudyError(Problem("no processes", file=file, table="process", hint="add at least one [[process]]"))
    processes = pl.DataFrame(prows, schema={"id": pl.String, "name": pl.String, "stage": pl.String,
                                            "output_amount": pl.Float64, "output_unit": pl.String,
                                            "output_mass_amount": pl.Float64, "output_mass_unit": pl.String,
                                            "yield": pl.Float64}, strict=False)
    processes = validate_table(processes, ProcessTable, file=file, table="process")
    ex_schema = {"process": pl.String, "flow": pl.String, "input": pl.String, "amount": pl.Float64,
                 "unit": pl.String, "stage": pl.String, "factor": pl.String, "row": pl.Int64, "origin": pl.String}
    frames = []
    if erows:
        inline = pl.DataFrame(erows, schema=ex_schema, strict=False)
        origins = inline.get_column("origin").to_list()
        try:
            frames.append(validate_table(inline, ExchangeTable, file=file, table="exchanges"))
        except SchemaError as exc:  # name the TOML entry, not a frame position
            raise StudyError([Problem(**{**p.as_dict(), "table": origins[p.row - 1], "row": None})
                              if p.row is not None and 0 < p.row <= len(origins) else p
                              for p in exc.problems]) from None
    if "exchanges" in tables:
        name = str(tables["exchanges"])
        t = _read_table(base, name, file=file)
        t = t.with_row_index("row", offset=1).with_columns(pl.col("row").cast(pl.Int64))
        t = t.with_columns(pl.format("{} row {}", pl.lit(name), pl.col("row")).alias("origin"))
        t = validate_table(t, ExchangeTable, file=str(base / name), table="exchanges")
        frames.append(t.select(list(ex_schema)))
    exchanges = pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame(schema=ex_schema)
    bad = exchanges.filter(~pl.col("amount").is_finite())
    if bad.height:
        raise StudyError([Problem("amount is not finite", file=file, table=o, column="amount")
                          for o in bad.get_column("origin")])
    return processes, exchanges


def _check_exchange_refs(exchanges: pl.DataFrame, processes: pl.DataFrame, file: str) -> None:
    ids = set(processes.get_column("id").to_list())
    problems = [Problem(f"exchange belongs to unknown process '{p}'", file=file, table=o, column="process")
                for p, o in exchanges.select("process", "origin").iter_rows() if p not in ids]
    problems += [Problem(f"input '{i}' is not a process", file=file, table=o, column="input",
                         hint="an intermediate input must name a [[process]] id")
                 for i, o in exchanges.filter(pl.col("input").is_not_null()).select("input", "origin").iter_rows()
                 if i not in ids]
    if problems:
        raise StudyError(problems)


def _routes(entries: list[Mapping[str, Any]], tables: Mapping[str, Any], base: Path,
            file: str) -> dict[tuple[str, str], list[dict[str, Any]]]:
    routes: dict[tuple[str, str], list[dict[str, Any]]] = {}
    problems: list[Problem] = []
    for i, e in enumerate(entries, 1):
        where = f"route #{i} ({e.get('from')} → {e.get('to')})"
        problems += _check_keys(e, {"from", "to", "legs"}, file=file, where=where)
        key = (str(e.get("from")), str(e.get("to")))
        if key in routes:
            problems.append(Problem("route defined twice", file=file, table=where))
        routes[key] = list(e.get("legs", []))
    if "routes" in tables:
        name = str(tables["routes"])
        t = _read_table(base, name, file=file)
        need = {"from", "to", "mode", "distance", "unit"}
        if not need <= set(t.columns):
            raise StudyError(Problem(f"routes table needs columns {sorted(need)}", file=str(base / name)))
        for r in t.iter_rows(named=True):
            routes.setdefault((r["from"], r["to"]), []).append(
                {"mode": r["mode"], "amount": float(r["distance"]), "unit": r["unit"], "factor": r.get("factor")})
    if problems:
        raise StudyError(problems)
    return routes


def _scenarios(entries, routes, plant, site_ids, process_ids, ratio, file):
    problems: list[Problem] = []
    srows, steps, legs, mixes = [], [], [], []
    ids = [e.get("id") for e in entries]
    if not entries:
        problems.append(Problem("no scenarios", file=file, table="scenario", hint="add at least one [[scenario]]"))
    for d in {i for i in ids if ids.count(i) > 1}:
        problems.append(Problem(f"scenario id '{d}' is defined twice", file=file, table="scenario"))
    for i, e in enumerate(entries, 1):
        sid = e.get("id")
        where = f"scenario '{sid or f'#{i}'}'"
        problems += _check_keys(e, {"id", "label", "description", "steps", "transport", "mix", "product"},
                                file=file, where=where)
        if not sid:
            problems.append(Problem("scenario without an id", file=file, table=where, column="id"))
            continue
        if "mix" in e:
            if "steps" in e:
                problems.append(Problem("a scenario is either a mix or has steps, not both", file=file, table=where))
            shares = e["mix"]
            total = 0.0
            for comp, share in shares.items():
                if comp not in ids:
                    problems.append(Problem(f"mix component '{comp}' is not a scenario", file=file, table=where,
                                            column="mix"))
                if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 <= share <= 1:
                    problems.append(Problem(f"share of '{comp}' must be a number between 0 and 1", file=file,
                                            table=where, column="mix"))
                    continue
                total += share
                mixes.append({"scenario": sid, "component": comp, "share": float(share)})
            if abs(total - 1.0) > 1e-9:
                problems.append(Problem(f"mix shares add up to {total:g}, not 1", file=file, table=where,
                                        column="mix", hint="make the shares sum to 1 (e.g. 0.6 and 0.4)"))
            srows.append({"id": sid, "label": e.get("label", sid), "description": e.get("description"),
                          "kind": "mix", "product": None})
            continue
        st = e.get("steps", [])
        if not st:
            problems.append(Problem("scenario has no steps", file=file, table=where, column="steps",
                                    hint='add steps = [{ process = "...", site = "..." }]'))
        in_scen = set()
        for j, s in enumerate(st, 1):
            p, site = s.get("process"), s.get("site")
            if p not in process_ids:
                problems.append(Problem(f"unknown process '{p}'", file=file, table=f"{where} step #{j}",
                                        column="process", hint="use one of: " + ", ".join(sorted(process_ids))))
            if site not in site_ids:
                problems.append(Problem(f"unknown site '{site}'", file=file, table=f"{where} step #{j}",
                                        column="site", hint="use one of: " + ", ".join(sorted(site_ids))))
            if p in in_scen:
                problems.append(Problem(f"process '{p}' appears twice", file=file, table=f"{where} step #{j}"))
            in_scen.add(p)
            steps.append({"scenario": sid, "process": p, "site": site})
        for k, t in enumerate(e.get("transport", []), 1):
            twhere = f"{where} transport #{k}"
            problems += _check_keys(t, {"goods", "from", "to", "legs", "packaging_factor"}, file=file, where=twhere)
            src, dst = t.get("from"), t.get("to")
            dst = plant if dst == CELL_PLANT else dst
            if t.get("to") == CELL_PLANT and plant is None:
                problems.append(Problem("transport goes to 'cell_plant' but the study names no cell_plant",
                                        file=file, table=twhere, column="to",
                                        hint='set cell_plant = "<site id>" in [study]'))
                continue
            for col, v in (("from", src), ("to", dst)):
                if v not in site_ids:
                    problems.append(Problem(f"unknown site '{v}'", file=file, table=twhere, column=col))
            if t.get("goods") not in in_scen:
                problems.append(Problem(f"goods '{t.get('goods')}' is not a process of this scenario", file=file,
                                        table=twhere, column="goods"))
            tlegs = t.get("legs")
            if tlegs is None:
                tlegs = routes.get((src, dst))
                if tlegs is None:
                    problems.append(Problem(f"no route from '{src}' to '{dst}'", file=file, table=twhere,
                                            hint="add legs = [...] here or a [[route]] with these ends"))
                    continue
            pf = t.get("packaging_factor", ratio)
            for m, leg in enumerate(tlegs, 1):
                lwhere = f"{twhere} leg #{m}"
                try:
                    dist, unit = _split_amount(leg, file=file, where=lwhere)
                except StudyError as exc:
                    problems += exc.problems
                    continue
                legs.append({"scenario": sid, "element": k, "goods": t.get("goods"), "from_site": src,
                             "to_site": dst, "packaging_factor": float(pf), "leg": m, "mode": leg.get("mode"),
                             "distance": dist, "distance_unit": unit, "factor": leg.get("factor"),
                             "origin": lwhere})
        srows.append({"id": sid, "label": e.get("label", sid), "description": e.get("description"),
                      "kind": "system", "product": e.get("product")})
    sschema = {"id": pl.String, "label": pl.String, "description": pl.String, "kind": pl.String,
               "product": pl.String}
    scen = pl.DataFrame(srows, schema=sschema)
    steps_df = pl.DataFrame(steps, schema={"scenario": pl.String, "process": pl.String, "site": pl.String})
    tschema = {"scenario": pl.String, "element": pl.Int64, "goods": pl.String, "from_site": pl.String,
               "to_site": pl.String, "packaging_factor": pl.Float64, "leg": pl.Int64, "mode": pl.String,
               "distance": pl.Float64, "distance_unit": pl.String, "factor": pl.String, "origin": pl.String}
    legs_df = pl.DataFrame(legs, schema=tschema, strict=False)
    mix_df = pl.DataFrame(mixes, schema={"scenario": pl.String, "component": pl.String, "share": pl.Float64})
    for frame, model, table in ((steps_df, StepTable, "scenario steps"), (legs_df, TransportTable, "transport"),
                                (mix_df, MixTable, "mix")):
        try:
            validate_table(frame, model, file=file, table=table)
        except SchemaError as exc:
            problems += exc.problems
    for leg_dist, origin in legs_df.select("distance", "origin").iter_rows():
        if leg_dist is not None and not (leg_dist == leg_dist and abs(leg_dist) != float("inf")):
            problems.append(Problem("distance is not finite", file=file, table=origin, column="distance"))
    return scen, steps_df, legs_df, mix_df, problems
