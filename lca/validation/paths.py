"""``lca validate``: check studies, table files and factor files for CI — as strictly as the commands.

Each path is a file or a folder (searched recursively for ``*.toml``, ``*.csv``, ``*.parquet``).
A study goes through the commands' own stages (:mod:`lca.validation.study`: load, its factor files,
compute, uncertainty, PACT export and checks). A table's kind comes from its columns, else from its
file name (``sites.csv``, ``my_exchanges.csv``, …; :func:`classify`), and it gets the very checks
the study loader gives it (:func:`lca.study.tables.check_table`; a factor file, :func:`lca.factors.check_layer`).
Inside folders, table files that are not ours, empty files and empty folders are errors unless
``allow_unknown``; TOML files without ``[study]`` are skipped. Every problem names the file, the
row (1 = first data row) and the column; :func:`annotation` adds the physical line and column
that GitHub annotations want.

>>> from lca.resources import default_study_path
>>> validate_paths([default_study_path()])
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from lca.errors import LcaInputError, Problem
from lca.validation.walk import SUFFIXES

KINDS = ("study", "factors", "gwp", "activities", "exchanges", "routes", "sites", "shipments", "plant data")
#: file-name words that name a table kind when the columns do not (``my_sites.csv`` → sites)
NAME_WORDS = {"site": "sites", "sites": "sites", "exchange": "exchanges", "exchanges": "exchanges",
              "route": "routes", "routes": "routes", "factor": "factors", "factors": "factors", "gwp": "gwp",
              "activities": "activities", "inventory": "activities"}


def classify(columns: Sequence[str], name: str | None = None) -> str | None:
    """The kind of table from its header, else from words of its file name; None if neither tells."""
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
    if {"region", "flow", "leg", "mode", "distance", "unit"} <= cols:
        return "inbound"
    if {"id", "country"} <= cols:
        return "sites"
    words = re.split(r"[^a-z0-9]+", Path(name).stem.lower()) if name else []
    return next((NAME_WORDS[w] for w in words if w in NAME_WORDS), None)


@dataclass
class Outcome:
    """Problems of a run, the files checked (kind, stages run and not run) and the files skipped."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    checked: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    #: stages left out of every study on request (``--skip``)
    stages_skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """``checked 3 files (1 study, 2 tables); skipped 1 (…)`` — the last line of every run."""
        kinds = [c["kind"] for c in self.checked]
        n_study = kinds.count("study")
        parts = [f"{n_study} stud{'y' if n_study == 1 else 'ies'}"] if n_study else []
        n_table = len(kinds) - n_study
        parts += [f"{n_table} table{'s' if n_table != 1 else ''}"] if n_table else []
        text = f"checked {len(self.checked)} file{'s' if len(self.checked) != 1 else ''}"
        text += f" ({', '.join(parts)})" if parts else ""
        if self.skipped:
            reasons: dict[str, int] = {}
            for s in self.skipped:
                reasons[s["reason"]] = reasons.get(s["reason"], 0) + 1
            text += f"; skipped {len(self.skipped)}: " + "; ".join(f"{n} {r}" for r, n in reasons.items())
        else:
            text += "; skipped none"
        if self.stages_skipped:
            text += "; stages skipped by request: " + ", ".join(self.stages_skipped)
        return text

    def stage_notes(self) -> list[tuple[str, str]]:
        """``(file, "not run: compute, uncertainty, PACT (why)")``: one line per file with stages that did
        not run for a reason of its own (stages skipped by request are in the summary line)."""
        notes = []
        for c in self.checked:
            by_reason: dict[str, list[str]] = {}
            for stage, why in c.get("not_run", {}).items():
                if not why.startswith("skipped by request"):
                    by_reason.setdefault(why, []).append(stage)
            if by_reason:
                notes.append((c["file"], "not run: " + "; ".join(f"{', '.join(stages)} ({why})"
                                                                 for why, stages in by_reason.items())))
        return notes

    def as_dict(self) -> dict[str, Any]:
        return {"files_checked": len(self.checked), "files_skipped": len(self.skipped), "warnings": self.warnings,
                "checked": self.checked, "skipped": self.skipped, "stages_skipped": self.stages_skipped,
                "text": self.summary()}


