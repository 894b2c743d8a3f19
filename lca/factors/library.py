"""The emission-factor library: loading, validation and user overrides (layers).

The shipped library (``factors/*.csv``) is one *layer*; users add layers of their own (CSV or
Parquet files, or frames). A later layer replaces rows of an earlier one by ``id``; replaced ids
are recorded. Within one layer an id must be unique. Which row an activity gets is
:mod:`lca.factors.resolution`.
"""

from __future__ import annotations

import hashlib
import io
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lca.errors import DimensionError, FactorError, LcaInputError, Problem, SchemaError
from lca.factors.checks import column_problems, row_problems
from lca.factors.editions import edition_expr, edition_ties
from lca.resources import factors_dir
from lca.schemas import FactorTable, GwpTable, validate_table
from lca.study.sources import SourceSelection
from lca.study.supplier import SupplierLayer
from lca.units import factor_unit_table

#: Denominator dimensions each category accepts (what one unit of activity is).
CATEGORY_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "electricity": ("energy",),
    "fuel": ("energy", "mass", "volume"),
    "heat": ("energy", "mass"),
    "material": ("mass", "volume", "area"),
    "process_emission": ("mass", "volume", "energy"),
    "freight": ("mass × distance",),
    "grid_loss": ("dimensionless",),
    "product": ("mass", "area", "volume", "energy", "dimensionless", "length"),
    "waste": ("mass",),
}

FACTOR_FILES = ("electricity.csv", "electricity_emaps.csv", "fuels.csv", "materials.csv", "freight.csv",
                "emissions.csv", "grid_losses.csv", "waste.csv")

FACTOR_COLUMNS = list(FactorTable.to_schema().columns)

@dataclass(frozen=True)
class FactorLibrary:
    """Validated factor rows (all layers merged), GWP tables, and provenance of both."""

    factors: pl.DataFrame
    gwp: pl.DataFrame
    version: str
    content_hash: str
    layers: tuple[str, ...] = ()
    replaced: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(
        schema={"id": pl.String, "layer": pl.String, "replaced_layer": pl.String}))
    #: supply routes of fuels by region (``supply_routes.toml`` of the library's folder,
    #: :mod:`lca.factors.supply`); None: the library has none
    routes: pl.DataFrame | None = None

    def get(self, factor_id: str) -> dict[str, object]:
        """Everything about one factor as a dict; :class:`FactorError` if unknown."""
        row = self.factors.filter(pl.col("id") == factor_id)
        if row.height == 0:
            raise FactorError(Problem(f"unknown factor id '{factor_id}'",
                                      hint="list ids with `lca factors list` or `lca factors search`"))
        return row.row(0, named=True)

    def with_overrides(self, *layers: Path | str | pl.DataFrame | SourceSelection | SupplierLayer) -> "FactorLibrary":
        """A new library with user layers on top (later layers win, by id); a study's
        :class:`~lca.study.sources.SourceSelection` applies its factor sources (:mod:`lca.factors.sources`)."""
        lib = self
        for layer in layers:
            if isinstance(layer, SourceSelection):
                from lca.factors.sources import apply_sources  # it builds on this module

                lib = apply_sources(lib, layer)
                continue
            if isinstance(layer, SupplierLayer):  # a study's supplier footprints (lca.study.supplier)
                name = _layer_name(lib, layer.name)
                lib = _apply_layer(lib, _layer_frame(layer.rows, name=name, file=layer.name), name)
                continue
            name, frame = _read_layer(layer)
            lib = _apply_layer(lib, frame, _layer_name(lib, name))
        return lib


# ------------------------------------------------------------------------------------- loading

