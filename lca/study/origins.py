"""Where an activity was written: its ``origin`` mapped to the user's file, table and row.

Every exchange, route leg and transport leg carries an ``origin``, the label it was written
under: ``process 'calcination' exchange #2`` or ``route #1 (a → b) leg #2`` in the study file,
``exchanges.csv row 3`` or ``routes.csv row 4`` in a ``[tables]`` file (the file's name only:
origins reach exports), ``scenario 'x' transport #1 leg #2 (routes.csv row 4)`` for a leg taken
from a route. Problems found about an activity name its origin as their ``table``.

:func:`locate` is the one place that turns such a problem into a location an editor can open:
an origin written in a table file becomes ``file`` = the table's path, ``table`` = its kind
(``exchanges``, ``routes``), ``row`` = N, so ``--format github`` annotations land on the CSV
line. Origins written in the study file are left as they are (the study file, its TOML entry).
:func:`lca.engine.model.build_model` applies it to every problem raised while computing, the loader to
the cross-reference checks of exchanges.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Mapping

import polars as pl

from lca.errors import LcaInputError, Problem

if TYPE_CHECKING:  # pragma: no cover
    from lca.study.model import Study

#: origin → (file, table kind, row) of rows written in a table file
Rows = Mapping[str, tuple[str, str, int]]


def table_origin(name: str) -> pl.Expr:
    """The origin of each row of the exchanges table file ``name``: ``exchanges.csv row N``."""
    return pl.format("{} row {}", pl.lit(name), pl.col("row"))


def exchange_rows(exchanges: pl.DataFrame, name: str, where: str) -> dict[str, tuple[str, str, int]]:
    """Origins of the exchanges read from the table file ``name`` (located at ``where``)."""
    rows = exchanges.filter(pl.col("origin") == table_origin(name)).select("origin", "row")
    return {o: (where, "exchanges", r) for o, r in rows.iter_rows()}


def study_rows(study: "Study") -> dict[str, tuple[str, str, int]]:
    """Every origin of ``study`` written in a table file: its exchanges and route legs (as they are now)."""
    rows = dict(study.table_rows)
    legs = study.routes.filter(pl.col("row").is_not_null()).select("origin", "file", "table", "row")
    rows.update({o: (f, t, r) for o, f, t, r in legs.iter_rows()})
    return rows


def locate(problems: Iterable[Problem], rows: Rows, file: str | None) -> list[Problem]:
    """Problems whose table is an origin written in a table file, moved to that file's row.

    Only problems of the study itself (``file`` None or the study's) are moved; a transport leg
    taken from a route row is moved to that row and keeps its scenario entry in the message.
    """
    out = []
    for p in problems:
        where, via = (rows.get(p.table), None) if p.file in (None, file) and p.table else (None, None)
        if where is None and p.file in (None, file) and p.table and p.table.endswith(")"):
            head, _, inner = p.table[:-1].rpartition(" (")
            where, via = rows.get(inner), head
        if where is None:
            out.append(p)
            continue
        message = f"{p.message} (in {via})" if via else p.message
        out.append(Problem(**{**p.as_dict(), "message": message, "file": where[0], "table": where[1],
                              "row": where[2]}))
    return out


def located(exc: LcaInputError, study: "Study") -> LcaInputError:
    """``exc`` (same type) with its problems located by :func:`locate`."""
    return type(exc)(locate(exc.problems, study_rows(study), study.source))
