"""A hostile-input corpus generated from the shipped default study.

Every case is a small workspace (files) plus one command line. The corpus mutates every *key role*
of the default study — quantities, plain numbers, references, ids, enums, dates, free text,
structure — and the table files, factor files, shipment files, command-line options and whole
files (damage) that users hand to `lca`. Generation is deterministic (:data:`SEED`); the same
corpus comes out on every machine.

The oracle (:func:`check`) requires, for every case:

* exit code 0, 1 or 2 and no Python exception escaping the CLI;
* every input file byte-identical afterwards;
* after a non-zero exit, no output or temporary file left in the workspace;
* for must-fail cases, exit 1 or 2 and a message naming the file and the key/row/column;
* markup injected into text never appears raw in an HTML output;
* a study the command refuses (exit 1) is refused by ``lca validate`` as well.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import tomli_w

SEED = 20261130
STUDY = "study.toml"
MARKUP = ("<script>alert(1)</script>", '"><svg onload=alert(1)>', "[bold red]boom[/]")
RAW_HTML = ("<script>alert(1)", "<svg onload")

#: The commands a study case may run, with their outputs (relative to the workspace).
COMMANDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "run": (("run", "{d}/study.toml", "--format", "csv"), ()),
    "report": (("report", "{d}/study.toml", "-o", "{d}/report.html", "--timestamp", "2026-01-01T00:00:00Z"),
               ("report.html",)),
    "export": (("export", "{d}/study.toml", "--format", "pact-v3", "-o", "{d}/pcf.json",
                "--created", "2026-01-01T00:00:00Z"), ("pcf.json",)),
    "export-v2": (("export", "{d}/study.toml", "--format", "pact-v2", "-o", "{d}/pcf2.json",
                   "--created", "2026-01-01T00:00:00Z"), ("pcf2.json",)),
    "uncertainty": (("uncertainty", "{d}/study.toml", "-n", "200", "--format", "csv"), ()),
    "validate": (("validate", "{d}/study.toml"), ()),
}
STUDY_COMMANDS = ("run", "report", "export", "uncertainty", "export-v2", "validate")


@dataclass(frozen=True)
class Case:
    """One hostile input: files to lay out, the command to run, and what must hold."""

    id: str
    kind: str                      # study-key | table-cell | table-damage | factor | shipments | option | damage
    role: str                      # the key role or damage class mutated
    files: Mapping[str, bytes]
    argv: tuple[str, ...]
    expect: str = "any"            # fail | ok | any
    where: tuple[str, ...] = ()    # the message must name the first; and at least one of the rest
    outputs: tuple[str, ...] = ()
    markup: bool = False
    parity: bool = True            # a refusal (exit 1) must be a refusal of `lca validate` too
    extra: Mapping[str, Any] = field(default_factory=dict)   # symlinks, folders

    def group(self) -> str:
        return f"{self.kind}:{self.role}"


# ------------------------------------------------------------------------------------ base data

def default_doc() -> dict[str, Any]:
    import tomllib

    import lca

    return tomllib.loads(lca.default_study_path().read_text(encoding="utf-8"))


def dump(doc: Mapping[str, Any]) -> bytes:
    return tomli_w.dumps(doc).encode("utf-8")


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue().encode("utf-8")


def tabular(doc: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, tuple[list[str], list[list[Any]]]]]:
    """The default study with sites, exchanges and routes moved into CSV table files."""
    doc = copy.deepcopy(doc)
    site_cols = ["id", "name", "country", "subdivision", "grid", "grid_fallback"]
    sites = [[s.get(c) for c in site_cols] for s in doc.pop("site")]
    ex_cols = ["process", "flow", "input", "amount", "unit", "stage"]
    exchanges = []
    for p in doc["process"]:
        for x in p.pop("exchanges", []):
            number, unit = str(x["amount"]).split(" ", 1)
            exchanges.append([p["id"], x.get("flow"), x.get("input"), number, unit, x.get("stage")])
    route_cols = ["from", "to", "leg", "mode", "distance", "unit"]
    routes = []
    for r in doc.pop("route"):
        for m, leg in enumerate(r["legs"], 1):
            number, unit = str(leg["distance"]).split(" ", 1)
            routes.append([r["from"], r["to"], m, leg["mode"], number, unit])
    doc["tables"] = {"sites": "sites.csv", "exchanges": "exchanges.csv", "routes": "routes.csv"}
    return doc, {"sites.csv": (site_cols, sites), "exchanges.csv": (ex_cols, exchanges),
                 "routes.csv": (route_cols, routes)}


USER_FACTOR_HEADER = ["id", "flow", "name", "category", "region", "value", "unit", "gas", "scope", "basis",
                      "td_losses", "year", "status", "estimate", "source", "source_table", "url", "license",
                      "dq_technological", "dq_geographical", "dq_temporal", "unc_dist", "unc_gsd", "unc_sd",
                      "unc_min", "unc_max", "notes"]
USER_FACTOR_ROW = ["user.binder.acme2025", "acrylic_binder", "Acrylic binder, supplier data", "material", "GLO",
                   "2.9", "kg_CO2e/kg", "CO2e", "cradle_to_gate", "cradle_to_gate", "n/a", "2025", "default",
                   "false", "ACME supplier declaration 2025", "p. 3", "https://example.org/acme", "proprietary",
                   "2", "3", "1", "lognormal", "1.3", "", "", "", "user factor"]

SHIPMENT_HEADER = ["lot_id", "date", "product", "quantity", "unit", "scenario", "origin_plant", "destination_plant"]
SHIPMENT_ROWS = [["L1", "2025-01-15", "sep", "1000", "m2", "jp-import", "moriyama", "liberty"],
                 ["L2", "2025-02-03", "sep", "2", "roll", "ontario", "port_colborne", "holland"],
                 ["L3", "2025-03-09", "sep", "500", "m^2", "charlotte-coated", "charlotte", "liberty"],
                 ["L4", "2025-03-30", "sep", "20000", "ft^2", "kr-import", "chungju", "holland"]]


# ------------------------------------------------------------------------------------ key roles

QUANTITY_KEYS = {"amount", "distance", "output", "output_mass", "declared_unit", "mass_per_declared_unit",
                 "fossil_carbon_content"}
NUMBER_KEYS = {"yield", "shipped_mass_ratio", "packaging_factor"}
REFERENCE_KEYS = {"process", "site", "flow", "input", "goods", "from", "to", "cell_plant", "baseline",
                  "alternative", "target", "factor", "market_factor", "product"}
ENUM_KEYS = {"gwp", "electricity_rule", "td_losses", "dist", "mode", "country", "grid", "subdivision"}
TEXT_KEYS = {"title", "name", "label", "description", "note", "company_name"}
REQUIRED = {("study", "id"), ("product", "declared_unit"), ("product", "mass_per_declared_unit"),
            ("study", "reference_period"), ("site", "id"), ("site", "country"), ("process", "id"),
            ("scenario", "id"), ("exchanges", "amount"), ("steps", "process"), ("steps", "site"),
            ("legs", "mode"), ("legs", "distance"), ("transport", "goods"), ("uncertainty", "target"),
            ("uncertainty", "dist")}
OTHER_DIMENSION = {"g": "kWh", "kWh": "g", "MJ": "m^2", "m^2": "kg", "km": "kg", "m^2/kWh": "kWh", "kWh ": "g"}


def role_of(path: tuple[Any, ...]) -> str | None:
    key = path[-1]
    if isinstance(key, int):
        return None
    if path[0] == "scenario" and len(path) >= 3 and path[2] == "mix":
        return "share"
    if path[0] == "uncertainty" and key in ("min", "max", "mode", "mean", "sd", "gsd"):
        return "uncertainty-bound"
    if key == "id":
        return "id"
    if key in ("start", "end"):
        return "date"
    if key in ("company_ids", "product_ids", "files"):
        return "list"
    for role, keys in (("quantity", QUANTITY_KEYS), ("number", NUMBER_KEYS), ("reference", REFERENCE_KEYS),
                       ("enum", ENUM_KEYS), ("text", TEXT_KEYS)):
        if key in keys:
            return role
    return "other"


def leaves(doc: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(doc, Mapping):
        for k, v in doc.items():
            yield from leaves(v, (*path, k))
    elif isinstance(doc, list) and doc and all(isinstance(v, Mapping) for v in doc):
        for i, v in enumerate(doc):
            yield from leaves(v, (*path, i))
    else:
        yield path, doc


def set_path(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    node: Any = doc
    for k in path[:-1]:
        node = node[k]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


_DELETE = object()


def _unit_of(value: Any) -> str:
    return str(value).split(" ", 1)[1] if isinstance(value, str) and " " in value else "g"


def mutations(role: str, value: Any, path: tuple[Any, ...]) -> Iterator[tuple[str, Any, str]]:
    """(name, new value, expectation) for one leaf."""
    key = path[-1]
    parent = next((p for p in reversed(path[:-1]) if isinstance(p, str)), path[0])
    required = (path[0], key) in REQUIRED or (parent, key) in REQUIRED
    yield "delete", _DELETE, "fail" if required else "any"
    if role == "quantity":
        unit = _unit_of(value)
        yield "negative", f"-5 {unit}", "fail"
        yield "zero", f"0 {unit}", "fail" if key in ("declared_unit", "mass_per_declared_unit", "output") or (
            path[0] == "view" and key == "amount") else "any"
        yield "nan", f"nan {unit}", "fail"
        yield "inf", f"inf {unit}", "fail"
        yield "huge", f"5e307 {unit}", "any"
        yield "subnormal", f"5e-320 {unit}", "any"
        yield "wrong-dimension", f"5 {OTHER_DIMENSION.get(unit, 'kWh')}", "fail"
        yield "unknown-unit", "5 furlongz", "fail"
        yield "ambiguous-unit", "5 MBtu" if unit in ("MJ", "kWh") else "5 ton", "fail"
        yield "no-unit", 5, "fail"
        yield "list", [value], "fail"
        yield "bool", True, "fail"
        yield "empty", "", "fail"
    elif role == "number":
        yield "negative", -0.5, "fail"
        yield "zero", 0, "fail" if key == "yield" else "any"
        yield "nan", float("nan"), "fail"
        yield "inf", float("inf"), "fail"
        yield "huge", 1e308, "fail" if key == "yield" else "any"
        yield "string", "0.5", "fail"
        yield "bool", True, "fail"
    elif role == "share":
        yield "negative", -0.4, "fail"
        yield "nan", float("nan"), "fail"
        yield "above-one", 1.6, "fail"
        yield "string", "0.6", "fail"
    elif role == "reference":
        yield "unknown", "no-such-thing", "fail"
        yield "markup", MARKUP[0], "fail"
        yield "rich-markup", MARKUP[2], "fail"
        yield "empty", "", "fail"
        yield "number", 42, "fail"
        yield "list", [value], "any" if key == "target" else "fail"  # several targets are a list
    elif role == "id":
        yield "markup", MARKUP[1], "fail"
        yield "rich-markup", MARKUP[2], "fail"
        yield "space", "a b", "fail"
        yield "empty", "", "fail"
        yield "number", 7, "fail"
        yield "path", "../../etc/passwd", "fail"
    elif role == "enum":
        yield "bogus", "bogus", "fail"
        yield "case", str(value).swapcase(), "any"
        yield "number", 3, "fail"
    elif role == "date":
        import datetime as dt

        yield "local-datetime", dt.datetime(2025, 6, 1, 12, 0), "fail"
        yield "string", "2025-01-01", "any"
        yield "far-future", dt.date(9999, 12, 31), "any"
        yield "number", 2025, "fail"
    elif role == "text":
        yield "markup", MARKUP[0], "ok"
        yield "attr-markup", MARKUP[1], "ok"
        yield "rich-markup", MARKUP[2], "ok"
        yield "long", "x" * 20000, "ok"
        yield "list", [str(value)], "fail"
        yield "number", 12, "any"
    elif role == "uncertainty-bound":
        unit = _unit_of(value) if isinstance(value, str) else None
        yield "nan", "nan" if unit is None else f"nan {unit}", "fail"
        yield "wrong-dimension", "5 furlong" if unit else "5 kg", "fail"
        yield "unknown-unit", "5 furlongz", "fail"
        yield "huge", 1e308 if unit is None else f"1e308 {unit}", "fail"
        yield "string", "lots", "fail"
    elif role == "list":
        yield "string-not-list", 5, "fail"
        yield "markup-items", [MARKUP[0]], "any"
    else:
        yield "number", 3, "any"
        yield "markup", MARKUP[0], "any"


def _where_for(doc: Mapping[str, Any], path: tuple[Any, ...]) -> tuple[str, ...]:
    """The study file, then any of: the key, or the entry it sits in (by id or by position)."""
    where = [STUDY, str(path[-1])]
    if len(path) > 2 and isinstance(path[1], int):
        entry = doc[path[0]][path[1]]
        where.append(f"{path[0]} #{path[1] + 1}")
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
            where.append(f"'{entry['id']}'")
    elif len(path) > 1:
        where.append(str(path[-2]))
    return tuple(where)


def study_key_cases(doc: dict[str, Any]) -> Iterator[Case]:
    for path, value in leaves(doc):
        role = role_of(path)
        if role is None:
            continue
        for name, new, expect in mutations(role, value, path):
            mutated = set_path(doc, path, new)
            ident = "/".join(map(str, path))
            uncertainty = path[0] == "uncertainty"
            commands = ("uncertainty", "validate") if uncertainty else STUDY_COMMANDS
            command = commands[_stable(ident + name) % len(commands)]
            if uncertainty and expect == "fail" and command not in ("uncertainty", "validate"):
                expect = "any"
            argv, outputs = COMMANDS[command]
            yield Case(id=f"key:{ident}:{name}:{command}", kind="study-key", role=f"{role}:{name}",
                       files={STUDY: dump(mutated)}, argv=argv, expect=expect, where=_where_for(doc, path),
                       outputs=outputs, markup=new in MARKUP)


# ----------------------------------------------------------------------------- table-file cases

CELL_MUTATIONS: dict[str, list[tuple[str, str, str]]] = {
    "amount": [("negative", "-5", "fail"), ("nan", "nan", "fail"), ("inf", "inf", "fail"), ("text", "five", "fail"),
               ("empty", "", "fail"), ("huge", "1e400", "fail"), ("comma-decimal", "0,5", "fail")],
    "distance": [("negative", "-5", "fail"), ("nan", "NaN", "fail"), ("text", "far", "fail"), ("empty", "", "fail")],
    "unit": [("unknown", "furlongz", "fail"), ("ambiguous", "MT", "fail"), ("empty", "", "fail"),
             ("wrong-dimension", "kWh", "any"), ("mbtu", "MBtu", "fail")],
    "id": [("markup", MARKUP[1], "fail"), ("empty", "", "fail"), ("space", "a b", "fail")],
    "process": [("unknown", "no_such_process", "fail"), ("empty", "", "fail")],
    "flow": [("unknown", "no_such_flow", "fail"), ("markup", MARKUP[0], "fail")],
    "country": [("lowercase", "jp", "fail"), ("three", "JPN", "fail"), ("empty", "", "fail")],
    "grid": [("bogus", "not a region", "fail"), ("unknown", "US-NOPE", "any")],
    "from": [("typo", "moriyamma", "fail"), ("empty", "", "fail")],
    "to": [("typo", "libertyy", "fail")],
    "leg": [("zero", "0", "fail"), ("text", "first", "fail"), ("empty", "", "fail"), ("out-of-order", "9", "fail")],
    "mode": [("unknown", "teleport", "fail"), ("upper", "TRUCK", "fail")],
    "name": [("markup", MARKUP[0], "ok"), ("rich", MARKUP[2], "ok")],
    "stage": [("markup", MARKUP[1], "any")],
    "input": [("unknown", "no_such_process", "fail")],
    "subdivision": [("bogus", "not a region", "fail")],
}


def table_cell_cases(doc: dict[str, Any]) -> Iterator[Case]:
    tdoc, tables = tabular(doc)
    study = dump(tdoc)
    for fname, (header, rows) in tables.items():
        base = {STUDY: study, **{n: csv_bytes(h, r) for n, (h, r) in tables.items()}}
        for ci, col in enumerate(header):
            for name, new, expect in CELL_MUTATIONS.get(col, []):
                ri = _stable(f"{fname}{col}{name}") % len(rows)
                rows2 = copy.deepcopy(rows)
                rows2[ri][ci] = new
                command = STUDY_COMMANDS[_stable(fname + col + name) % len(STUDY_COMMANDS)]
                argv, outputs = COMMANDS[command]
                files = {**base, fname: csv_bytes(header, rows2)}
                yield Case(id=f"cell:{fname}:{col}:{name}:{command}", kind="table-cell", role=f"{col}:{name}",
                           files=files, argv=argv, expect=expect, where=(fname, col, f"row {ri + 1}"),
                           outputs=outputs, markup=new in MARKUP)
        yield from table_damage_cases(fname, header, rows, base)


def table_damage_cases(fname: str, header: list[str], rows: list[list[Any]],
                       base: Mapping[str, bytes]) -> Iterator[Case]:
    good = csv_bytes(header, rows)
    damage: list[tuple[str, bytes, str]] = [
        ("empty", b"", "fail"),
        ("header-only", good.split(b"\n", 1)[0] + b"\n", "fail"),
        ("bom", b"\xef\xbb\xbf" + good, "ok"),
        ("semicolons", good.replace(b",", b";"), "fail"),
        ("duplicate-header", csv_bytes([*header, header[0]], [[*r, r[0]] for r in rows]), "fail"),
        ("unknown-column", csv_bytes([*header, "colour"], [[*r, "red"] for r in rows]), "fail"),
        ("misspelt-header", csv_bytes([h[::-1] if i == 0 else h for i, h in enumerate(header)], rows), "fail"),
        ("truncated", good[: len(good) * 2 // 3], "any"),
        ("latin1", csv_bytes(header, rows).replace(b"Shiga", "Shig\u00e4".encode("latin-1")) + b"\xe4\n", "fail"),
        ("binary", bytes(range(256)) * 4, "fail"),
        ("ragged", good + b"a,b\n", "fail"),
        ("multiline-cell", good + b'x,"line one\nline two",JP,,\n', "any"),
    ]
    for name, data, expect in damage:
        command = STUDY_COMMANDS[_stable(fname + name) % len(STUDY_COMMANDS)]
        argv, outputs = COMMANDS[command]
        yield Case(id=f"tdamage:{fname}:{name}:{command}", kind="table-damage", role=name,
                   files={**base, fname: data}, argv=argv, expect=expect, where=(fname,), outputs=outputs)


# ------------------------------------------------------------------------------------- factors

FACTOR_MUTATIONS: dict[str, list[tuple[str, str, str]]] = {
    "value": [("nan", "nan", "fail"), ("inf", "inf", "fail"), ("negative", "-2.9", "fail"), ("text", "lots", "fail"),
              ("empty", "", "fail")],
    "unit": [("unknown", "kg_CO2e/furlong", "fail"), ("wrong-dimension", "kg_CO2e/kWh", "fail"),
             ("gas-mismatch", "kg/kg", "fail"), ("ambiguous", "kg_CO2e/MT", "fail")],
    "gas": [("bogus", "CO3", "fail")],
    "category": [("bogus", "magic", "fail"), ("other", "electricity", "fail")],
    "region": [("bogus", "Nowhere land", "fail")],
    "year": [("text", "last year", "fail"), ("far", "99999", "any")],
    "status": [("bogus", "maybe", "fail")],
    "unc_gsd": [("nan", "nan", "fail"), ("below-one", "0.5", "fail")],
    "dq_technological": [("six", "6", "fail"), ("zero", "0", "fail")],
    "id": [("markup", MARKUP[1], "fail"), ("empty", "", "fail")],
    "source": [("empty", "", "fail"), ("markup", MARKUP[0], "ok")],
    "estimate": [("maybe", "maybe", "fail")],
}


def factor_cases(doc: dict[str, Any]) -> Iterator[Case]:
    layered = copy.deepcopy(doc)
    layered["factors"] = {"files": ["user-factors.csv"]}
    study = dump(layered)
    for ci, col in enumerate(USER_FACTOR_HEADER):
        for name, new, expect in FACTOR_MUTATIONS.get(col, []):
            row = list(USER_FACTOR_ROW)
            row[ci] = new
            data = csv_bytes(USER_FACTOR_HEADER, [row])
            via_option = _stable(col + name) % 2 == 0
            command = ("run", "report", "export")[_stable(name + col) % 3]
            argv, outputs = COMMANDS[command]
            if via_option:
                files = {STUDY: dump(doc), "user-factors.csv": data}
                argv = (*argv, "--factors", "{d}/user-factors.csv")
            else:
                files = {STUDY: study, "user-factors.csv": data}
            yield Case(id=f"factor:{col}:{name}:{'opt' if via_option else 'study'}:{command}", kind="factor",
                       role=f"{col}:{name}", files=files, argv=argv, expect=expect,
                       where=("user-factors.csv", col, "row 1"), outputs=outputs, markup=new in MARKUP,
                       parity=not via_option)
    good = csv_bytes(USER_FACTOR_HEADER, [USER_FACTOR_ROW])
    damage = [("empty", b"", "fail"), ("extra-column", csv_bytes([*USER_FACTOR_HEADER, "colour"],
                                                                  [[*USER_FACTOR_ROW, "red"]]), "fail"),
              ("duplicate-header", csv_bytes([*USER_FACTOR_HEADER, "value"], [[*USER_FACTOR_ROW, "3"]]), "fail"),
              ("duplicate-id", csv_bytes(USER_FACTOR_HEADER, [USER_FACTOR_ROW, USER_FACTOR_ROW]), "fail"),
              ("binary", bytes(range(256)), "fail"), ("bom", b"\xef\xbb\xbf" + good, "ok"),
              ("semicolons", good.replace(b",", b";"), "fail")]
    for name, data, expect in damage:
        yield Case(id=f"factor-damage:{name}", kind="factor", role=f"damage:{name}",
                   files={STUDY: study, "user-factors.csv": data}, argv=COMMANDS["run"][0], expect=expect,
                   where=("user-factors.csv",))


# ------------------------------------------------------------------------------------ shipments

SHIPMENT_MUTATIONS: dict[str, list[tuple[str, str, str]]] = {
    "lot_id": [("empty", "", "fail"), ("duplicate", "L2", "fail")],
    "date": [("bogus", "yesterday", "fail"), ("yyyymmdd", "20250115", "fail"), ("far-future", "9999-12-31", "fail"),
             ("month-13", "2025-13-01", "fail"), ("datetime", "2025-01-15T10:00:00", "any")],
    "quantity": [("negative", "-5", "fail"), ("nan", "nan", "fail"), ("inf", "inf", "fail"), ("bool", "true", "fail"),
                 ("text", "many", "fail"), ("huge", "1e308", "any")],
    "unit": [("unknown", "furlongz", "fail"), ("wrong-dimension", "kg", "fail"), ("ambiguous", "MT", "fail")],
    "scenario": [("unknown", "no-such-scenario", "fail"), ("markup", MARKUP[0], "fail")],
    "destination_plant": [("unknown", "atlantis", "fail"), ("rich", MARKUP[2], "fail")],
}


def shipment_cases() -> Iterator[Case]:
    argv = ("ledger", "{d}/lots.csv", "-o", "{d}/out.parquet", "--m2-per-roll", "1200")
    for ci, col in enumerate(SHIPMENT_HEADER):
        for name, new, expect in SHIPMENT_MUTATIONS.get(col, []):
            rows = copy.deepcopy(SHIPMENT_ROWS)
            ri = _stable(col + name) % len(rows)
            rows[ri][ci] = new
            yield Case(id=f"lots:{col}:{name}", kind="shipments", role=f"{col}:{name}",
                       files={"lots.csv": csv_bytes(SHIPMENT_HEADER, rows)}, argv=argv, expect=expect,
                       where=("lots.csv", col, f"row {ri + 1}"), outputs=("out.parquet", "out.rejects.parquet"),
                       parity=False)
    good = csv_bytes(SHIPMENT_HEADER, SHIPMENT_ROWS)
    for name, data, expect in [("empty", b"", "fail"), ("header-only", good.split(b"\n", 1)[0] + b"\n", "any"),
                               ("binary", bytes(range(256)), "fail"), ("semicolons", good.replace(b",", b";"), "fail"),
                               ("missing-column", csv_bytes(SHIPMENT_HEADER[:-1], [r[:-1] for r in SHIPMENT_ROWS]),
                                "fail")]:
        yield Case(id=f"lots-damage:{name}", kind="shipments", role=f"damage:{name}", files={"lots.csv": data},
                   argv=argv, expect=expect, where=("lots.csv",), outputs=("out.parquet",), parity=False)
    skip = (*argv, "--on-error", "skip")
    for name, rej, expect in [("rejects-is-input", "{d}/lots.csv", "fail"),
                              ("rejects-is-study", "{d}/study.toml", "fail")]:
        yield Case(id=f"lots-option:{name}", kind="option", role=name,
                   files={"lots.csv": csv_bytes(SHIPMENT_HEADER, [*SHIPMENT_ROWS, ["L9", "2025-01-01", "sep", "-1", "m2",
                                                                                    "jp-import", "moriyama", "liberty"]]),
                          STUDY: dump(default_doc())},
                   argv=(*skip, "--rejects", rej, "--study", "{d}/study.toml"), expect=expect, where=(),
                   parity=False)
    yield Case(id="lots-option:out-is-input", kind="option", role="out-is-input",
               files={"lots.csv": good}, argv=("ledger", "{d}/lots.csv", "-o", "{d}/lots.csv"), expect="fail",
               parity=False)


# -------------------------------------------------------------------------------------- options

def option_cases(doc: dict[str, Any]) -> Iterator[Case]:
    study = {STUDY: dump(doc)}
    s = "{d}/study.toml"
    table = [
        ("per-bogus", ("run", s, "--per", "furlong"), "fail"),
        ("iterations-negative", ("uncertainty", s, "-n", "-5"), "fail"),
        ("iterations-zero", ("uncertainty", s, "-n", "0"), "fail"),
        ("iterations-enormous", ("uncertainty", s, "-n", str(10**14)), "fail"),
        ("seed-negative", ("uncertainty", s, "-n", "100", "--seed", "-1"), "fail"),
        ("seed-text", ("uncertainty", s, "--seed", "abc"), "fail"),
        ("compare-unknown", ("run", s, "--compare", "jp-import", "nope"), "fail"),
        ("compare-markup", ("uncertainty", s, "-n", "100", "--compare", "jp-import", MARKUP[2]), "fail"),
        ("cell-plant-unknown", ("run", s, "--cell-plant", "atlantis"), "fail"),
        ("cell-plant-markup", ("report", s, "--cell-plant", MARKUP[0], "-o", "{d}/report.html"), "fail"),
        ("scenario-unknown", ("export", s, "--scenario", "nope", "-o", "{d}/pcf.json"), "fail"),
        ("timestamp-bogus", ("report", s, "--timestamp", "noon", "-o", "{d}/report.html"), "fail"),
        ("created-bogus", ("export", s, "--created", "2026-13-45", "-o", "{d}/pcf.json"), "fail"),
        ("report-over-study", ("report", s, "-o", s), "fail"),
        ("export-over-study", ("export", s, "-o", s), "fail"),
        ("export-over-study-relative", ("export", s, "-o", "{d}/./sub/../study.toml"), "fail"),
        ("report-into-missing-folder", ("report", s, "-o", "{d}/missing/report.html"), "fail"),
        ("report-to-folder", ("report", s, "-o", "{d}"), "fail"),
        ("factors-missing", ("run", s, "--factors", "{d}/nope.csv"), "fail"),
        ("factors-folder", ("run", s, "--factors", "{d}"), "fail"),
        ("factors-is-study", ("run", s, "--factors", s), "fail"),
        ("study-missing", ("run", "{d}/nope.toml"), "fail"),
        ("study-folder", ("run", "{d}"), "fail"),
        ("gwp-bogus", ("run", s, "--gwp", "AR9"), "fail"),
        ("format-bogus", ("export", s, "--format", "pdf"), "fail"),
        ("parquet-to-stdout", ("export", s, "--format", "parquet"), "fail"),
        ("schema-export-over-file", ("schema", "export", "-o", s), "fail"),
        ("validate-empty-folder", ("validate", "{d}/empty"), "fail"),
        # a study file given to `lca check` is checked against its cut-off (#13): the default study passes
        ("check-study", ("check", s), "ok"),
    ]
    for name, argv, expect in table:
        yield Case(id=f"option:{name}", kind="option", role=name, files=study, argv=argv, expect=expect,
                   outputs=("report.html", "pcf.json"), parity=False, extra={"folders": ["sub", "empty"]})


# --------------------------------------------------------------------------------- file damage

def damage_cases(doc: dict[str, Any]) -> Iterator[Case]:
    good = dump(doc)
    text = good.decode()
    deep = b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n"
    table = [
        ("empty", b"", "fail"),
        ("whitespace", b"  \n\n", "fail"),
        ("truncated", good[: len(good) // 2], "fail"),
        ("bom", b"\xef\xbb\xbf" + good, "ok"),
        ("latin1", text.replace("Moriyama", "M\u00f6riyama").encode("latin-1", errors="replace"), "fail"),
        ("binary", bytes(range(256)) * 8, "fail"),
        ("deep-array", deep, "fail"),
        ("deep-table", b"x = " + b"{ a = " * 3000 + b"1" + b" }" * 3000 + b"\n", "fail"),
        ("not-toml-json", b'{"study": {"id": "x"}}', "fail"),
        ("sections-as-strings", b'site = "moriyama"\nprocess = 5\n' + good, "fail"),
        ("utf16", text.encode("utf-16"), "fail"),
    ]
    for name, data, expect in table:
        for command in ("run", "validate") if name in ("bom", "deep-array", "truncated") else (
                STUDY_COMMANDS[_stable(name) % len(STUDY_COMMANDS)],):
            argv, outputs = COMMANDS[command]
            yield Case(id=f"damage:{name}:{command}", kind="damage", role=name, files={STUDY: data}, argv=argv,
                       expect=expect, where=(STUDY,), outputs=outputs)
    for name in ("symlink-loop", "directory"):
        argv, outputs = COMMANDS["run"]
        yield Case(id=f"damage:{name}", kind="damage", role=name, files={}, argv=argv, expect="fail",
                   where=(STUDY,), extra={name: True}, parity=False)


# ------------------------------------------------------------------------------------- corpus

def _stable(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


def corpus() -> list[Case]:
    """Every case, in a deterministic order."""
    doc = default_doc()
    cases = [*study_key_cases(doc), *table_cell_cases(doc), *factor_cases(doc), *shipment_cases(),
             *option_cases(doc), *damage_cases(doc)]
    seen: set[str] = set()
    out = []
    for c in cases:
        if c.id not in seen:
            seen.add(c.id)
            out.append(c)
    return out


def sample(cases: list[Case], n: int, seed: int = SEED) -> list[Case]:
    """Every group (kind × role) once, then a seeded random fill up to ``n`` cases."""
    rng = random.Random(seed)
    first: dict[str, Case] = {}
    for c in cases:
        first.setdefault(c.group(), c)
    chosen = list(first.values())
    rest = [c for c in cases if c.id not in {x.id for x in chosen}]
    rng.shuffle(rest)
    chosen += rest[: max(0, n - len(chosen))]
    return sorted(chosen, key=lambda c: c.id)


# ------------------------------------------------------------------------------------- running

def layout(case: Case, root: Path) -> Path:
    import os

    d = root / "w"
    d.mkdir()
    for name, data in case.files.items():
        (d / name).write_bytes(data)
    for folder in case.extra.get("folders", []):
        (d / folder).mkdir(exist_ok=True)
    if case.extra.get("symlink-loop"):
        os.symlink(d / "b.toml", d / "a.toml")
        os.symlink(d / "a.toml", d / "b.toml")
        os.symlink(d / "a.toml", d / STUDY)
    if case.extra.get("directory"):
        (d / STUDY).mkdir()
    return d


def snapshot(d: Path) -> dict[str, str]:
    out = {}
    for p in sorted(d.rglob("*")):
        if p.is_symlink() or not p.is_file():
            out[str(p.relative_to(d))] = "<link or folder>"
        else:
            out[str(p.relative_to(d))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@dataclass
class Outcome:
    case: Case
    code: int
    stdout: str
    stderr: str
    failures: list[str]


def run_case(case: Case, root: Path, invoke: Callable[[list[str]], Any]) -> Outcome:
    d = layout(case, root)
    before = snapshot(d)
    argv = [a.replace("{d}", str(d)) for a in case.argv]
    result = invoke(argv)
    code = result.exit_code
    out, err = result.stdout or "", _stderr(result)
    failures: list[str] = []
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        failures.append(f"exception escaped: {type(exc).__name__}: {exc}")
    if code not in (0, 1, 2):
        failures.append(f"exit code {code}")
    text = out + err
    if "Traceback" in text or "internal error" in text.lower():
        failures.append("traceback or internal error in output")
    after = snapshot(d)
    for name, digest in before.items():
        if after.get(name) != digest:
            failures.append(f"input {name} changed or removed")
    if code != 0:
        new = sorted(set(after) - set(before))
        if new:
            failures.append(f"files left after exit {code}: {new}")
    if case.expect == "fail":
        if code == 0:
            failures.append("must fail, exited 0")
        elif case.where and case.where[0] not in err:
            failures.append(f"message does not name {case.where[0]!r}")
        elif len(case.where) > 1 and not any(w in err for w in case.where[1:]):
            failures.append(f"message names none of {case.where[1:]!r}")
    if case.expect == "ok" and code != 0:
        failures.append(f"must succeed, exited {code}")
    for html in d.glob("*.html"):
        body = html.read_text(encoding="utf-8", errors="replace")
        for raw in RAW_HTML:
            if raw in body:
                failures.append(f"raw markup {raw!r} in {html.name}")
    if code == 1 and case.parity and case.argv[0] != "validate" and STUDY in case.files:
        check = invoke(["validate", str(d / STUDY)])
        if check.exit_code == 0:
            failures.append("the command refused the study but `lca validate` says it is valid")
    if failures:
        failures.append(f"stderr: {err[-600:]!r}")
    return Outcome(case, code, out, err, failures)


def _stderr(result: Any) -> str:
    try:
        return result.stderr or ""
    except ValueError:  # stderr not captured separately
        return ""