def read_factor_file(path: Path | str) -> pl.DataFrame:
    """Read a factor CSV/Parquet file as-is (strings for CSV; validation comes later).

    ``path`` is the file's literal name, never a pattern: polars expands ``[ ] * ?`` in the paths
    it is given (``c[12].csv`` would read ``c1.csv``), so the bytes are read here and parsed from
    memory; a name that matches nothing is "not found", named.
    """
    from lca.study.io import decode, read_bytes

    path = Path(path)
    file = str(path)
    if path.is_dir():
        raise FactorError(Problem("is a folder, not a factor file", file=file,
                                  hint="name a CSV or Parquet file"))
    raw = read_bytes(path, file=file, what="factor file", error=FactorError)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):  # a study, JSON, …: parsing it as CSV gives parser noise
        raise FactorError(Problem("not a factor table: a factor file is a CSV or Parquet file with the "
                                  "factor columns", file=file,
                                  hint="columns: " + ", ".join(FACTOR_COLUMNS) + " (see `lca schema export`)"))
    if not raw.strip():
        raise FactorError(Problem("factor file is empty", file=file, hint="write a header row and one row per factor"))
    if suffix == ".parquet":
        try:
            return pl.read_parquet(io.BytesIO(raw))
        except Exception:  # polars/arrow raise several types for damaged files
            raise FactorError(Problem("not a readable Parquet file (empty, truncated or damaged)", file=file,
                                      hint="write the file again, or use CSV")) from None
    from lca.study.csvfiles import delimiter_problem

    wrong_delimiter = delimiter_problem(path)
    if wrong_delimiter:  # would read as one column and fail with a misleading message
        raise FactorError(wrong_delimiter)
    try:
        text = decode(raw, file=file)
    except LcaInputError as exc:
        raise FactorError(exc.problems) from None
    try:
        return pl.read_csv(io.StringIO(text), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise FactorError(Problem(f"cannot read factor file: {first}", file=file,
                                  hint="save it as UTF-8 CSV with a header row, or as Parquet")) from None


def validate_factors(df: pl.DataFrame, *, file: str | None = None) -> pl.DataFrame:
    """Schema + header, unit/dimension-by-category and per-category checks; every problem at once.

    Returns the rows with their unit conversion (``numerator``, ``f_to_base``, ``per_dimension``)
    and ``edition`` (see :mod:`lca.factors.editions`).
    """
    problems = column_problems(list(df.columns), FACTOR_COLUMNS, file)
    try:
        df = validate_table(df.select([c for c in df.columns if c in FACTOR_COLUMNS]), FactorTable, file=file,
                            table="factors")
    except SchemaError as exc:
        raise FactorError(problems + exc.problems) from None
    df = df.select(FACTOR_COLUMNS)
    numer = (pl.when(pl.col("gas") == "CO2e").then(pl.lit("co2e"))
             .when(pl.col("gas") == "none").then(pl.lit("none")).otherwise(pl.lit("mass")))
    df = df.with_columns(numer.alias("numerator"))
    units = factor_unit_table(df.select("unit", "numerator"))
    checked = df.with_row_index("__i").join(units, on=["unit", "numerator"], how="left", maintain_order="left")
    problems += row_problems(checked, CATEGORY_DIMENSIONS, file)
    if problems:
        raise DimensionError(problems) if any("must be per" in p.message for p in problems) else \
            FactorError(problems)
    return checked.select(*FACTOR_COLUMNS, "numerator", "f_to_base", "per_dimension",
                          edition_expr().alias("edition"))


def _read_layer(layer: Path | str | pl.DataFrame) -> tuple[str, pl.DataFrame]:
    if isinstance(layer, pl.DataFrame):
        return "user frame", _layer_frame(layer, name="user frame", file="user frame")
    # the layer is named by its file name, never its path: layer names reach reports and
    # manifests; messages name the file as the user gave it
    path = Path(layer)
    return path.name, _layer_frame(read_factor_file(path), name=path.name, file=str(path))


def _layer_frame(df: pl.DataFrame, *, name: str, file: str) -> pl.DataFrame:
    return validate_factors(df, file=file).with_columns(pl.lit(name).alias("layer"), pl.lit(file).alias("file"))


def check_layer(df: pl.DataFrame, *, file: str, library: "FactorLibrary | None" = None) -> "FactorLibrary":
    """A factor file checked as what it is used for: a layer on top of the shipped library (or ``library``).

    :func:`validate_factors`, then the rules of the merged set (two default editions of one key
    with the same vintage, :func:`lca.factors.editions.edition_ties`): what ``lca run --factors``
    would refuse. Returns the library with the layer applied.
    """
    lib = library or load_library()
    name = _layer_name(lib, Path(file).name)
    return _apply_layer(lib, _layer_frame(df, name=name, file=file), name)


def _layer_name(lib: FactorLibrary, base: str) -> str:
    """Each layer keeps a distinct name (two files called factors.csv)."""
    name, k = base, 2
    while name in lib.layers:
        name, k = f"{base} #{k}", k + 1
    return name


def _apply_layer(lib: FactorLibrary, frame: pl.DataFrame, name: str) -> FactorLibrary:
    frame = frame.select(lib.factors.columns)
    replaced = (lib.factors.join(frame.select("id", pl.col("layer").alias("new_layer")), on="id")
                .select("id", pl.col("new_layer").alias("layer"), pl.col("layer").alias("replaced_layer")))
    kept = lib.factors.join(frame.select("id"), on="id", how="anti")
    # a new default row may clash with a kept default of the same key: the newer layer wins (by
    # position, not by name: two frames are both "user frame")
    key = ["flow", "region", "year", "scope", "gas"]
    shadow = frame.filter(pl.col("status") == "default").select(key).unique().with_columns(pl.lit(True).alias("__new"))
    kept = (kept.join(shadow, on=key, how="left", maintain_order="left")
            .with_columns(pl.when(pl.col("__new").fill_null(False) & (pl.col("status") == "default"))
                          .then(pl.lit("alternative")).otherwise(pl.col("status")).alias("status"))
            .drop("__new"))
    merged = pl.concat([kept, frame], how="vertical_relaxed")
    # the set must stay resolvable: two default editions of one key and vintage are an error here, at
    # the new layer's row, not only when a study happens to charge that flow (lca.factors.editions)
    rows = {i: n for n, i in enumerate(frame.get_column("id").to_list(), 1)}
    ties = edition_ties(merged, prefer=frame.get_column("file")[0] if frame.height else None, rows=rows)
    if ties:
        raise FactorError(ties)
    digest = hashlib.sha256((lib.content_hash + _frame_digest(frame)).encode()).hexdigest()
    return FactorLibrary(factors=merged, gwp=lib.gwp, version=lib.version, content_hash=digest,
                         layers=lib.layers + (name,), replaced=pl.concat([lib.replaced, replaced]), routes=lib.routes)


def _frame_digest(df: pl.DataFrame) -> str:
    body = df.sort("id").select(FACTOR_COLUMNS).write_csv()
    return hashlib.sha256(body.encode()).hexdigest()


_SHIPPED: dict[str, FactorLibrary] = {}


def load_library(*overrides: Path | str | pl.DataFrame, directory: Path | None = None) -> FactorLibrary:
    """The shipped library (validated once per process), with optional user layers on top.

    >>> lib = load_library()
    >>> lib.get("gwp.ar6.ch2cl2")["value"] if "gwp.ar6.ch2cl2" in lib.factors["id"] else 11.2
    11.2
    """
    directory = Path(directory) if directory else factors_dir()
    key = str(directory)
    if key not in _SHIPPED:
        _SHIPPED[key] = _load_directory(directory)
    lib = _SHIPPED[key]
    return lib.with_overrides(*overrides) if overrides else lib


def _check_gwp_coverage(gwp: pl.DataFrame) -> None:
    """Every gas a factor row may name has a GWP in every set, so no gas a factor file can name
    is left uncharacterised (the gas list and the GWP table are kept in step)."""
    from lca.choices import GASES, GWP_SETS

    have = set(gwp.select("gwp_set", "gas").iter_rows())
    missing = [f"{g} in {s}" for s in GWP_SETS for g in GASES if g not in ("CO2e", "none") and (s, g) not in have]
    if missing:
        raise FactorError(Problem("no GWP for " + ", ".join(missing), file="factors/gwp.csv", table="gwp",
                                  hint="add a GWP100 row (with its source) for each, or remove the gas from "
                                       "lca.choices.GASES"))


def _load_directory(directory: Path) -> FactorLibrary:
    meta = tomllib.loads((directory / "library.toml").read_text(encoding="utf-8"))
    version = str(meta.get("library", {}).get("version", "unversioned"))
    h = hashlib.sha256()
    frames, where = [], []
    files = sorted(p.name for p in directory.glob("*.csv") if p.name != "gwp.csv")
    for name in files:
        raw = (directory / name).read_bytes()
        h.update(name.encode() + b"\0" + raw + b"\0")
        frame = read_factor_file(directory / name)
        frames.append(frame)
        where += [(f"factors/{name}", i) for i in range(1, frame.height + 1)]
    gwp_raw = (directory / "gwp.csv").read_bytes()
    h.update(b"gwp.csv\0" + gwp_raw)
    from lca.factors.supply import ROUTES_FILE, read_routes  # it builds on this module

    if (directory / ROUTES_FILE).exists():
        h.update(ROUTES_FILE.encode() + b"\0" + (directory / ROUTES_FILE).read_bytes())
    # one validation pass over all files (pandera's per-call overhead dominates at this size);
    # problems are mapped back to their own file and row
    try:
        factors = validate_factors(pl.concat(frames, how="diagonal"), file=None)
    except FactorError as exc:
        raise FactorError([Problem(**{**p.as_dict(), "file": where[p.row - 1][0], "row": where[p.row - 1][1]})
                           if p.row is not None and 0 < p.row <= len(where) else p
                           for p in exc.problems]) from None
    factors = factors.with_columns(pl.lit("shipped").alias("layer"),
                                   pl.Series("file", [w[0] for w in where], dtype=pl.String))
    gwp = validate_table(pl.read_csv(io.BytesIO(gwp_raw), infer_schema=False), GwpTable,
                         file="factors/gwp.csv", table="gwp")
    _check_gwp_coverage(gwp)
    return FactorLibrary(factors=factors, gwp=gwp, version=version, content_hash=h.hexdigest(),
                         layers=("shipped",), routes=read_routes(directory))
