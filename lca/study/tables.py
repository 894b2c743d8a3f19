"""Study sections that are tables: product, sites, processes with their exchanges (routes: study_routes)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Mapping

import polars as pl

from lca.errors import Problem, SchemaError, StudyError
from lca.study.origins import table_origin
from lca.schemas import ExchangeTable, ProcessTable, RouteTable, SiteTable, validate_table
from lca.study.io import read_table
from lca.study.parse import Product, _check_keys, _split_amount, parse_quantity, primary_problems, unknown_columns
from lca.study.profile import kg_view, range_problems
from lca.study.provenance import PROVENANCE_COLUMNS, PROVENANCE_SCHEMA, provenance_fields, with_provenance

SITE_COLUMNS = {"id", "name", "country", "subdivision", "grid", "market_factor", "grid_fallback"}
EXCHANGE_COLUMNS = {"process", "flow", "input", "amount", "unit", "stage", "factor", "primary", "note",
                    *PROVENANCE_COLUMNS}
ROUTE_COLUMNS = {"from", "to", "leg", "mode", "distance", "unit", "factor", "primary", "note", *PROVENANCE_COLUMNS}

#: Table files a study may name under [tables]: the columns allowed and the model. The loader and
#: `lca validate` (a table file given alone) run the same checks, through :func:`check_table`.
TABLE_FILES = {"sites": (SITE_COLUMNS, SiteTable), "exchanges": (EXCHANGE_COLUMNS, ExchangeTable),
               "routes": (ROUTE_COLUMNS, RouteTable)}


def check_table(frame: pl.DataFrame, kind: str, *, file: str) -> pl.DataFrame:
    """Every check of a sites/exchanges/routes table file, all problems at once in row order.

    A header without rows is refused (as :func:`lca.study.io.read_table` does); then unknown columns
    (typos such as 'factr'), the model (types, ids, ranges, finiteness) and units (parsed; route
    distances must be lengths). A routes table gets the loader's own route checks
    (:func:`lca.study.routes.collect_routes`, :func:`~lca.study.routes.leg_problems`: leg numbers,
    consecutive rows, modes, distances, units), all but references to the study's sites.
    Exchanges get a ``row`` column (1 = first data row).
    """
    from lca.study.io import header_only

    if frame.height == 0:
        raise StudyError(header_only(file=file, table=kind))
    allowed, model = TABLE_FILES[kind]
    problems = unknown_columns(frame, allowed, file=file, table=kind)
    if kind == "routes":
        return _check_routes(frame, problems, file=file)
    if kind == "exchanges":
        frame = frame.with_row_index("row", offset=1).with_columns(pl.col("row").cast(pl.Int64))
    checked = frame
    try:
        checked = validate_table(frame, model, file=file, table=kind)
    except SchemaError as exc:
        problems += exc.problems
    if "unit" in frame.columns and frame.schema["unit"] == pl.String:
        problems += unit_problems(frame, file=file, table=kind, distance=kind == "routes")
    if problems:
        raise StudyError(sorted(problems, key=lambda p: p.row or 0))
    return checked


def _check_routes(frame: pl.DataFrame, problems: list[Problem], *, file: str) -> pl.DataFrame:
    """A routes table alone, through the loader's route functions (no second implementation)."""
    from lca.study.routes import collect_routes, leg_problems

    legs = frame
    try:
        legs, more = collect_routes([], frame, name=Path(file).name, path=file, file=file)
        problems = problems + more + leg_problems(legs)
    except StudyError as exc:
        problems = problems + exc.problems
    if problems:
        raise StudyError(sorted(problems, key=lambda p: p.row or 0))
    return legs


