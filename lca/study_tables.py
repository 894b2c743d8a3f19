"""Study sections that are tables: product, sites, processes with their exchanges (routes: study_routes)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Mapping

import polars as pl

from lca.errors import Problem, SchemaError, StudyError
from lca.schemas import ExchangeTable, ProcessTable, SiteTable, validate_table
from lca.study_io import read_table
from lca.study_parse import Product, _check_keys, _split_amount, parse_quantity, unknown_columns

SITE_COLUMNS = {"id", "name", "country", "subdivision", "grid", "market_factor"}
EXCHANGE_COLUMNS = {"process", "flow", "input", "amount", "unit", "stage", "factor", "note"}
ROUTE_COLUMNS = {"from", "to", "mode", "distance", "unit", "factor", "note"}


def table_location(base: Path, tables: Mapping[str, Any], key: str, memory: Mapping[str, pl.DataFrame] | None,
                   file: str) -> str:
    """Where problems of table ``key`` are located: its file, or (in memory) the study's label."""
    return file if memory and key in memory else str(base / str(tables[key]))


def _table_file(base: Path, name: str, allowed: set[str], *, file: str, table: str,
                memory: Mapping[str, pl.DataFrame] | None = None) -> pl.DataFrame:
    """A table file beside the study (or given in memory), refusing columns the format does not know."""
    if memory and table in memory:
        frame, where = memory[table], file
    else:
        frame, where = read_table(base, name, file=file, table=table), str(base / name)
    extra = unknown_columns(frame, allowed, file=where, table=table)
    if extra:
        raise StudyError(extra)
    return frame


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
            out[key] = parse_quantity(p[key], file=file, where="product", key=key, expect=dim, divisor=True)
        except StudyError as exc:
            problems += exc.problems
    if not problems:
        from lca.units import unit_info
        du = unit_info(out["declared_unit"].unit).dimension
        for key, q in out.items():  # a conversion of zero or less prints zero or negative footprints
            if not q.value > 0:
                problems.append(Problem(f"{key} must be > 0, got {q}", file=file, table="product", column=key,
                                        hint="write a positive amount"))
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
    if not isinstance(ratio, (int, float)) or isinstance(ratio, bool) or not 1 <= ratio < float("inf"):
        problems.append(Problem(f"shipped_mass_ratio must be a finite number >= 1, got {ratio!r}", file=file,
                                table="product", column="shipped_mass_ratio"))
    if problems:
        raise StudyError(problems)
    product = Product(name=str(p.get("name", "product")), shipped_mass_ratio=float(ratio), **out)
    problems = _view_problems(product, file)
    if problems:
        raise StudyError(problems)
    return product


def view_multipliers(p: Product) -> list[tuple[str, str, float]]:
    """``(view, product key, multiplier from "per declared unit")`` for every view the product supports."""
    from lca.units import conversion_factor

    du = p.declared_unit
    views: list[tuple[str, str, float]] = [("kg", "mass_per_declared_unit", 1.0 / p.mass_per_declared_unit.to("kg"))]
    if p.separator_per_cell_energy is not None:
        per_kwh = p.separator_per_cell_energy.to(f"({du.unit})/kWh") / du.value
        views.append(("kWh", "separator_per_cell_energy", per_kwh))
        if p.pack_energy is not None:
            views.append(("vehicle", "pack_energy", per_kwh * p.pack_energy.to("kWh")))
    if p.annual_volume is not None:
        views.append(("year", "annual_volume",
                      p.annual_volume.value * conversion_factor(p.annual_volume.unit, du.unit) / du.value / 1000))
    return views


def _view_problems(p: Product, file: str) -> list[Problem]:
    """Each view's multiplier (per kg, kWh, vehicle, year) must be a finite, normal number.

    The conversions are each in range, but their quotients may not be (1e308 m²/kWh over a
    declared unit of 1e-10 m²): say so here, naming the key, rather than print ``inf``.
    """
    return [Problem(f"gives a per-{view} multiplier of {m:g}, outside the range of float arithmetic",
                    file=file, table="product", column=key, hint="check the value and its unit")
            for view, key, m in view_multipliers(p) if not (m < float("inf") and m >= sys.float_info.min)]


def _sites(entries: list[Mapping[str, Any]], tables: Mapping[str, Any], base: Path, file: str,
           memory: Mapping[str, pl.DataFrame] | None = None) -> pl.DataFrame:
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
        table = _table_file(base, name, SITE_COLUMNS, file=file, table="sites", memory=memory)
        where = table_location(base, tables, "sites", memory, file)
        frames.append(validate_table(table, SiteTable, file=where, table="sites").select(cols))
    if not frames:
        raise StudyError(Problem("no sites", file=file, table="site", hint="add at least one [[site]]"))
    sites = pl.concat([f.select(cols) for f in frames])
    dup = sites.filter(pl.col("id").is_duplicated()).get_column("id").unique().to_list()
    if dup:
        raise StudyError([Problem(f"site id '{d}' is defined twice", file=file, table="site") for d in dup])
    return sites


def _processes(entries: list[Mapping[str, Any]], tables: Mapping[str, Any], base: Path, file: str,
               memory: Mapping[str, pl.DataFrame] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    allowed = {"id", "name", "stage", "output", "output_mass", "yield", "exchanges"}
    ex_allowed = {"flow", "input", "amount", "unit", "stage", "factor", "note"}
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
        t = _table_file(base, name, EXCHANGE_COLUMNS, file=file, table="exchanges", memory=memory)
        t = t.with_row_index("row", offset=1).with_columns(pl.col("row").cast(pl.Int64))
        t = t.with_columns(pl.format("{} row {}", pl.lit(name), pl.col("row")).alias("origin"))
        t = validate_table(t, ExchangeTable, file=table_location(base, tables, "exchanges", memory, file),
                           table="exchanges")
        frames.append(t.select(list(ex_schema)))
    exchanges = pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame(schema=ex_schema)
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
