"""The product profile: what a study says about its own product, as data.

A footprint engine must not know what it is computing the footprint of. Everything that is
particular to a product — its life-cycle stages (ids, labels, order, and how they map to the EU
Battery Regulation stages, PACT/Catena-X fields and GHG-Protocol stage names), the other units of
analysis results are converted to (named *views*: per kWh of cell capacity, per vehicle, per
year…), and the words the report uses for packaging, the boundary and the exclusions — is read
here from the study file:

.. code-block:: toml

    [[stage]]                      # in reporting order
    id = "cam_synthesis"
    label = "Calcination"
    eu_battery_stage = "Main product production"
    description = "lithiation and calcination of the precursor"

    [[view]]
    id = "kWh"                     # lca run --per kWh
    label = "per kWh of cell capacity"
    per = "kWh"                    # one unit of the view: a unit, or a counted thing ("vehicle")
    amount = "1.6 kg"              # declared units (here kg) in one kWh
    [[view]]
    id = "vehicle"
    label = "per vehicle pack"
    per = "vehicle"
    of = "kWh"                     # built on the kWh view: 75 kWh per vehicle
    amount = "75 kWh"

    [profile]
    noun = "cathode material"      # "1 kg of cathode material"
    packaging = "big bags and pallets"
    exclusions = ["Capital goods: buildings, kilns and ships."]

Stages the study does not declare get neutral defaults (the stage id as label, the built-in
stages ``raw_materials`` and ``transport`` mapped to their EU stage). Before issue #12 three
product-specific ``[product]`` keys stated the per-kWh, per-vehicle and per-year conversions;
they are refused now, with a hint to write ``[[view]]`` entries instead (docs/study-format.md
"Views" has the one-to-one translation).
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from typing import Any, Mapping

from lca.choices import EU_BATTERY_STAGES, GHG_STAGES, PACT_STAGE_FIELDS, VIEWS as BUILTIN_VIEWS
from lca.errors import Problem, StudyError
from lca.schemas import ID
from lca.study.parse import Product, Quantity, _check_keys, parse_quantity

#: stages the engine itself emits: materials default to raw_materials, freight legs are transport
BUILTIN_STAGES = {
    "raw_materials": ("Raw materials", "Raw material acquisition and pre-processing",
                      "Material acquisition & pre-processing"),
    "transport": ("Transport", "Distribution", "Distribution & storage"),
}
@dataclass(frozen=True)
class Stage:
    """A life-cycle stage as the study reports it."""

    id: str
    label: str
    eu_battery_stage: str
    ghg_stage: str
    #: the PACT field that breaks this stage out (``packagingGhgEmissions``), or None: in the total only
    pact_field: str | None = None
    description: str = ""
    declared: bool = True


@dataclass(frozen=True)
class View:
    """A unit of analysis: results per one ``per`` = results per declared unit × :attr:`multiplier`.

    ``parts`` are the study entries the multiplier is made of, ``(table, key, quantity)``, so a
    problem with it names them all.
    """

    id: str
    label: str
    per: str
    unit: str
    multiplier: float
    parts: tuple[tuple[str, str, Quantity], ...]
    basis: str = ""
    of: str | None = None


@dataclass(frozen=True)
class Profile:
    """The study's words for its own product (all optional)."""

    noun: str = "product"
    packaging: str = ""
    boundary: str = ""
    outside: str = ""
    exclusions: tuple[str, ...] = ()


def part_name(table: str, key: str) -> str:
    """How a multiplier's part is named in messages: ``pack_energy`` or ``view 'kWh' amount``."""
    return key if table == "product" else f"{table} {key}"


