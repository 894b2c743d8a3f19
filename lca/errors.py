"""Named domain exceptions.

Every error a user can cause by bad input derives from :class:`LcaInputError` and carries one
or more :class:`Problem` records saying *where* (file, table, row, column) and *how to fix it*.
The CLI turns them into messages and exit code 1; the API raises them as they are.

>>> from lca.errors import Problem, LcaInputError
>>> err = LcaInputError([Problem("amount must be >= 0", file="s.toml", table="process.calcination",
...                              row=2, column="amount", hint="use a positive amount")])
>>> print(err)
s.toml: process.calcination row 2, column 'amount': amount must be >= 0 (fix: use a positive amount)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    message: str
    file: str | None = None
    table: str | None = None
    row: int | None = None
    column: str | None = None
    hint: str | None = None

    def location(self) -> str:
        """``file: table row N, column 'c'`` with whatever parts are known."""
        head = " ".join(x for x in (self.table, None if self.row is None else f"row {self.row}") if x)
        where = ", ".join(x for x in (head, self.column and f"column '{self.column}'") if x)
        if self.file:
            return f"{self.file}: {where}" if where else self.file
        return where

    def __str__(self) -> str:
        loc = self.location()
        text = f"{loc}: {self.message}" if loc else self.message
        if self.hint:
            text += f" (fix: {self.hint})"
        return text

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if v is not None}


class LcaError(Exception):
    """Base class of every exception raised on purpose by `lca`."""


class LcaInputError(LcaError):
    """Input (a study, a table, a factor file) is wrong; carries every problem found."""

    def __init__(self, problems: Iterable[Problem] | Problem | str):
        if isinstance(problems, (Problem, str)):
            problems = [problems]
        # the same problem found twice (e.g. by two checks) is reported once, in order
        self.problems: list[Problem] = list(dict.fromkeys(p if isinstance(p, Problem) else Problem(p)
                                                          for p in problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    def with_file(self, file: str) -> "LcaInputError":
        """Return a copy whose problems name ``file`` where they named none."""
        fixed = [p if p.file else Problem(**{**p.as_dict(), "file": file}) for p in self.problems]
        return type(self)(fixed)


class StudyError(LcaInputError):
    """A study file is malformed or inconsistent (unknown ids, bad TOML, bad shares)."""


class GraphError(StudyError):
    """A scenario's product system has a cycle or a dangling intermediate input."""


class SchemaError(LcaInputError):
    """A table failed its pandera schema (missing column, wrong type, bad value)."""


class UnitError(LcaInputError):
    """A unit string is unknown or ambiguous."""


class DimensionError(UnitError):
    """A quantity has the wrong physical dimension for where it is used."""


class FactorError(LcaInputError):
    """No emission factor matches an activity, or a factor file is invalid."""


class ExportCheckError(LcaInputError):
    """An export failed a methodology check (PACT rules, totals adding up)."""


class OutputError(LcaError):
    """An output could not be written."""


class InternalError(LcaError):
    """A check on lca's own output failed: a bug in lca, never the user's input (reported as such)."""
