"""``lca validate``: check study files, activity/exchange/site/route tables and factor files for CI.

Each path is a file or a directory (searched recursively for ``*.toml``, ``*.csv``, ``*.parquet``).
What a table is comes from its columns (:func:`classify`). Studies are loaded AND computed, so
dangling ids, unknown units and missing factors are found too. Every problem names the file, the
row (1 = first data row) and the column; :func:`annotation` adds the line and column numbers that
GitHub annotations want.

>>> from lca.resources import default_study_path
>>> validate_paths([default_study_path()])
[]
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from lca.errors import LcaInputError, Problem

SUFFIXES = (".toml", ".csv", ".parquet")
KINDS = ("study", "factors", "gwp", "activities", "exchanges", "routes", "sites")


def classify(columns: Sequence[str]) -> str | None:
    """The kind of table from its header, or None if it is not one of ours."""
    cols = set(columns)
    if "gwp_set" in cols:
        return "gwp"
    if {"category", "gas", "value", "unit"} <= cols:
        return "factors"
    if {"scenario", "process", "site", "flow", "amount"} <= cols:
        return "activities"
    if {"process", "amount", "unit"} <= cols:
        return "exchanges"
    if {"from", "to", "mode", "distance"} <= cols:
        return "routes"
    if {"id", "country"} <= cols:
        return "sites"
    return None


def _files(paths: Iterable[Path | str]) -> list[tuple[Path, bool]]:
    """(file, given explicitly) pairs; directories expand to their data files, sorted."""
    out: list[tuple[Path, bool]] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += [(f, False) for f in sorted(p.rglob("*"))
                    if f.is_file() and f.suffix.lower() in SUFFIXES and not any(
                        part.startswith(".") for part in f.relative_to(p).parts)]
        else:
            out.append((p, True))
    return out


def _read(path: Path):
    import polars as pl

    if path.suffix.lower() == ".parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, infer_schema=False, encoding="utf8")


def _validate_study(path: Path, explicit: bool) -> list[Problem]:
    from lca.pipeline import compute
    from lca.study import load_study

    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        doc = {"study": {}}  # load_study reports the exact parse problem
    if "study" not in doc:
        return [Problem("not a study file (no [study] section)", file=str(path))] if explicit else []
    try:
        compute(load_study(path))
    except LcaInputError as exc:
        return [p if p.file else Problem(**{**p.as_dict(), "file": str(path)}) for p in exc.problems]
    return []


def _validate_table(path: Path, explicit: bool) -> list[Problem]:
    import polars as pl

    from lca.factors import read_factor_file, validate_factors
    from lca.schemas import ActivityTable, ExchangeTable, GwpTable, SiteTable, validate_table

    file = str(path)
    try:
        df = _read(path)
    except Exception as exc:  # polars raises several types for unreadable files
        return [Problem(f"cannot read table: {exc}".splitlines()[0], file=file,
                        hint="use UTF-8 CSV with a header row, or Parquet")]
    kind = classify(df.columns)
    if kind is None:
        if not explicit:
            return []
        return [Problem("cannot tell which table this is from its columns: " + ", ".join(df.columns), file=file,
                        hint="see `lca schema export` for the columns of each table")]
    try:
        if kind == "factors":
            validate_factors(read_factor_file(path), file=file)
        elif kind == "gwp":
            validate_table(df, GwpTable, file=file, table="gwp")
        elif kind == "sites":
            validate_table(df, SiteTable, file=file, table="sites")
        elif kind == "routes":
            return _routes(df, file)
        else:
            model = ActivityTable if kind == "activities" else ExchangeTable
            if kind == "exchanges" and "row" not in df.columns:
                df = df.with_row_index("row", offset=1).with_columns(pl.col("row").cast(pl.Int64))
            units = _unit_problems(df, file, kind) if "unit" in df.columns else []
            try:
                checked = validate_table(df, model, file=file, table=kind)
            except LcaInputError as exc:  # schema and unit problems together, in row order
                return sorted(exc.problems + units, key=lambda p: (p.row or 0, p.column or ""))
            return units + _finite(checked, file, kind)
    except LcaInputError as exc:
        return [p if p.file else Problem(**{**p.as_dict(), "file": file}) for p in exc.problems]
    return []


def _unit_problems(df, file: str, table: str) -> list[Problem]:
    import polars as pl

    from lca.units import unit_table

    units = unit_table(df.get_column("unit"))
    bad = (df.with_row_index("__i").join(units, on="unit", how="left")
           .filter(pl.col("unit_error").is_not_null()))
    problems = [Problem(err, file=file, table=table, row=i + 1, column="unit",
                        hint="write a unit such as 'kg', 'kWh' or 'm^2'")
                for i, err in bad.select("__i", "unit_error").sort("__i").iter_rows()]
    return problems


def _finite(df, file: str, table: str) -> list[Problem]:
    import polars as pl

    bad = df.with_row_index("__i").filter(~pl.col("amount").is_finite()).select("__i")
    return [Problem("amount is not finite", file=file, table=table, row=i + 1, column="amount",
                    hint="write a finite number") for (i,) in bad.iter_rows()]


def _routes(df, file: str) -> list[Problem]:
    import polars as pl

    problems = [Problem(f"missing required column '{c}'", file=file, table="routes", column=c,
                        hint=f"add a '{c}' column") for c in ("from", "to", "mode", "distance", "unit")
                if c not in df.columns]
    if problems:
        return problems
    raw = pl.col("distance").cast(pl.String)
    dist = raw.str.strip_chars().cast(pl.Float64, strict=False)
    bad = (df.with_row_index("__i").with_columns(raw.alias("__raw"), dist.alias("__d"))
           .filter(pl.col("__d").is_null() | (pl.col("__d") < 0) | ~pl.col("__d").is_finite()))
    problems = [Problem(f"distance {v!r} is not a number >= 0", file=file, table="routes", row=i + 1,
                        column="distance") for i, v in bad.select("__i", "__raw").iter_rows()]
    return problems + _unit_problems(df, file, "routes")


def validate_paths(paths: Iterable[Path | str]) -> list[Problem]:
    """Every problem in the given files and directories ([] = all valid).

    Files given explicitly must be recognisable; inside directories, files that are neither a
    study (TOML with ``[study]``) nor one of our tables are skipped.
    """
    problems: list[Problem] = []
    for path, explicit in _files(paths):
        if not path.exists():
            problems.append(Problem("no such file or directory", file=str(path)))
        elif path.suffix.lower() == ".toml":
            problems += _validate_study(path, explicit)
        elif path.suffix.lower() in (".csv", ".parquet"):
            problems += _validate_table(path, explicit)
        elif explicit:
            problems.append(Problem("not a study (.toml) or table (.csv, .parquet) file", file=str(path)))
    return problems


# ---------------------------------------------------------------------------------- reporting

@dataclass(frozen=True)
class Annotation:
    """A problem located as an editor or CI wants it: file, line and column numbers (1-based)."""

    file: str | None
    line: int | None
    col: int | None
    message: str

    def github(self) -> str:
        """``::error file=…,line=…,col=…::message`` (GitHub Actions workflow command)."""
        props = [f"{k}={_escape(str(v), prop=True)}" for k, v in
                 (("file", self.file), ("line", self.line), ("col", self.col)) if v is not None]
        return f"::error {','.join(props)}::{_escape(self.message)}"


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def _header(file: str) -> list[str]:
    try:
        with open(file, encoding="utf-8") as fh:
            first = fh.readline()
    except (OSError, UnicodeDecodeError):
        return []
    import csv

    return next(csv.reader([first]), [])


def annotation(p: Problem) -> Annotation:
    """Line = data row + 1 (the header is line 1) for CSV files; col = the column's header position."""
    line = col = None
    message = str(Problem(**{**p.as_dict(), "file": None})) if p.file else str(p)
    if p.file and p.file.lower().endswith(".csv"):
        if p.row is not None:
            line = p.row + 1
        if p.column is not None:
            header = _header(p.file)
            col = header.index(p.column) + 1 if p.column in header else None
    return Annotation(p.file, line, col, message)