def parse_stages(entries: Any, file: str) -> tuple[Stage, ...]:
    """``[[stage]]`` entries, in order; ids unique, EU and GHG stage names from their choice sets."""
    if entries is None:
        return ()
    allowed = {"id", "label", "eu_battery_stage", "ghg_stage", "pact_field", "description"}
    problems: list[Problem] = []
    out: list[Stage] = []
    seen: set[str] = set()
    for i, e in enumerate(entries if isinstance(entries, list) else [entries], 1):
        where = f"stage #{i}"
        if not isinstance(e, Mapping) or not isinstance(e.get("id"), str) or not e["id"]:
            problems.append(Problem("a stage needs an id", file=file, table=where, column="id",
                                    hint='write [[stage]] id = "calcination" label = "Calcination"'))
            continue
        where = f"stage '{e['id']}'"
        problems += _check_keys(e, allowed, file=file, where=where)
        if not re.match(ID, e["id"]):  # a stage id is a key of charts, tables and exports, like any id
            problems.append(Problem(f"stage id {e['id']!r:.60} is not an id", file=file, table=where, column="id",
                                    hint="letters, digits and _ . : - only, starting with a letter or digit"))
        if e["id"] in seen:
            problems.append(Problem(f"stage '{e['id']}' is declared twice", file=file, table=where, column="id"))
        seen.add(e["id"])
        default = BUILTIN_STAGES.get(e["id"], (_humanise(e["id"]), "Main product production", "Production"))
        texts = {k: e.get(k) for k in allowed - {"id"}}
        for k, v in texts.items():
            if v is not None and not isinstance(v, str):
                problems.append(Problem(f"{k} must be text, got {v!r:.60}", file=file, table=where, column=k))
        eu, ghg = texts["eu_battery_stage"] or default[1], texts["ghg_stage"] or default[2]
        if eu not in EU_BATTERY_STAGES:
            problems.append(Problem(f"unknown EU Battery Regulation stage {eu!r:.80}", file=file, table=where,
                                    column="eu_battery_stage", hint="use one of: " + "; ".join(EU_BATTERY_STAGES)))
        if ghg not in GHG_STAGES:
            problems.append(Problem(f"unknown GHG Protocol stage {ghg!r:.80}", file=file, table=where,
                                    column="ghg_stage", hint="use one of: " + "; ".join(GHG_STAGES)))
        pact = texts["pact_field"]
        if pact is not None and pact not in PACT_STAGE_FIELDS:
            problems.append(Problem(f"unknown PACT field {pact!r:.80}", file=file, table=where, column="pact_field",
                                    hint="use one of: " + ", ".join(PACT_STAGE_FIELDS)))
        out.append(Stage(e["id"], str(texts["label"] or default[0]), str(eu), str(ghg), pact,
                         str(texts["description"] or "")))
    if problems:
        raise StudyError(problems)
    return tuple(out)


def complete_stages(declared: tuple[Stage, ...], used: list[str], file: str,
                    where_used: Mapping[str, str]) -> tuple[Stage, ...]:
    """Every stage the study's processes use, in reporting order.

    Without ``[[stage]]`` entries: raw materials first, the processes' stages in process order,
    transport last, each with a neutral label. With them, a stage a process names but the study
    does not declare is a typo or an omission, and an error; the engine's own stages
    (``raw_materials``, ``transport``) are added if the study leaves them out.
    """
    ids = [s.id for s in declared]
    if declared:
        missing = [s for s in dict.fromkeys(used) if s not in ids and s not in BUILTIN_STAGES]
        if missing:
            raise StudyError([Problem(f"stage '{s}' is not declared", file=file, table=where_used.get(s, "process"),
                                      column="stage", hint="add a [[stage]] with this id, or use one of: "
                                      + ", ".join(ids)) for s in missing])
    extra = [s for s in dict.fromkeys(["raw_materials", *used, "transport"]) if s not in ids]
    first = [s for s in extra if s == "raw_materials"]
    rest = [s for s in extra if s not in ("raw_materials", "transport")]
    last = [s for s in extra if s == "transport"]

    def default(s: str) -> Stage:
        label, eu, ghg = BUILTIN_STAGES.get(s, (_humanise(s), "Main product production", "Production"))
        return Stage(s, label, eu, ghg, declared=False)

    return (*[default(s) for s in first], *declared, *[default(s) for s in rest + last])


