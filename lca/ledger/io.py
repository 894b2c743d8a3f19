"""Reading shipments and plant data (CSV or Parquet, lazily) and writing results atomically.

>>> import polars as pl
>>> lf = normalize(pl.LazyFrame({"lot_id": [1], "date": ["2025-03-01"], "quantity": ["12.5"],
...     "unit": ["m2"], "route": ["jp-import"], "destination_plant": ["liberty"]}), file="x.csv")
>>> lf.collect().row(0)
('1', datetime.date(2025, 3, 1), None, 12.5, 'm2', 'jp-import', None, 'liberty')
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import polars as pl

from lca.errors import LcaInputError, OutputError, Problem
from lca.ledger.schemas import OPTIONAL_COLUMNS, SHIPMENT_COLUMNS, PlantDataTable, ShipmentTable
from lca.schemas import validate_table

#: Rows of the input checked with pandera's data checks (the engine checks every row's rules).
VALIDATE_ROWS = 100_000
_DIMS = ("scenario", "unit", "destination_plant", "product", "origin_plant")  # text kept as Enum/Categorical


def scan_lots(path: Path | str) -> pl.LazyFrame:
    """Lazily open a shipments file (``.csv`` or ``.parquet``, or a folder of Parquet files).

    The name is a literal path, never a pattern (``glob=False``): polars would expand ``[ ] * ?``
    and read another file (``lots[12].csv`` → ``lots1.csv``). A folder's parts are listed here.
    """
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise LcaInputError(Problem("shipments file not found", file=name, hint="check the path"))
    if p.suffix.lower() == ".csv":
        if p.is_file() and not p.read_bytes()[:4096].strip():
            raise LcaInputError(Problem("shipments file is empty", file=name,
                                        hint="write a header row and one row per lot (see docs/ledger.md)"))
        lf = pl.scan_csv(p, infer_schema=False, glob=False)  # all text; typed below, bad cells → bad rows
    elif p.is_dir():
        parts = sorted(f for f in p.rglob("*.parquet") if f.is_file())
        if not parts:
            raise LcaInputError(Problem("folder has no Parquet files", file=name,
                                        hint="name a CSV or Parquet file, or a folder of .parquet parts"))
        lf = pl.scan_parquet(parts, glob=False)
    elif p.suffix.lower() in (".parquet", ".pq"):
        lf = pl.scan_parquet(p, glob=False)
    else:
        raise LcaInputError(Problem("unsupported file type", file=name, hint="use .csv or .parquet"))
    try:  # a damaged or truncated file fails here, named, not later inside the streaming engine
        lf.collect_schema()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise LcaInputError(Problem(f"cannot read the shipments: {exc}".splitlines()[0], file=name,
                                    hint="write the file again as UTF-8 CSV with a header row, or as Parquet")) from None
    return lf


def normalize(lots: pl.LazyFrame, *, file: str | None = None) -> pl.LazyFrame:
    """Rename ``route`` → ``scenario``, add optional columns, and type every column.

    Text that is not a number or an ISO date becomes null, so the lot is reported as a bad row
    (with its lot id) instead of failing the whole file. Scenario, unit and destination may be
    String, Categorical or Enum (kept as they are: the engine encodes them itself).
    """
    schema = lots.collect_schema()
    raw_names = set(schema.names())
    if "scenario" not in schema and "route" in schema:
        lots = lots.rename({"route": "scenario"})
        schema = lots.collect_schema()
    missing = [c for c in SHIPMENT_COLUMNS if c not in schema and c not in OPTIONAL_COLUMNS]
    if missing:
        raise LcaInputError([Problem(f"missing required column '{c}'", file=file, table="shipments", column=c,
                                     hint=f"add a '{c}' column (see docs/ledger.md)") for c in missing])
    _check_types(schema, file, renamed="route" if "route" in raw_names and "scenario" not in raw_names else None)
    exprs = []
    for c, want in SHIPMENT_COLUMNS.items():
        if c not in schema:
            exprs.append(pl.lit(None, dtype=want).alias(c))
            continue
        have = schema[c]
        if c in _DIMS and isinstance(have, (pl.Categorical, pl.Enum)):
            exprs.append(pl.col(c))
        elif have == want:
            exprs.append(pl.col(c))
        elif want == pl.Date() and have == pl.String():
            exprs.append(pl.col(c).str.strip_chars().str.to_date("%Y-%m-%d", strict=False))
        elif want == pl.Float64() and have == pl.String():
            exprs.append(pl.col(c).str.strip_chars().cast(pl.Float64, strict=False))
        else:
            exprs.append(pl.col(c).cast(want, strict=False))
    return lots.select(exprs)


_TEXT = (pl.String, pl.Categorical, pl.Enum, pl.Null)
_INTEGER = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)
#: dtypes each column may have; anything else (a Boolean quantity, integer yyyymmdd dates) would be
#: cast to a wrong value or to nulls, so it is refused with the column named.
_ACCEPTED: dict[str, tuple[tuple, str]] = {
    "lot_id": (_TEXT + _INTEGER, "text or whole numbers"),
    "date": ((pl.Date, pl.Datetime, pl.String, pl.Null), "dates (ISO text YYYY-MM-DD in CSV)"),
    "quantity": (_INTEGER + (pl.Float32, pl.Float64, pl.Decimal, pl.String, pl.Null), "numbers"),
    "unit": (_TEXT, "text"), "scenario": (_TEXT, "text"), "destination_plant": (_TEXT, "text"),
    "product": (_TEXT + _INTEGER, "text"), "origin_plant": (_TEXT + _INTEGER, "text"),
}


def _check_types(schema, file: str | None, renamed: str | None) -> None:
    problems = []
    for c, (ok, what) in _ACCEPTED.items():
        have = schema.get(c)
        if have is None or isinstance(have, ok):
            continue
        name = renamed if (c == "scenario" and renamed) else c
        hint = f"store '{name}' as {what}"
        if c == "date" and isinstance(have, _INTEGER):
            hint = ("a number such as 20250301 is not a date: convert it, e.g. "
                    "pl.col('date').cast(pl.String).str.to_date('%Y%m%d')")
        problems.append(Problem(f"has type {have}, but it must hold {what}", file=file,
                                table="shipments", column=name, hint=hint))
    if problems:
        raise LcaInputError(problems)


def check_sample(lots: pl.LazyFrame, *, file: str | None = None) -> None:
    """pandera on the first :data:`VALIDATE_ROWS` rows (types and columns of the whole table)."""
    try:
        head = lots.head(VALIDATE_ROWS).with_columns(pl.col(c).cast(pl.String) for c in _DIMS).collect()
    except pl.exceptions.PolarsError as exc:
        raise LcaInputError(Problem(f"cannot read the shipments: {exc}".splitlines()[0], file=file)) from None
    validate_table(head, ShipmentTable, file=file, table="shipments")


def read_plant_data(source: Path | str | pl.DataFrame) -> tuple[pl.DataFrame, str | None]:
    """Read and validate primary plant data (CSV/Parquet or a frame). Small: always collected."""
    file = None
    if isinstance(source, pl.DataFrame):
        df = source
    else:
        file = str(source)
        p = Path(source)
        if not p.exists():
            raise LcaInputError(Problem("plant data file not found", file=file, hint="check the path"))
        try:
            df = (pl.read_csv(p, infer_schema=False, glob=False) if p.suffix.lower() == ".csv"  # a name, not a pattern
                  else pl.read_parquet(p, glob=False))
        except pl.exceptions.PolarsError as exc:
            raise LcaInputError(Problem(f"cannot read: {exc}".splitlines()[0], file=file)) from None
    if df.height == 0:
        raise LcaInputError(Problem("plant data table is empty", file=file, table="plant data"))
    return validate_table(df, PlantDataTable, file=file, table="plant data"), file


def fresh_path(target: Path) -> Path:
    """A temporary sibling of ``target`` (same folder, so ``os.replace`` is atomic)."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    os.unlink(tmp)
    return Path(tmp)


def publish(tmp: Path, target: Path) -> None:
    """Move a finished temporary file or folder onto ``target`` (replacing what was there)."""
    if tmp.is_dir():
        old = None
        if target.exists():
            old = fresh_path(target)
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    else:
        os.replace(tmp, target)


def discard(*paths: Path | None) -> None:
    """Remove temporary outputs of a failed run."""
    for p in paths:
        if p is None or not p.exists():
            continue
        shutil.rmtree(p) if p.is_dir() else p.unlink()
