"""Reading a study's files from disk: every OS or format failure becomes a located :class:`StudyError`.

The study TOML and the table files beside it (CSV, Parquet, or a folder of Parquet parts) are read
here and nowhere else, so symlink loops, folders where a file belongs, empty or truncated files,
a UTF-8 byte-order mark, non-UTF-8 text and absurdly deep nesting all get one message naming the
file, never a traceback.
"""

from __future__ import annotations

import errno
import hashlib
import io
import tomllib
from pathlib import Path
from typing import Any, Mapping

import polars as pl

from lca.errors import LcaInputError, Problem, StudyError

#: Deepest nesting of arrays/tables accepted in a study document. Real studies need 4 or 5
#: (scenario → transport → legs → leg); the limit keeps every later recursive consumer safe.
MAX_DEPTH = 32
BOM = "\ufeff"


def os_problem(exc: OSError, *, file: str, what: str, table: str | None = None) -> Problem:
    """A located problem for an OS failure reading ``file`` (not found, folder, permission, link loop)."""
    if isinstance(exc, FileNotFoundError):
        return Problem(f"{what} not found", file=file, table=table, hint="check the path")
    if isinstance(exc, IsADirectoryError):
        return Problem(f"{what} is a folder, not a file", file=file, table=table, hint="name a file")
    if isinstance(exc, PermissionError):
        return Problem(f"{what}: permission denied", file=file, table=table, hint="make the file readable")
    if exc.errno == errno.ELOOP:
        return Problem(f"{what}: symbolic link loop", file=file, table=table, hint="point the link at a real file")
    return Problem(f"cannot read {what}: {exc.strerror or exc}", file=file, table=table)


def read_bytes(path: Path, *, file: str, what: str = "file", table: str | None = None,
               error: type[LcaInputError] = StudyError) -> bytes:
    """The bytes of ``path`` — its literal name, never a pattern; any OS failure is a located
    ``error`` (:class:`StudyError` unless the caller names its own kind)."""
    try:
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a directory")
        return path.read_bytes()
    except OSError as exc:
        raise error(os_problem(exc, file=file, what=what, table=table)) from None


def decode(raw: bytes, *, file: str, table: str | None = None) -> str:
    """UTF-8 text without a leading byte-order mark (spreadsheet exports add one)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StudyError(Problem(f"not UTF-8 text (byte {exc.start})", file=file, table=table,
                                 hint="save the file as UTF-8")) from None
    return text[1:] if text.startswith(BOM) else text


def parse_toml(raw: bytes, *, file: str) -> dict[str, Any]:
    """Decode and parse a TOML document; syntax errors and runaway nesting are located errors."""
    text = decode(raw, file=file)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyError(Problem(f"malformed TOML: {exc}", file=file,
                                 hint="check quotes, brackets and commas on that line")) from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise StudyError(Problem(f"too deeply nested (more than {MAX_DEPTH} arrays or tables inside each other)",
                                 file=file, hint="flatten the document")) from None


def nesting_problems(doc: Mapping[str, Any], *, file: str) -> list[Problem]:
    """A located problem for the first value nested deeper than :data:`MAX_DEPTH` (no recursion)."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(doc, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            head = ".".join(path[:3])
            return [Problem(f"too deeply nested (more than {MAX_DEPTH} arrays or tables inside each other)",
                            file=file, table=path[0], column=head if len(path) > 1 else None,
                            hint="flatten this value")]
        if isinstance(value, Mapping):
            stack += [(v, (*path, str(k))) for k, v in value.items()]
        elif isinstance(value, (list, tuple)):
            stack += [(v, (*path, f"#{i}")) for i, v in enumerate(value, 1)]
    return []


def _parquet_parts(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*.parquet") if p.is_file())


def table_digest(path: Path) -> str | None:
    """SHA-256 of a table file (or of a folder's Parquet parts in order); None if unreadable."""
    try:
        parts = _parquet_parts(path) if path.is_dir() else [path]
        if not parts:
            return None
        h = hashlib.sha256()
        for p in parts:
            if path.is_dir():
                h.update(p.relative_to(path).as_posix().encode() + b"\0")
            h.update(p.read_bytes())
        return h.hexdigest()
    except OSError:
        return None


def read_table(base: Path, name: str, *, file: str, table: str) -> pl.DataFrame:
    """A table beside the study: UTF-8 CSV (all columns as text), Parquet, or a folder of Parquet parts.

    ``file`` is the study naming the table; problems name the table file itself. A table with a
    header but no rows is refused: a study that names a table file means it to hold something.
    """
    frame = _read_table(base, name, file=file, table=table)
    if frame.height == 0:
        raise StudyError(header_only(file=str(base / name), table=table))
    return frame


def header_only(*, file: str, table: str) -> Problem:
    """A table file with a header but no rows (refused by the loader and by `lca validate` alike)."""
    return Problem("table file has a header but no rows", file=file, table=table,
                   hint="add its rows, or remove it from [tables]")


def _read_table(base: Path, name: str, *, file: str, table: str) -> pl.DataFrame:
    path = base / name
    where = str(path)
    if path.is_dir():
        parts = _parquet_parts(path)
        if not parts:
            raise StudyError(Problem("folder has no Parquet files", file=where, table=table,
                                     hint="name a CSV or Parquet file, or a folder of .parquet parts"))
        return pl.concat([_parquet(p, read_bytes(p, file=str(p), what="table file"), where=str(p),
                                   table=table) for p in parts], how="vertical_relaxed")
    if not path.exists() and not path.is_symlink():
        raise StudyError(Problem(f"table file '{name}' not found next to the study", file=file,
                                 table="tables", hint="check the name in [tables]"))
    raw = read_bytes(path, file=where, what="table file", table=table)
    if not raw.strip():
        raise StudyError(Problem("table file is empty", file=where, table=table,
                                 hint="write a header row (and data rows), or remove it from [tables]"))
    if path.suffix.lower() == ".parquet":
        return _parquet(path, raw, where=where, table=table)
    text = decode(raw, file=where, table=table)
    from lca.study.csvfiles import delimiter_problem

    wrong_delimiter = delimiter_problem(path)
    if wrong_delimiter:  # would read as one column and fail with a misleading message
        raise StudyError(wrong_delimiter)
    try:
        return pl.read_csv(io.StringIO(text), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StudyError(Problem(f"cannot read CSV: {first}", file=where, table=table,
                                 hint="use comma-separated UTF-8 CSV with one header row")) from None


def _parquet(path: Path, raw: bytes, *, where: str, table: str) -> pl.DataFrame:
    try:
        return pl.read_parquet(io.BytesIO(raw))
    except Exception:  # polars/arrow raise several types for damaged files
        raise StudyError(Problem("not a readable Parquet file (empty, truncated or damaged)", file=where,
                                 table=table, hint="write the file again, or use CSV")) from None
