"""Production waste: a process's waste outputs and their treatment, as ordinary exchanges.

A process declares what leaves it as waste (``waste = [{ material, amount, treatment }]``, per
unit of gross output like its exchanges) and the study declares each waste material's fossil
carbon content (``[[material]] id, fossil_carbon``: kg C per kg). Each waste output becomes:

* an exchange of flow ``waste_<treatment>`` (kg of waste × the library's treatment factor:
  transport to and operation of the treatment, no credit for recovered energy or material: the
  cut-off approach of ISO 14067 and the PACT methodology), and
* for the incineration treatments, an exchange of flow ``waste_fossil_co2``: the fossil CO2 of
  burning the material completely, ``amount × fossil_carbon × 44/12`` (molar masses of CO2 and C).

Landfill of fossil material (e.g. plastics, which do not degrade) and recycling (cut-off: the
burden leaves with the material) emit no combustion CO2. The rows are plain exchanges, so factor
resolution, contributions, changes and uncertainty targets treat them like any other.
"""

from __future__ import annotations

from typing import Any, Mapping

import polars as pl

from lca.choices import COMBUSTION_TREATMENTS, WASTE_TREATMENTS, spoken
from lca.errors import LcaInputError, Problem
from lca.study.parse import _check_keys, parse_quantity, primary_problems
from lca.study.provenance import provenance_fields
from lca.study.shape import is_finite_number

#: kg CO2 per kg C (44.009 / 12.011, IUPAC standard atomic weights)
CO2_PER_C = 44.009 / 12.011
#: flow of the fossil CO2 of incinerated waste (one library row: 1 kg CO2 per kg CO2)
FOSSIL_CO2_FLOW = "waste_fossil_co2"
MATERIAL_KEYS = {"id", "name", "fossil_carbon", "source", "note"}
WASTE_KEYS = {"material", "amount", "treatment", "stage", "factor", "primary", "note", "source", "dqr"}


def parse_materials(entries: Any, file: str) -> tuple[dict[str, float], list[Problem]]:
    """``[[material]]`` → ``{id: fossil carbon fraction}`` (kg C per kg, 0-1)."""
    out: dict[str, float] = {}
    problems: list[Problem] = []
    for i, m in enumerate(entries or [], 1):
        where = f"material '{m.get('id', f'#{i}')}'"
        problems += _check_keys(m, MATERIAL_KEYS, file=file, where=where)
        mid, fc = m.get("id"), m.get("fossil_carbon")
        if not isinstance(mid, str) or not mid:
            problems.append(Problem("a material needs an id", file=file, table=where, column="id"))
            continue
        if mid in out:
            problems.append(Problem(f"material '{mid}' is declared twice", file=file, table=where, column="id"))
        if not (is_finite_number(fc) and 0 <= fc <= 1):
            problems.append(Problem(f"fossil_carbon must be a fraction 0-1 (kg C per kg), got {fc!r:.40}", file=file,
                                    table=where, column="fossil_carbon",
                                    hint="e.g. 0.856 for polyethylene (CH2 repeat unit: 12.011 / 14.027)"))
            continue
        out[mid] = float(fc)
    return out, problems


def waste_rows(processes: Any, materials: Mapping[str, float], file: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Exchange rows (the loader's inline exchange columns) of every process's ``waste`` entries."""
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for i, p in enumerate(processes or [], 1):
        where = f"process '{p.get('id', f'#{i}')}'"
        entries = p.get("waste", [])
        if not isinstance(entries, list) or not all(isinstance(w, Mapping) for w in entries):
            problems.append(Problem("waste must be a list of tables ([{ material, amount, treatment }])", file=file,
                                    table=where, column="waste"))
            continue
        for j, w in enumerate(entries, 1):
            wwhere = f"{where} waste #{j}"
            problems += _check_keys(w, WASTE_KEYS, file=file, where=wwhere)
            problems += primary_problems(w, file, wwhere)
            mat, treatment = w.get("material"), w.get("treatment", WASTE_TREATMENTS[0])
            if treatment not in WASTE_TREATMENTS:
                problems.append(Problem(f"unknown treatment {treatment!r:.40}", file=file, table=wwhere,
                                        column="treatment", hint=f"use {spoken(WASTE_TREATMENTS)}"))
                continue
            if mat not in materials:
                problems.append(Problem(f"material {mat!r:.40} is not declared", file=file, table=wwhere,
                                        column="material", hint="add [[material]] with its id and fossil_carbon"
                                        + (f" (declared: {', '.join(sorted(materials))})" if materials else "")))
                continue
            try:
                q = parse_quantity(w.get("amount"), file=file, where=wwhere, key="amount", expect="mass")
            except LcaInputError as exc:  # unit errors too: located at this entry's amount
                problems += exc.problems
                continue
            if q.value < 0:  # a negative waste would be an unstated credit
                problems.append(Problem(f"a waste amount cannot be negative ({q})", file=file, table=wwhere,
                                        column="amount", hint="give the mass that leaves the process"))
                continue
            prov, more = provenance_fields(w, file=file, where=wwhere)
            problems += more
            base = {"process": p.get("id"), "input": None, "unit": q.unit, "stage": w.get("stage"),
                    "primary": w.get("primary") is True, "row": j, **prov}
            rows.append({**base, "flow": f"waste_{treatment}", "amount": q.value, "factor": w.get("factor"),
                         "origin": wwhere})
            if treatment in COMBUSTION_TREATMENTS and materials[mat] > 0:
                rows.append({**base, "flow": FOSSIL_CO2_FLOW, "amount": q.value * materials[mat] * CO2_PER_C,
                             "factor": None, "origin": f"{wwhere} (fossil CO2 of {mat})"})
    return rows, problems


def with_waste(exchanges: pl.DataFrame, doc: Mapping[str, Any], file: str) -> tuple[pl.DataFrame, list[Problem]]:
    """``exchanges`` plus the rows of every process's ``waste`` (materials from ``[[material]]``)."""
    materials, problems = parse_materials(doc.get("material"), file)
    rows, more = waste_rows(doc.get("process"), materials, file)
    problems += more
    if problems or not rows:
        return exchanges, problems
    extra = pl.DataFrame(rows, schema=exchanges.schema, strict=False).select(exchanges.columns)
    return pl.concat([exchanges, extra], how="vertical_relaxed"), []