def parse_profile(p: Any, file: str) -> Profile:
    """The ``[profile]`` table: the words the report uses for this product."""
    if p is None:
        return Profile()
    if not isinstance(p, Mapping):
        raise StudyError(Problem("[profile] must be a table", file=file, table="profile"))
    allowed = {"noun", "packaging", "boundary", "outside", "exclusions"}
    problems = _check_keys(p, allowed, file=file, where="profile")
    for k in allowed - {"exclusions"}:
        if k in p and not isinstance(p[k], str):
            problems.append(Problem(f"{k} must be text", file=file, table="profile", column=k))
    ex = p.get("exclusions", [])
    if not isinstance(ex, list) or not all(isinstance(x, str) for x in ex):
        problems.append(Problem("exclusions must be a list of sentences", file=file, table="profile",
                                column="exclusions", hint='write exclusions = ["Capital goods.", "..."]'))
    if problems:
        raise StudyError(problems)
    return Profile(noun=p.get("noun", "product"), packaging=p.get("packaging", ""), boundary=p.get("boundary", ""),
                   outside=p.get("outside", ""), exclusions=tuple(ex))


def parse_views(entries: Any, product: Product, file: str) -> tuple[View, ...]:
    """``[[view]]`` entries, in order, each checked for units and range."""
    from lca.units import unit_info

    raw: list[tuple[str, Mapping[str, Any]]] = []
    if entries is not None:
        raw += [(f"view #{i}", e) for i, e in enumerate(entries if isinstance(entries, list) else [entries], 1)]
    allowed = {"id", "label", "per", "amount", "of", "result_unit", "basis"}
    problems: list[Problem] = []
    du = product.declared_unit
    du_part = ("product", "declared_unit", du)
    done: dict[str, View] = {}
    failed: set[str] = set()  # views with a problem: the views built on them are not checked again
    for table, e in raw:
        if not isinstance(e, Mapping) or not isinstance(e.get("id"), str) or not e["id"]:
            problems.append(Problem("a view needs an id", file=file, table=table, column="id",
                                    hint='write [[view]] id = "kWh" per = "kWh" amount = "10 m^2"'))
            continue
        vid = e["id"]
        failed.add(vid)  # until it is done
        table = f"view '{vid}'"
        problems += _check_keys(e, allowed, file=file, where=table)
        if not re.fullmatch(ID, vid):  # it is typed on the command line (--per) and named in exports
            problems.append(Problem(f"view id {vid!r:.60} has the wrong form", file=file, table=table, column="id",
                                    hint="use letters, digits and _ . : - (starting with a letter or digit)"))
            continue
        texts = [k for k in ("label", "basis", "of", "result_unit") if k in e and not isinstance(e[k], str)]
        if texts:
            problems += [Problem(f"{k} must be text, got {e[k]!r:.60}", file=file, table=table, column=k)
                         for k in texts]
            continue
        if vid in BUILTIN_VIEWS or vid in done:
            problems.append(Problem(f"view '{vid}' is defined twice" if vid in done else
                                    f"view id '{vid}' is built in", file=file, table=table, column="id",
                                    hint="choose another id" + ("" if vid in done else
                                                                ": " + ", ".join(BUILTIN_VIEWS) + " always exist")))
            continue
        per = e.get("per")
        if not isinstance(per, str) or not per.strip():
            problems.append(Problem("missing per (what one unit of the view is, e.g. \"kWh\" or \"vehicle\")",
                                    file=file, table=table, column="per"))
            continue
        per_info = unit_info(per)
        of = e.get("of")
        base: View | None = None
        if of is not None:
            base = done.get(of) if isinstance(of, str) else None
            if base is None:
                if isinstance(of, str) and of in failed:
                    continue
                problems.append(Problem(f"of = {of!r:.60} is not a view defined above", file=file, table=table,
                                        column="of", hint="define the view it is built on first"))
                continue
        try:
            amount = parse_quantity(e.get("amount"), file=file, where=table, key="amount", divisor=True)
            parts = ((table, "amount", amount),)
            in_unit = base.per if base is not None else du.unit
            in_info = unit_info(in_unit)
            if in_info.dimension is None:  # built on a counted view: a plain number of them
                if unit_info(amount.unit).dimension != unit_info("dimensionless").dimension:
                    raise StudyError(Problem(f"amount '{amount}' must be a plain number of '{in_unit}'", file=file,
                                             table=table, column="amount", hint=f'write amount = "3 dimensionless"'))
                factor = amount.to("dimensionless")
            else:
                if unit_info(amount.unit).dimension != in_info.dimension:
                    what = f"view '{of}' ({in_unit})" if base is not None else f"the declared unit ({du})"
                    col = parts[0][1]
                    raise StudyError(Problem(f"{col} '{amount}' must have the dimension of {what}", file=file,
                                             table=parts[0][0], column=col,
                                             hint=f"write it in {in_unit}" + ("" if base else " (how much product "
                                                                               f"one {per} holds)")))
                factor = amount.to(in_unit) / (1.0 if base is not None else du.value)
        except StudyError as exc:
            problems += exc.problems
            continue
        if not amount.value > 0:
            problems.append(Problem(f"{parts[0][1]} must be > 0, got {amount}", file=file, table=parts[0][0],
                                    column=parts[0][1], hint="write a positive amount"))
            continue
        unit = f"kg_CO2e/{per}"
        mult = factor * (base.multiplier if base is not None else 1.0)
        result = e.get("result_unit")
        if result is not None:
            rinfo = unit_info(str(result))
            if per_info.dimension is None or rinfo.dimension != unit_info(unit).dimension:
                problems.append(Problem(f"result_unit {result!r:.60} is not a CO2e mass per {per}", file=file,
                                        table=table, column="result_unit",
                                        hint=f"write e.g. \"t_CO2e/{per}\", or leave it out for {unit}"))
                continue
            from lca.units import conversion_factor
            mult *= conversion_factor(unit, str(result))
            unit = str(result)
        all_parts = parts + (base.parts if base is not None else (du_part,))
        label = e.get("label") if isinstance(e.get("label"), str) else f"per {per}"
        basis = e.get("basis") if isinstance(e.get("basis"), str) else ""
        done[vid] = View(vid, label, per, unit, mult, all_parts, basis, of)
        failed.discard(vid)
    if problems:
        raise StudyError(problems)
    views = tuple(done.values())
    problems = range_problems(views, file)
    if problems:
        raise StudyError(problems)
    return views