def _files(paths: Iterable[Path | str], out: Outcome, allow_unknown: bool) -> list[tuple[Path, bool]]:
    """(file, given explicitly) pairs; folders expand to their data files, sorted (:mod:`lca.validation.walk`)."""
    from lca.validation.walk import FILE_ONLY, broken, walk

    files: list[tuple[Path, bool]] = []
    for p in map(Path, paths):
        if not p.is_dir():
            files.append((p, True))
            continue
        data_named = False
        for f, kind, target in walk(p):
            is_data = f.suffix.lower() in SUFFIXES
            data_named |= is_data and kind != "dir"
            if kind == "file":
                if is_data:
                    files.append((f, False))
                else:
                    out.skipped.append({"file": str(f), "reason": "not a .toml, .csv or .parquet file"})
            elif kind == "dir":
                if f.suffix.lower() in FILE_ONLY:
                    data_named = True
                    _unknown(out, allow_unknown, str(f), f"a {'link to a ' if target else ''}folder, not a "
                             f"{f.suffix.lower()} file", "rename it (a data file cannot be a folder), or pass --allow-unknown")
                elif target is not None:  # never followed: its files would be checked twice or loop
                    out.skipped.append({"file": str(f), "reason": "a link to a folder (not followed)"})
            elif is_data:  # dangling link, link loop, FIFO/device: a command given it would fail
                reason, hint = broken(f, kind, target)
                out.problems.append(Problem(reason, file=str(f), hint=hint))
            else:
                out.skipped.append({"file": str(f), "reason": "not a .toml, .csv or .parquet file"})
        if not data_named:
            _unknown(out, allow_unknown, str(p), "empty folder: no .toml, .csv or .parquet file in it",
                     "point lca validate at the folder holding the data, or pass --allow-unknown")
    return files


def _unknown(out: Outcome, allow_unknown: bool, file: str, why: str, hint: str | None = None) -> None:
    """An input that is not ours: an error, or (``--allow-unknown``) a skipped file."""
    if allow_unknown:
        out.skipped.append({"file": file, "reason": why})
    else:
        out.problems.append(Problem(why, file=file, hint=hint))


def _located(exc: LcaInputError, file: str) -> list[Problem]:
    return [p if p.file else Problem(**{**p.as_dict(), "file": file}) for p in exc.problems]


def _check_study(path: Path, explicit: bool, out: Outcome, skip: Sequence[str] = (), **supplier: Any) -> None:
    from lca.validation.study import check_study, read_study_doc

    doc = read_study_doc(path)
    if doc is not None and "study" not in doc:
        if explicit:
            out.problems.append(Problem("not a study file (no [study] section)", file=str(path)))
        else:
            out.skipped.append({"file": str(path), "reason": "TOML without [study] (not a study)"})
        return
    result = check_study(path, doc or {}, skip=skip, **supplier)
    out.problems += result.problems
    out.warnings += [{"file": str(path), "message": w} for w in result.warnings]
    out.checked.append({"file": str(path), "kind": "study", "checks": result.ran,
                        **({"not_run": result.not_run} if result.not_run else {})})


def _read(path: Path, header_only: bool = False):
    import polars as pl

    if path.suffix.lower() == ".parquet":  # glob=False: the name is a file, never a pattern
        return pl.read_parquet(path, glob=False, n_rows=0 if header_only else None)
    return pl.read_csv(path, infer_schema=False, encoding="utf8", n_rows=0 if header_only else None, glob=False)


def _check_ledger(path: Path, kind: str, out: Outcome) -> None:
    from lca.validation.ledger import CHECKS, check_ledger_file

    out.checked.append({"file": str(path), "kind": kind, "checks": CHECKS[kind]})
    out.problems += check_ledger_file(path, kind)


def _check_table(path: Path, out: Outcome, allow_unknown: bool) -> None:
    from lca.study.csvfiles import delimiter_problem
    from lca.validation.ledger import ledger_kind

    file = str(path)
    size = path.stat().st_size
    if size == 0 or (path.suffix.lower() == ".csv" and size < 4096 and not path.read_bytes().strip()):
        return _unknown(out, allow_unknown, file, "empty file", "write a header row and data, or remove the file")
    wrong = delimiter_problem(path)
    if wrong:
        out.problems.append(wrong)
        return
    try:
        cols = _read(path, header_only=True).columns  # columns first, then the file name, decide the kind
        ledger = ledger_kind(cols) or (None if classify(cols) else ledger_kind(cols, path.name))
        if ledger:  # shipments and plant data: the ledger's own (lazy) readers, never a second copy
            return _check_ledger(path, ledger, out)
        df = _read(path)
    except Exception as exc:  # polars raises several types for unreadable files
        out.problems.append(Problem(f"cannot read table: {exc}".splitlines()[0], file=file,
                                    hint="use UTF-8 CSV with a header row, or Parquet"))
        return
    kind = classify(df.columns, path.name)
    if kind is None:
        return _unknown(out, allow_unknown, file, "not a table lca knows: columns " + ", ".join(df.columns),
                        "name the file after its kind (sites, exchanges, routes, factors) and see `lca schema "
                        "export` for the columns of each table, or pass --allow-unknown")
    out.checked.append({"file": file, "kind": kind, "checks": ["table"]})
    try:
        check_table_frame(df, kind, file=file)
    except LcaInputError as exc:
        out.problems += _located(exc, file)