def unit_problems(frame: pl.DataFrame, *, file: str, table: str, distance: bool = False) -> list[Problem]:
    """Rows of a table file whose ``unit`` does not parse (or, for ``distance``, is not a length)."""
    from lca.units import unit_info, unit_table

    units = unit_table(frame.get_column("unit"))  # pint once per distinct unit
    rows = frame.select("unit").with_row_index("__i", offset=1).join(units, on="unit", how="inner").sort("__i")
    problems = [Problem(err, file=file, table=table, row=i, column="unit",
                        hint="write a unit such as 'kg', 'kWh' or 'm^2'")
                for i, err in rows.filter(pl.col("unit_error").is_not_null()).select("__i", "unit_error").iter_rows()]
    if distance:
        wrong = rows.filter(pl.col("unit_error").is_null() & (pl.col("dimension") != unit_info("km").dimension))
        problems += [Problem(f"unit '{u}' is not a distance", file=file, table=table, row=i, column="unit",
                             hint="write a length such as 'km' or 'mile'")
                     for i, u in wrong.select("__i", "unit").iter_rows()]
    return problems


def table_location(base: Path, tables: Mapping[str, Any], key: str, memory: Mapping[str, pl.DataFrame] | None,
                   file: str) -> str:
    """Where problems of table ``key`` are located: its file, or (in memory) the study's label."""
    return file if memory and key in memory else str(base / str(tables[key]))


def _table_file(base: Path, name: str, allowed: set[str], *, file: str, table: str,
                memory: Mapping[str, pl.DataFrame] | None = None) -> pl.DataFrame:
    """A table file beside the study (or given in memory), refusing columns the format does not know."""
    frame, where = _table_frame(base, name, file=file, table=table, memory=memory)
    extra = unknown_columns(frame, allowed, file=where, table=table)
    if extra:
        raise StudyError(extra)
    return frame


def _table_frame(base: Path, name: str, *, file: str, table: str,
                 memory: Mapping[str, pl.DataFrame] | None = None) -> tuple[pl.DataFrame, str]:
    """The table as read (text columns) and where its problems are located."""
    if memory and table in memory:
        return memory[table], file
    return read_table(base, name, file=file, table=table), str(base / name)


def _product(p: Any, file: str) -> Product:
    """The ``[product]`` table: what the product is, its declared unit and mass."""
    if not isinstance(p, Mapping):
        raise StudyError(Problem("missing [product] section", file=file, table="product",
                                 hint='add [product] with name, declared_unit = "1 m^2" and mass_per_declared_unit'))
    problems = [Problem(**{**q.as_dict(), "hint": q.hint + "; other units of analysis (per kWh, per "
                                                  "vehicle, per year…) are [[view]] entries, see "
                                                  "docs/study-format.md 'Views'"})
                for q in _check_keys(p, {"name", "declared_unit", "mass_per_declared_unit", "shipped_mass_ratio"},
                                     file=file, where="product")]
    out: dict[str, Any] = {}
    specs = {"declared_unit": None, "mass_per_declared_unit": "mass"}
    for key, dim in specs.items():
        if key not in p:
            if key in ("declared_unit", "mass_per_declared_unit"):
                problems.append(Problem(f"missing '{key}'", file=file, table="product", column=key))
            continue
        try:
            out[key] = parse_quantity(p[key], file=file, where="product", key=key, expect=dim, divisor=True)
        except StudyError as exc:
            problems += exc.problems
    for key, q in out.items():  # a conversion of zero or less prints zero or negative footprints
        if not q.value > 0:
            problems.append(Problem(f"{key} must be > 0, got {q}", file=file, table="product", column=key,
                                    hint="write a positive amount"))
    ratio = p.get("shipped_mass_ratio", 1.0)
    if not isinstance(ratio, (int, float)) or isinstance(ratio, bool) or not 1 <= ratio < float("inf"):
        problems.append(Problem(f"shipped_mass_ratio must be a finite number >= 1, got {ratio!r}", file=file,
                                table="product", column="shipped_mass_ratio"))
    if problems:
        raise StudyError(problems)
    product = Product(name=str(p.get("name", "product")), shipped_mass_ratio=float(ratio), **out)
    problems = range_problems((kg_view(product),), file)
    if problems:
        raise StudyError(problems)
    return product


