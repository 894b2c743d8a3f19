"""Build a study from polars frames (or lists of dicts) — no files needed, for ESG/PLM systems.

Tables are validated with the same pandera models as study files (every problem at once, with
table, row and column), then assembled into the study document that
:func:`lca.study.study_from_dict` builds a :class:`~lca.study.Study` from. Pure: no global state.

>>> import polars as pl
>>> s = study_from_frames(
...     study={"id": "demo", "reference_period": {"start": "2025-01-01", "end": "2025-12-31"}},
...     product={"name": "moulded part", "declared_unit": "1 m^2", "mass_per_declared_unit": "5.5 g"},
...     sites=pl.DataFrame({"id": ["plant"], "country": ["JP"], "grid": ["JP-KANSAI"]}),
...     processes=pl.DataFrame({"id": ["part"], "output": ["1 m^2"], "yield": [0.7]}),
...     exchanges=pl.DataFrame({"process": ["part", "part"], "flow": ["hdpe_resin", "electricity"],
...                             "amount": [5.5, 0.14], "unit": ["g", "kWh"]}),
...     scenarios=[{"id": "base", "steps": [{"process": "part", "site": "plant"}]}])
>>> s.id, s.scenario_ids
('demo', ['base'])
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence, Union

import polars as pl

from lca.errors import Problem, SchemaError, StudyError
from lca.study.load import study_from_dict
from lca.study.model import Study
from lca.study.provenance import DQR_COLUMNS

FrameLike = Union[pl.DataFrame, Sequence[Mapping[str, Any]]]

_SITE_COLS = ["id", "name", "country", "subdivision", "grid", "market_factor", "grid_fallback"]
_EXCHANGE_KEYS = ["flow", "input", "amount", "unit", "stage", "factor", "primary", "note", "source", "dqr",
                  *DQR_COLUMNS, "supplier_footprint"]
_PROCESS_KEYS = ["id", "name", "stage", "output", "output_mass", "yield"]
#: the columns of ``Study.coproducts`` / ``Study.allocation`` / ``Study.parameters`` (a study's own
#: frames can be passed back), ``note`` where the TOML form has one; ``origin`` is re-made
_COPRODUCT_COLS = ["process", "output", "amount", "unit", "mass", "mass_unit", "price", "currency", "price_unit",
                   "substitutes", "factor", "note", "origin"]
_ALLOCATION_COLS = ["process", "method", "reason", "basis", "price", "currency", "price_unit", "shares"]
_PARAMETER_COLS = ["name", "value", "unit", "expression", "note", "primary", "source", *DQR_COLUMNS]


def _frame(x: FrameLike | None, name: str) -> pl.DataFrame | None:
    if x is None:
        return None
    if isinstance(x, pl.LazyFrame):
        return x.collect()
    if isinstance(x, pl.DataFrame):
        return x
    try:
        return pl.DataFrame(list(x), infer_schema_length=None)
    except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
        raise StudyError(Problem(f"cannot make a table from {name}: {exc}", table=name)) from None


def _records(df: pl.DataFrame, keys: Sequence[str]) -> list[dict[str, Any]]:
    cols = [c for c in keys if c in df.columns]
    return [{k: v for k, v in r.items() if v is not None} for r in df.select(cols).iter_rows(named=True)]


def _shape_problems(**given: Any) -> list[Problem]:
    """Required arguments that are missing, and sections that are not mappings (a located error, not a crash)."""
    problems = []
    for name in ("sites", "processes", "exchanges"):
        if given[name] is None:
            problems.append(Problem(f"no {name} table given", table=name,
                                    hint=f"pass {name}= a polars DataFrame or a list of dicts"))
    for name in ("study", "product", "method", "comparison", "pact", "factors"):
        if not isinstance(given[name], Mapping) and (given[name] is not None or name in ("study", "product")):
            problems.append(Problem(f"{name} must be a mapping (the [{name}] section as a dict), got "
                                    f"{type(given[name]).__name__}", table=name))
    scenarios = given["scenarios"]
    if isinstance(scenarios, (str, bytes, Mapping)) or not isinstance(scenarios, Sequence) or \
            not all(isinstance(s, Mapping) for s in scenarios):
        problems.append(Problem("scenarios must be a list of dicts (the [[scenario]] entries)", table="scenario",
                                hint='e.g. [{"id": "base", "steps": [{"process": "make", "site": "plant"}]}]'))
    return problems


def _quantity(value: Any, unit: Any) -> Any:
    """A number and its unit as the TOML form ``"<number> <unit>"`` (exact: ``repr``); without a unit,
    the value as written (a quantity string, an expression of parameters, or none)."""
    if unit is None or value is None:
        return value
    try:
        return f"{float(value)!r} {unit}"
    except (TypeError, ValueError):
        return f"{value} {unit}"  # refused, located, by the study's own checks


def _price(row: Mapping[str, Any]) -> Any:
    if row.get("price") is None or row.get("currency") is None:
        return row.get("price")  # "0.1 USD/kg" as written (or none)
    return f"{float(row['price'])!r} {row['currency']}/{row.get('price_unit') or ''}".rstrip("/")


def _coproduct_entries(coproducts: pl.DataFrame | None, allocation: pl.DataFrame | None,
                       procs: list[dict[str, Any]]) -> list[Problem]:
    """Put each co-product row and allocation row into its process record (as ``coproducts`` /
    ``allocation`` entries of a ``[[process]]``); rows of an unknown process are problems."""
    by_id = {str(r["id"]): r for r in procs}
    problems = []
    for name, df in (("coproducts", coproducts), ("allocation", allocation)):
        if df is None:
            continue
        cols = _COPRODUCT_COLS if name == "coproducts" else _ALLOCATION_COLS
        for i, row in enumerate(df.select([c for c in cols if c in df.columns]).iter_rows(named=True), 1):
            rec = by_id.get(str(row.get("process")))
            if rec is None:
                problems.append(Problem(f"{name} row of unknown process {row.get('process')!r}", table=name, row=i,
                                        column="process", hint="use an id of the processes table"))
                continue
            if name == "coproducts":
                entry = {"id": row.get("output"), "amount": _quantity(row.get("amount"), row.get("unit")),
                         "mass": _quantity(row.get("mass"), row.get("mass_unit")), "price": _price(row),
                         "substitutes": row.get("substitutes"), "factor": row.get("factor"), "note": row.get("note")}
                rec.setdefault("coproducts", []).append({k: v for k, v in entry.items() if v is not None})
                continue
            shares = row.get("shares")
            if isinstance(shares, list):  # as Study.allocation holds them: [{output, share}, …]
                shares = {d["output"]: d["share"] for d in shares}
            elif isinstance(shares, Mapping):  # a dict per row (a struct column: other rows' keys are empty)
                shares = {k: v for k, v in shares.items() if v is not None}
            entry = {"method": row.get("method"), "reason": row.get("reason"), "basis": row.get("basis"),
                     "price": _price(row), "shares": shares or None}
            if "allocation" in rec:
                problems.append(Problem(f"process '{rec['id']}' has two allocation rows", table=name, row=i,
                                        column="process"))
            rec["allocation"] = {k: v for k, v in entry.items() if v is not None}
    return problems


def _parameters(parameters: Mapping[str, Any] | FrameLike | None) -> Mapping[str, Any] | None:
    """The ``[parameters]`` table from a dict (as in TOML) or a table of ``name, value, unit,
    expression, note`` rows (the columns of ``Study.parameters``, with its ``primary``, ``source`` and
    ``dqr_*`` when given): an expression row is its expression, another row its ``value`` with its
    ``unit`` (or a quantity string)."""
    if parameters is None or isinstance(parameters, Mapping):
        return parameters
    df = _frame(parameters, "parameters")
    out: dict[str, Any] = {}
    for row in df.select([c for c in _PARAMETER_COLS if c in df.columns]).iter_rows(named=True):
        if row.get("expression") is not None:
            spec: dict[str, Any] = {"value": row["expression"]}
        elif row.get("unit") is None:
            spec = {"value": row.get("value")}
        else:
            spec = {k: row[k] for k in ("value", "unit") if row.get(k) is not None}
            try:  # a number in a column of strings (a table mixing quantities and numbers)
                spec["value"] = float(spec["value"])
            except (KeyError, TypeError, ValueError):
                pass  # refused, located, by the [parameters] checks
        spec.update({k: row[k] for k in ("note", "source") if row.get(k) is not None})
        if row.get("primary"):
            spec["primary"] = True
        dqr = {c.removeprefix("dqr_"): int(row[c]) for c in DQR_COLUMNS if row.get(c) is not None}
        if dqr:
            spec["dqr"] = dqr
        out[str(row["name"])] = spec["value"] if list(spec) == ["value"] else spec
    return out


def _written_amounts(ex_df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """An ``amount`` column of strings: a row with a ``unit`` holds a number, a row without one a
    quantity (``"5.5 g"``) or an expression of parameters, as an exchange ``amount`` in TOML. Returns
    the frame the table model checks (those written amounts left to the study's own checks) and the
    frame the records are read from."""
    if ex_df.schema.get("amount") != pl.String:
        return ex_df, ex_df
    if "unit" not in ex_df.columns:
        ex_df = ex_df.with_columns(pl.lit(None, pl.String).alias("unit"))
    written = pl.col("unit").is_null() & pl.col("amount").is_not_null()
    check = ex_df.with_columns(pl.when(written).then(pl.lit(0.0)).otherwise(
        pl.col("amount").str.strip_chars().cast(pl.Float64, strict=False)).alias("amount"),
        pl.when(written).then(pl.lit("dimensionless")).otherwise(pl.col("unit")).alias("unit"))
    return check, ex_df.with_columns(pl.when(written).then(pl.col("amount")).alias("__written"),
                                     pl.when(written).then(None).otherwise(check.get_column("amount")).alias("amount"))


def study_from_frames(*, study: Mapping[str, Any], product: Mapping[str, Any], sites: FrameLike,
                      processes: FrameLike, exchanges: FrameLike, scenarios: Sequence[Mapping[str, Any]],
                      routes: FrameLike | None = None, method: Mapping[str, str] | None = None,
                      comparison: Mapping[str, str] | None = None, pact: Mapping[str, Any] | None = None,
                      cell_plant: str | None = None, factors: Mapping[str, Any] | None = None,
                      views: Sequence[Mapping[str, Any]] | None = None,
                      stages: Sequence[Mapping[str, Any]] | None = None,
                      profile: Mapping[str, Any] | None = None, coproducts: FrameLike | None = None,
                      allocation: FrameLike | None = None,
                      parameters: Mapping[str, Any] | FrameLike | None = None,
                      received: Any = None, allow_expired: bool = False) -> Study:
    """A validated :class:`Study` from tables.

    * ``study``/``product``/``method``/``comparison``/``pact``: as the TOML sections (dates may be
      ISO strings; quantities ``"7.9 g"``).
    * ``sites``: columns of :class:`lca.schemas.SiteTable` (id, country, optional name, subdivision, grid).
    * ``processes``: id, optional name, stage, output (``"1 m^2"``), output_mass, yield.
    * ``exchanges``: process, flow or input, amount (number), unit, optional stage, factor.
    * ``routes``: from, to, leg (1…n in travel order), mode, distance (number), unit, optional factor — one
      row per leg, a route's rows together.
    * ``scenarios``: the ``[[scenario]]`` entries (steps, transport, mix) as dicts.
    * ``factors``: the ``[factors]`` table: ``sources`` (factor sources by name,
      :mod:`lca.factors.sources`) and ``files`` (relative to the working directory).
    * ``views``, ``stages``, ``profile``: the product profile — the ``[[view]]`` and ``[[stage]]``
      entries as dicts and the ``[profile]`` table (docs/study-format.md "Product profile").
    * ``coproducts``: process, output (the co-product's id), amount, unit, optional mass, mass_unit,
      price, currency, price_unit, substitutes, factor, note (the columns of ``Study.coproducts``);
      ``allocation``: process, method, reason, optional basis, price, currency, price_unit, shares
      (those of ``Study.allocation``; shares as ``[{output, share}]`` or ``{output: share}``).
    * ``exchanges`` may name a supplier footprint in a ``supplier_footprint`` column instead of a
      flow (a JSON file relative to the working directory, a footprint id or a product id looked up
      in ``received``: a folder or a :class:`~lca.study.received.ReceivedFootprints` store;
      ``allow_expired`` as ``--allow-expired``; :mod:`lca.study.supplier`).
    * ``parameters``: the ``[parameters]`` table as a dict, or rows of name, value, unit,
      expression, note (the columns of ``Study.parameters``). An exchange ``amount`` may then be
      a string: with a ``unit`` a number, without one a quantity or an expression of them.

    Raises :class:`~lca.errors.StudyError` / :class:`~lca.errors.SchemaError` naming table, row, column.
    """
    from lca.schemas import ExchangeTable, SiteTable, validate_table

    problems = _shape_problems(study=study, product=product, sites=sites, processes=processes, exchanges=exchanges,
                               scenarios=scenarios, method=method, comparison=comparison, pact=pact, factors=factors)
    if problems:
        raise StudyError(problems)
    site_df, proc_df = _frame(sites, "sites"), _frame(processes, "processes")
    ex_df, route_df = _frame(exchanges, "exchanges"), _frame(routes, "routes")
    co_df, alloc_df = _frame(coproducts, "coproducts"), _frame(allocation, "allocation")
    # a column the format does not know is refused, as in a table file: dropped, a typo such as
    # 'yeild' would silently compute with the default yield
    param_df = None if parameters is None or isinstance(parameters, Mapping) else _frame(parameters, "parameters")
    for df, name, allowed in ((site_df, "sites", _SITE_COLS), (proc_df, "processes", _PROCESS_KEYS),
                              (ex_df, "exchanges", ["process", *_EXCHANGE_KEYS]),
                              (co_df, "coproducts", _COPRODUCT_COLS), (alloc_df, "allocation", _ALLOCATION_COLS),
                              (param_df, "parameters", _PARAMETER_COLS)):
        if df is None:
            continue
        problems += [Problem(f"unknown column '{c}'", table=name, column=c,
                             hint="allowed columns: " + ", ".join(allowed)) for c in df.columns if c not in allowed]
    for df, name, need in ((co_df, "coproducts", ("process", "output", "amount")),
                           (alloc_df, "allocation", ("process", "method", "reason")),
                           (param_df, "parameters", ("name",))):
        problems += [Problem(f"missing required column '{c}'", table=name, column=c)
                     for c in need if df is not None and c not in df.columns]
    ex_df, ex_records = _written_amounts(ex_df)
    try:
        validate_table(site_df.select([c for c in _SITE_COLS if c in site_df.columns]), SiteTable, table="sites")
    except SchemaError as exc:
        problems += exc.problems
    ex_check = ex_df.with_row_index("row", offset=1).with_columns(pl.col("row").cast(pl.Int64))
    for col in ("flow", "input", "stage", "factor"):
        if col not in ex_check.columns:
            ex_check = ex_check.with_columns(pl.lit(None, pl.String).alias(col))
    if "supplier_footprint" in ex_check.columns:  # the footprint stands for the flow (resolved by the loader)
        ex_check = ex_check.with_columns(pl.coalesce(pl.col("flow"), pl.when(
            pl.col("supplier_footprint").is_not_null()).then(pl.lit("supplier_footprint"))).alias("flow")
                                         ).drop("supplier_footprint")
    try:
        validate_table(ex_check, ExchangeTable, table="exchanges")
    except SchemaError as exc:
        problems += exc.problems
    if "id" not in proc_df.columns:
        problems.append(Problem("missing required column 'id'", table="processes", column="id"))
    if problems:
        raise SchemaError(problems)

    by_process: dict[str, list[dict[str, Any]]] = {}
    for rec in _records(ex_records, ["process", *_EXCHANGE_KEYS, "__written"]):
        if "__written" in rec:
            rec["amount"] = rec.pop("__written")
        # the columns dqr_technological … are the study file's dqr = { technological = … }; a ``dqr``
        # column of dicts (rows as in a study file) is that too, its missing ratings dropped
        dqr = {c.removeprefix("dqr_"): int(rec.pop(c)) for c in DQR_COLUMNS if c in rec}
        if isinstance(rec.get("dqr"), Mapping):
            dqr = {**{k: v for k, v in rec["dqr"].items() if v is not None}, **dqr}
        if dqr:
            rec["dqr"] = dqr
        by_process.setdefault(str(rec.pop("process")), []).append(rec)
    procs = []
    for rec in _records(proc_df, _PROCESS_KEYS):
        rec["exchanges"] = by_process.pop(str(rec["id"]), [])
        procs.append(rec)
    problems += [Problem(f"exchange belongs to unknown process '{p}'", table="exchanges", column="process")
                 for p in sorted(by_process)]
    problems += _coproduct_entries(co_df, alloc_df, procs)
    if problems:
        raise StudyError(problems)
    doc: dict[str, Any] = {"study": dict(study), "product": dict(product), "site": _records(site_df, _SITE_COLS),
                           "process": procs, "scenario": [dict(s) for s in scenarios]}
    for key, value in (("method", method), ("comparison", comparison), ("pact", pact), ("factors", factors),
                       ("profile", profile), ("parameters", _parameters(parameters))):
        if value:
            doc[key] = dict(value)
    for key, entries in (("view", views), ("stage", stages)):
        if entries:
            doc[key] = [dict(e) for e in entries]
    # routes are checked as a routes table (every row, by row number), exactly like a file's
    tables = {"routes": route_df} if route_df is not None else None
    return study_from_dict(doc, file="frames", cell_plant=cell_plant, tables=tables, received=received,
                           allow_expired=allow_expired)