def check_table_frame(df, kind: str, *, file: str) -> None:
    """The loader's checks for a table of ``kind``; raises :class:`LcaInputError` with every problem."""
    from lca.factors import check_layer
    from lca.schemas import ActivityTable, GwpTable, validate_table
    from lca.study.tables import TABLE_FILES, check_table, unit_problems

    if kind in TABLE_FILES:
        check_table(df, kind, file=file)
    elif kind == "factors":  # as `--factors` uses it: a layer on top of the shipped library
        check_layer(df, file=file)
    elif kind == "gwp":
        validate_table(df, GwpTable, file=file, table="gwp")
    elif kind == "inbound":  # default inbound legs of materials (factors/logistics/inbound.csv)
        from lca.study.shipping import inbound_problems

        problems = inbound_problems(df, file=file)
        if problems:
            raise LcaInputError(problems)
    else:  # an exported inventory read back: the model, and units that parse
        problems: list[Problem] = []
        try:
            validate_table(df, ActivityTable, file=file, table=kind)
        except LcaInputError as exc:
            problems += exc.problems
        if "unit" in df.columns:
            problems += unit_problems(df, file=file, table=kind)
        if problems:
            raise LcaInputError(sorted(problems, key=lambda p: p.row or 0))


def validate(paths: Iterable[Path | str], *, allow_unknown: bool = False, skip: Sequence[str] = (),
             received: Path | None = None, allow_expired: bool = False) -> Outcome:
    """Check every given file and folder; the outcome lists problems (each once) and what was checked.

    ``skip``: study stages to leave out (``uncertainty``, ``pact``), said in the summary. ``received``,
    ``allow_expired``: as ``--received`` / ``--allow-expired`` of the commands (supplier footprints).
    """
    from lca.validation.study import SKIPPABLE
    from lca.validation.walk import broken, path_kind

    unknown = [k for k in skip if k not in SKIPPABLE]
    if unknown:
        raise LcaInputError(Problem(f"unknown stage '{unknown[0]}' to skip", hint="use one of: " + ", ".join(SKIPPABLE)))
    skip = list(dict.fromkeys(skip))
    out = Outcome(stages_skipped=[SKIPPABLE[k] for k in skip])
    for path, explicit in _files(paths, out, allow_unknown):
        kind, target = path_kind(path)
        why = broken(path, kind, target)
        if why:
            out.problems.append(Problem(why[0], file=str(path), hint=why[1]))
        elif path.suffix.lower() == ".toml":
            _check_study(path, explicit, out, skip, received=received, allow_expired=allow_expired)
        elif path.suffix.lower() in (".csv", ".parquet"):
            _check_table(path, out, allow_unknown)
        else:
            out.problems.append(Problem("not a study (.toml) or table (.csv, .parquet) file", file=str(path)))
    out.problems = list(dict.fromkeys(out.problems))  # a table beside a study is checked twice
    return out


def validate_paths(paths: Iterable[Path | str], *, allow_unknown: bool = False) -> list[Problem]:
    """Every problem in the given files and folders ([] = all valid)."""
    return validate(paths, allow_unknown=allow_unknown).problems


# ---------------------------------------------------------------------------------- reporting

@dataclass(frozen=True)
class Annotation:
    """A problem located as an editor or CI wants it: file, line and column numbers (1-based)."""

    file: str | None
    line: int | None
    col: int | None
    message: str

    def github(self, level: str = "error") -> str:
        """``::error file=…,line=…,col=…::message`` (GitHub Actions workflow command; or warning, notice)."""
        props = [f"{k}={_escape(str(v), prop=True)}" for k, v in
                 (("file", self.file), ("line", self.line), ("col", self.col)) if v is not None]
        return f"::{level}{' ' if props else ''}{','.join(props)}::{_escape(self.message)}"


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def _header(file: str) -> list[str]:
    import csv

    try:
        with open(file, encoding="utf-8-sig", newline="") as fh:
            return next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def annotation(p: Problem, _lines: dict[str, list[int]] | None = None) -> Annotation:
    """Line = the physical line the CSV record starts on (quoted cells may span lines); col = the
    column's position in the header. ``_lines`` caches record lines per file across calls."""
    from lca.study.csvfiles import record_lines

    line = col = None
    message = str(Problem(**{**p.as_dict(), "file": None})) if p.file else str(p)
    if p.file and p.file.lower().endswith(".csv"):
        if p.row is not None:
            cache = _lines if _lines is not None else {}
            if p.file not in cache:
                cache[p.file] = record_lines(p.file)
            starts = cache[p.file]
            line = starts[p.row] if 0 <= p.row < len(starts) else p.row + 1
        if p.column is not None:
            header = _header(p.file)
            col = header.index(p.column) + 1 if p.column in header else None
    return Annotation(p.file, line, col, message)