def parts_text(parts: tuple[tuple[str, str, Quantity], ...]) -> str:
    """``a``, ``a and b``, ``a, b and c`` of a multiplier's parts."""
    names = list(dict.fromkeys(part_name(t, k) for t, k, _ in parts))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def blamed_part(parts: tuple[tuple[str, str, Quantity], ...]) -> tuple[str, str]:
    """Of a multiplier's parts, the one furthest from 1 in SI units: the likeliest culprit."""
    from lca.units import unit_info

    def distance(part: tuple[str, str, Quantity]) -> float:
        q = part[2]
        base = abs(q.value * float(unit_info(q.unit).to_base or 1.0))
        return abs(math.log10(base)) if base > 0 and math.isfinite(base) else math.inf

    table, key, _ = max(parts, key=distance)
    return table, key


def range_problems(views: tuple[View, ...], file: str) -> list[Problem]:
    """Each view's multiplier must be a finite, normal number.

    The amounts are each in range, but their quotients may not be (1e308 m² per kWh over a
    declared unit of 1e-10 m²): say so here, naming every entry the multiplier is made of (the
    column is the one furthest from 1), rather than print ``inf``.
    """
    out = []
    for v in views:
        if v.multiplier < float("inf") and v.multiplier >= sys.float_info.min:
            continue
        table, key = blamed_part(v.parts)
        out.append(Problem(f"the per-{v.id} multiplier, made of {parts_text(v.parts)}, is {v.multiplier:g}: outside "
                           f"the range of float arithmetic", file=file, table=table, column=key,
                           hint="check these values and their units"))
    return out


def kg_view(product: Product) -> View:
    """The built-in per-kg view, from the product's mass per declared unit."""
    m = product.mass_per_declared_unit
    return View("kg", "per kg of product", "kg", "kg_CO2e/kg", 1.0 / m.to("kg"), (("product", "mass_per_declared_unit",
                                                                                    m),))


def _humanise(stage_id: str) -> str:
    return stage_id.replace("_", " ").capitalize()


def used_stages(processes: Any, exchanges: Any) -> tuple[list[str], dict[str, str]]:
    """Stage ids the processes and their exchanges name, in process order, and where each is first named."""
    used: dict[str, str] = {}
    for pid, stage in processes.select("id", "stage").iter_rows():
        used.setdefault(str(stage), f"process '{pid}'")
    for stage, origin in exchanges.filter(exchanges["stage"].is_not_null()).select("stage", "origin").iter_rows():
        used.setdefault(str(stage), str(origin))
    return list(used), used
