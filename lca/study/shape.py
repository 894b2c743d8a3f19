"""The shape of a study document, checked before anything is parsed.

A string where a list of tables belongs, a list where an id belongs, a Boolean yield, a NaN share:
each is a located problem here, so the parsers after this can rely on the types and a user gets a
message instead of a traceback (or a silently stringified ``"['a']"``). TOML files, dicts and
frames (:mod:`lca.study.frames`) all pass through the same checks.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from lca.errors import Problem

TABLE, TABLES, NUMBER = "a table", "an array of tables ([[...]] or [{...}, ...])", "a number"
STRING, STRINGS = "a string", "a list of strings"

TOP_SHAPES = {"study": TABLE, "method": TABLE, "product": TABLE, "site": TABLES, "process": TABLES,
              "route": TABLES, "scenario": TABLES, "comparison": TABLE, "tables": TABLE, "factors": TABLE,
              "uncertainty": TABLES, "pact": TABLE, "stage": TABLES, "view": TABLES, "profile": TABLE,
              "material": TABLES, "inbound": TABLES, "exclusion": TABLES, "cutoff": TABLE,
              "battery": TABLE, "disclosure": TABLE, "catenax": TABLE}

_S = STRING
#: Section → key → shape, for the keys whose type is fixed (quantities are checked where parsed).
SECTION_KEYS: dict[str, dict[str, str]] = {
    "study": {"id": _S, "title": _S, "description": _S, "cell_plant": _S, "company_name": _S,
              "company_ids": STRINGS, "product_ids": STRINGS, "product_category_cpc": _S, "reference_period": TABLE},
    "method": {"gwp": _S, "electricity_rule": _S, "td_losses": _S, "electricity_basis": _S, "rules": _S},
    "product": {"name": _S, "shipped_mass_ratio": NUMBER},
    "comparison": {"baseline": _S, "alternative": _S},
    "tables": {"sites": _S, "exchanges": _S, "routes": _S},
    "profile": {"noun": _S, "packaging": _S, "boundary": _S, "outside": _S, "exclusions": STRINGS},
}
SITE_KEYS = {k: _S for k in ("id", "name", "country", "subdivision", "grid", "market_factor")}
PROCESS_KEYS = {"id": _S, "name": _S, "stage": _S, "yield": NUMBER, "exchanges": TABLES, "waste": TABLES,
                "packaging": TABLES}
EXCHANGE_KEYS = {**{k: _S for k in ("flow", "input", "unit", "stage", "factor", "note", "source")}, "dqr": TABLE,
                 "uncertainty": TABLE}
ROUTE_KEYS = {"from": _S, "to": _S, "legs": TABLES}
LEG_KEYS = {"mode": _S, "unit": _S, "factor": _S, "source": _S, "dqr": TABLE}
SCENARIO_KEYS = {"id": _S, "label": _S, "description": _S, "product": _S, "steps": TABLES, "transport": TABLES,
                 "mix": TABLE}
STEP_KEYS = {"process": _S, "site": _S}
TRANSPORT_KEYS = {"goods": _S, "from": _S, "to": _S, "legs": TABLES, "packaging_factor": NUMBER}


def is_shape(value: Any, shape: str) -> bool:
    """Whether ``value`` has ``shape`` (numbers must be finite; ``None`` is only an absent string)."""
    if value is None:
        return shape == STRING
    if shape == TABLE:
        return isinstance(value, Mapping)
    if shape == TABLES:
        return isinstance(value, (list, tuple)) and all(isinstance(v, Mapping) for v in value)
    if shape == STRING:
        return isinstance(value, str)
    if shape == STRINGS:
        return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
    return is_finite_number(value)


def is_finite_number(value: Any) -> bool:
    """A finite int or float (not a bool); TOML integers beyond float range count as not finite."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _label(entry: Mapping[str, Any], kind: str, i: int) -> str:
    ident = entry.get("id")
    return f"{kind} '{ident}'" if isinstance(ident, str) and ident else f"{kind} #{i}"


def shape_problems(doc: Mapping[str, Any], file: str) -> list[Problem]:
    """Every structural type error of ``doc``, each located by section/entry and key."""
    problems: list[Problem] = []

    def need(value: Any, shape: str, table: str, column: str | None = None) -> bool:
        if is_shape(value, shape):
            return True
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        got = "a number out of range (not finite)" if number and shape == NUMBER else type(value).__name__
        problems.append(Problem(f"must be {shape}, got {got} {value!r:.60}", file=file, table=table, column=column))
        return False

    def keys(entry: Mapping[str, Any], spec: Mapping[str, str], table: str) -> None:
        for key, shape in spec.items():
            if key in entry:
                need(entry[key], shape, table, key)

    def entries(key: str, kind: str) -> list[tuple[str, Mapping[str, Any]]]:
        value = doc.get(key, [])
        return [(_label(e, kind, i), e) for i, e in enumerate(value, 1)] if is_shape(value, TABLES) else []

    for key, shape in TOP_SHAPES.items():
        if key in doc and need(doc[key], shape, key) and key in SECTION_KEYS and doc[key] is not None:
            keys(doc[key], SECTION_KEYS[key], key)
    for where, site in entries("site", "site"):
        keys(site, SITE_KEYS, where)
    for where, p in entries("process", "process"):
        keys(p, PROCESS_KEYS, where)
        for j, x in enumerate(p.get("exchanges") or [] if is_shape(p.get("exchanges"), TABLES) else [], 1):
            keys(x, EXCHANGE_KEYS, f"{where} exchange #{j}")
    for i, r in enumerate(doc.get("route", []) if is_shape(doc.get("route", []), TABLES) else [], 1):
        keys(r, ROUTE_KEYS, f"route #{i}")
        for m, leg in enumerate(r.get("legs") or [] if is_shape(r.get("legs"), TABLES) else [], 1):
            keys(leg, LEG_KEYS, f"route #{i} leg #{m}")
    for where, sc in entries("scenario", "scenario"):
        keys(sc, SCENARIO_KEYS, where)
        for j, s in enumerate(sc.get("steps") or [] if is_shape(sc.get("steps"), TABLES) else [], 1):
            keys(s, STEP_KEYS, f"{where} step #{j}")
        if is_shape(sc.get("mix"), TABLE) and sc.get("mix") is not None:
            for comp, share in sc["mix"].items():
                if not isinstance(comp, str):
                    problems.append(Problem(f"mix component {comp!r} must be a scenario id (a string)", file=file,
                                            table=where, column="mix"))
                need(share, NUMBER, where, f"mix.{comp}")
        for k, t in enumerate(sc.get("transport") or [] if is_shape(sc.get("transport"), TABLES) else [], 1):
            keys(t, TRANSPORT_KEYS, f"{where} transport #{k}")
            for m, leg in enumerate(t.get("legs") or [] if is_shape(t.get("legs"), TABLES) else [], 1):
                keys(leg, LEG_KEYS, f"{where} transport #{k} leg #{m}")
    factors = doc.get("factors")
    files = factors.get("files") if isinstance(factors, Mapping) else None
    if files is not None and not (isinstance(files, str) or is_shape(files, STRINGS)):
        problems.append(Problem("must be a file name or a list of file names", file=file, table="factors",
                                column="files"))
    return problems