def _sites(entries: list[Mapping[str, Any]], tables: Mapping[str, Any], base: Path, file: str,
           memory: Mapping[str, pl.DataFrame] | None = None) -> pl.DataFrame:
    cols = ["id", "name", "country", "subdivision", "grid", "market_factor", "grid_fallback"]
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
        table, where = _table_frame(base, name, file=file, table="sites", memory=memory)
        frames.append(check_table(table, "sites", file=where).select(cols))
    if not frames:
        raise StudyError(Problem("no sites", file=file, table="site", hint="add at least one [[site]]"))
    sites = pl.concat([f.select(cols) for f in frames])
    dup = sites.filter(pl.col("id").is_duplicated()).get_column("id").unique().to_list()
    if dup:
        raise StudyError([Problem(f"site id '{d}' is defined twice", file=file, table="site") for d in dup])
    return sites


def _processes(entries: list[Mapping[str, Any]], tables: Mapping[str, Any], base: Path, file: str,
               memory: Mapping[str, pl.DataFrame] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    allowed = {"id", "name", "stage", "output", "output_mass", "yield", "exchanges", "coproducts", "allocation",
               "waste", "packaging"}  # waste: lca.study.waste; packaging: lca.study.completeness
    ex_allowed = {"flow", "input", "amount", "unit", "stage", "factor", "primary", "note", "source", "dqr",
                  "uncertainty"}
    problems: list[Problem] = []
    prows, erows = [], []
    for i, e in enumerate(entries, 1):
        where = f"process '{e.get('id', f'#{i}')}'"
        problems += _check_keys(e, allowed, file=file, where=where)
        try:
            out = parse_quantity(e.get("output", "1 dimensionless"), file=file, where=where, key="output",
                                 divisor=True)
            if isinstance(e.get("yield"), float) and 0 < e["yield"] < sys.float_info.min:
                problems.append(Problem(f"yield {e['yield']!r} is too small to compute with (a subnormal number)",
                                        file=file, table=where, column="yield"))
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
            problems += primary_problems(x, file, xwhere)
            prov, more = provenance_fields(x, file=file, where=xwhere)
            problems += more
            try:
                amount, unit = _split_amount(x, file=file, where=xwhere)
            except StudyError as exc:
                problems += exc.problems
                continue
            erows.append({"process": e.get("id"), "flow": x.get("flow"), "input": x.get("input"), "amount": amount,
                          "unit": unit, "stage": x.get("stage"), "factor": x.get("factor"),
                          "primary": x.get("primary") is True, **prov, "row": j,
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
                 "unit": pl.String, "stage": pl.String, "factor": pl.String, "primary": pl.Boolean,
                 **PROVENANCE_SCHEMA, "row": pl.Int64, "origin": pl.String}
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
        table, where = _table_frame(base, name, file=file, table="exchanges", memory=memory)
        t = check_table(table, "exchanges", file=where)
        # origins reach exports (inventory table): the file's name, never a path
        t = with_provenance(t.with_columns(table_origin(Path(name).name).alias("origin")))
        frames.append(t.select(list(ex_schema)))
    exchanges = pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame(schema=ex_schema)
    exchanges = exchanges.with_columns(pl.col("primary").fill_null(False))  # an empty cell is not primary
    bad = exchanges.filter(~pl.col("amount").is_finite())
    if bad.height:
        raise StudyError([Problem(f"amount {a!r} is not finite", file=file, table=o, column="amount")
                          for a, o in bad.select("amount", "origin").iter_rows()])
    problems = _unit_problems(exchanges, file)
    if problems:
        raise StudyError(problems)
    return processes, exchanges


def _unit_problems(exchanges: pl.DataFrame, file: str) -> list[Problem]:
    """Unknown or ambiguous exchange units, found at load (pint once per distinct unit)."""
    from lca.units import unit_table

    units = unit_table(exchanges.get_column("unit")).filter(pl.col("unit_error").is_not_null())
    bad = exchanges.join(units, on="unit", how="inner").select("unit_error", "origin")
    return [Problem(err, file=file, table=o, column="unit", hint="see README 'Units'") for err, o in bad.iter_rows()]


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
