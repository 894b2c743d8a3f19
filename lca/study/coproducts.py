"""Co-products of a process and how its burden is allocated (``coproducts``, ``allocation``).

A ``[[process]]`` may make more than its reference product::

    coproducts = [ { id = "sodium_sulfate", amount = "1.4 kg", price = "0.1 USD/kg" } ]
    allocation = { method = "mass", reason = "ISO 14044 4.3.4.2: no physical causality applies" }

Per run (one gross ``output``) the process makes ``output × yield`` of its reference product and
``amount`` of each co-product. ``method`` is one of

* ``mass`` — by the mass of each output per run: the reference product's is ``output_mass × yield``
  (``output_mass`` is required), a co-product's its ``mass`` (or its ``amount`` if that is a mass);
* ``economic`` — by value per run: ``price`` of each co-product × amount, and ``price`` in the
  ``allocation`` table for the reference product (per its output unit); prices are
  ``"<number> <ISO 4217 code>/<unit>"``, one currency per process;
* ``physical`` — a stated physical relationship: ``basis`` (what it is, e.g. ``"nickel content"``)
  and ``shares = { <process id> = 0.9, <co-product id> = 0.1 }`` summing to 1;
* ``substitution`` — system expansion: the process keeps its whole burden and each co-product
  (``substitutes = "<flow>"``, optional ``factor``) is credited with the avoided product's factor.

``reason`` is required (ISO 14067 6.4.6: the allocation procedure is justified and reported).
Parsing only checks and records; the factors are worked out by :mod:`lca.engine.allocation`.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

import polars as pl

from lca.choices import ALLOCATION_METHODS
from lca.errors import Problem, StudyError
from lca.study.parse import _check_keys, parse_quantity

METHODS = ALLOCATION_METHODS
_PRICE = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Z]{3})\s*/\s*(.+?)\s*$")

COPRODUCT_SCHEMA = {"process": pl.String, "output": pl.String, "amount": pl.Float64, "unit": pl.String,
                    "mass": pl.Float64, "mass_unit": pl.String, "price": pl.Float64, "currency": pl.String,
                    "price_unit": pl.String, "substitutes": pl.String, "factor": pl.String, "origin": pl.String}
ALLOCATION_SCHEMA = {"process": pl.String, "method": pl.String, "basis": pl.String, "reason": pl.String,
                     "price": pl.Float64, "currency": pl.String, "price_unit": pl.String,
                     "shares": pl.List(pl.Struct({"output": pl.String, "share": pl.Float64}))}


def parse_price(value: Any, *, file: str, where: str, key: str = "price") -> tuple[float, str, str]:
    """``"0.1 USD/kg"`` → ``(0.1, "USD", "kg")`` (the unit checked)."""
    from lca.units import require_unit

    m = _PRICE.match(value) if isinstance(value, str) else None
    if not m:
        raise StudyError(Problem(f"price {value!r} is not '<number> <currency>/<unit>'", file=file, table=where,
                                 column=key, hint='write e.g. "0.1 USD/kg" (an ISO 4217 code per unit of output)'))
    number = float(m.group(1))
    if not number >= 0 or number == float("inf"):
        raise StudyError(Problem(f"price {value!r} must be a finite number ≥ 0", file=file, table=where, column=key))
    require_unit(m.group(3), where=Problem("", file=file, table=where, column=key))
    return number, m.group(2), m.group(3)


def parse_coproducts(entries: Sequence[Mapping[str, Any]], *, file: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(coproducts, allocation)`` frames of every process (StudyError listing every problem)."""
    problems: list[Problem] = []
    crow, arow = [], []
    for i, e in enumerate(entries, 1):
        if not isinstance(e, Mapping) or ("coproducts" not in e and "allocation" not in e):
            continue
        pid = e.get("id", f"#{i}")
        where = f"process '{pid}'"
        cos = e.get("coproducts", [])
        alloc = e.get("allocation")
        if not isinstance(cos, list) or not all(isinstance(c, Mapping) for c in cos):
            problems.append(Problem("coproducts must be an array of tables", file=file, table=where,
                                    column="coproducts", hint='write coproducts = [{ id = "...", amount = "1 kg" }]'))
            continue
        if not cos:
            problems.append(Problem("allocation without coproducts", file=file, table=where, column="allocation",
                                    hint="add coproducts = [{ id = ..., amount = ... }] or remove allocation"))
            continue
        if not isinstance(alloc, Mapping):
            problems.append(Problem("a process with coproducts needs allocation = { method = ..., reason = ... }",
                                    file=file, table=where, column="allocation",
                                    hint=f"method: {', '.join(METHODS)}"))
            continue
        awhere = f"{where} allocation"
        problems += _check_keys(alloc, {"method", "basis", "reason", "price", "shares"}, file=file, where=awhere)
        method = alloc.get("method")
        if method not in METHODS:
            problems.append(Problem(f"unknown allocation method {method!r}", file=file, table=awhere, column="method",
                                    hint=f"use {', '.join(METHODS)}"))
            continue
        if not isinstance(alloc.get("reason"), str) or not alloc["reason"].strip():
            problems.append(Problem("allocation needs a reason (ISO 14067 6.4.6)", file=file, table=awhere,
                                    column="reason", hint='add reason = "why this method applies"'))
        ids = [pid]
        for k, c in enumerate(cos, 1):
            cwhere = f"{where} coproduct #{k}"
            problems += _check_keys(c, {"id", "amount", "mass", "price", "substitutes", "factor", "note"},
                                    file=file, where=cwhere)
            if not isinstance(c.get("id"), str) or c["id"] in ids:
                problems.append(Problem(f"coproduct id {c.get('id')!r} is missing or not unique in the process",
                                        file=file, table=cwhere, column="id"))
                continue
            ids.append(c["id"])
            try:
                amount = parse_quantity(c.get("amount"), file=file, where=cwhere, key="amount")
                mass = parse_quantity(c["mass"], file=file, where=cwhere, key="mass", expect="mass") \
                    if "mass" in c else None
                price = parse_price(c["price"], file=file, where=cwhere) if "price" in c else (None, None, None)
            except StudyError as exc:
                problems += exc.problems
                continue
            for key, q in (("amount", amount), ("mass", mass)):
                if q is not None and not q.value >= 0:
                    problems.append(Problem(f"a coproduct's {key} cannot be negative ({q})", file=file, table=cwhere,
                                            column=key))
            if method == "substitution" and not isinstance(c.get("substitutes"), str):
                problems.append(Problem("substitution needs the substituted flow", file=file, table=cwhere,
                                        column="substitutes", hint='add substitutes = "<flow>" (e.g. a material)'))
            if method == "economic" and price[0] is None:
                problems.append(Problem("economic allocation needs the coproduct's price", file=file, table=cwhere,
                                        column="price", hint='add price = "0.1 USD/kg"'))
            crow.append((pid, c["id"], amount.value, amount.unit, None if mass is None else mass.value,
                         None if mass is None else mass.unit, *price, c.get("substitutes"), c.get("factor"), cwhere))
        main_price = (None, None, None)
        if method == "economic":
            try:
                main_price = parse_price(alloc.get("price"), file=file, where=awhere)
            except StudyError as exc:
                problems += exc.problems
        shares: list[dict[str, Any]] = []
        if method == "physical":
            raw = alloc.get("shares")
            if not isinstance(alloc.get("basis"), str):
                problems.append(Problem("physical allocation needs its basis", file=file, table=awhere,
                                        column="basis", hint='add basis = "nickel content" (what the shares measure)'))
            if not isinstance(raw, Mapping) or set(raw) != set(ids):
                problems.append(Problem(f"shares must name every output exactly: {', '.join(ids)}", file=file,
                                        table=awhere, column="shares"))
            elif not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1
                         for v in raw.values()) or abs(sum(raw.values()) - 1) > 1e-9:
                problems.append(Problem("shares must be numbers in [0, 1] adding up to 1", file=file, table=awhere,
                                        column="shares"))
            else:
                shares = [{"output": k, "share": float(v)} for k, v in raw.items()]
        arow.append((pid, method, alloc.get("basis"), alloc.get("reason"), *main_price, shares))
    if problems:
        raise StudyError(problems)
    return (pl.DataFrame(crow, schema=COPRODUCT_SCHEMA, orient="row"),
            pl.DataFrame(arow, schema=ALLOCATION_SCHEMA, orient="row"))
