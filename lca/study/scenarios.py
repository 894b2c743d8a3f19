"""Scenarios: product systems (steps + transport legs, routes resolved) and supply mixes."""

from __future__ import annotations

import re

import polars as pl

from lca.errors import Problem, SchemaError
from lca.schemas import ID, MixTable, StepTable, TransportTable, validate_table
from lca.study.parse import _check_keys
from lca.study.provenance import PROVENANCE_SCHEMA
from lca.study.routes import leg_fields, leg_problems

CELL_PLANT = "cell_plant"
_ID = re.compile(ID)


def _scenarios(entries, routes, plant, site_ids, process_ids, ratio, file):
    """Scenario, step, transport-leg and mix frames, plus every problem found (not raised)."""
    problems: list[Problem] = []
    srows, steps, legs, mixes = [], [], [], []
    ids = [e.get("id") for e in entries]
    if not entries:
        problems.append(Problem("no scenarios", file=file, table="scenario", hint="add at least one [[scenario]]"))
    for d in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem(f"scenario id '{d}' is defined twice", file=file, table="scenario"))
    for i, e in enumerate(entries, 1):
        sid = e.get("id")
        where = f"scenario '{sid or f'#{i}'}'"
        problems += _check_keys(e, {"id", "label", "description", "steps", "transport", "mix", "product",
                                    "kind", "operation_start"},
                                file=file, where=where)
        if not sid:
            problems.append(Problem("scenario without an id", file=file, table=where, column="id"))
            continue
        if not _ID.fullmatch(sid):  # ids reach file names, HTML ids and PACT documents: one safe alphabet
            problems.append(Problem(f"scenario id {sid!r} has the wrong form", file=file, table=f"scenario #{i}",
                                    column="id", hint="use letters, digits and _ . : - (starting with a letter or "
                                                      "digit), like site and process ids"))
            continue
        if "mix" in e:
            if "steps" in e:
                problems.append(Problem("a scenario is either a mix or has steps, not both", file=file, table=where))
            shares = e["mix"]
            total = sum(float(v) for v in shares.values())
            for comp, share in shares.items():
                if comp not in ids:
                    problems.append(Problem(f"mix component '{comp}' is not a scenario", file=file, table=where,
                                            column="mix"))
                if not 0 <= share <= 1:
                    problems.append(Problem(f"share of '{comp}' must be between 0 and 1, got {share:g}", file=file,
                                            table=where, column="mix"))
                    continue
                mixes.append({"scenario": sid, "component": comp, "share": float(share)})
            if abs(total - 1.0) > 1e-9:
                problems.append(Problem(f"mix shares add up to {total:g}, not 1", file=file, table=where,
                                        column="mix", hint="make the shares sum to 1 (e.g. 0.6 and 0.4)"))
            srows.append({"id": sid, "label": e.get("label", sid), "description": e.get("description"),
                          "kind": "mix", "product": None})
            continue
        st = e.get("steps", [])
        if not st:
            problems.append(Problem("scenario has no steps", file=file, table=where, column="steps",
                                    hint='add steps = [{ process = "...", site = "..." }]'))
        in_scen = set()
        product = e.get("product")
        if product is not None and product not in {s.get("process") for s in st}:
            problems.append(Problem(f"product '{product}' is not a step of this scenario", file=file, table=where,
                                    column="product", hint="name the process id of the delivered step"))
        for j, s in enumerate(st, 1):
            p, site = s.get("process"), s.get("site")
            if p not in process_ids:
                problems.append(Problem(f"unknown process '{p}'", file=file, table=f"{where} step #{j}",
                                        column="process", hint="use one of: " + ", ".join(sorted(process_ids))))
            if site not in site_ids:
                problems.append(Problem(f"unknown site '{site}'", file=file, table=f"{where} step #{j}",
                                        column="site", hint="use one of: " + ", ".join(sorted(site_ids))))
            if p in in_scen:
                problems.append(Problem(f"process '{p}' appears twice", file=file, table=f"{where} step #{j}"))
            in_scen.add(p)
            steps.append({"scenario": sid, "process": p, "site": site})
        for k, t in enumerate(e.get("transport", []), 1):
            twhere = f"{where} transport #{k}"
            problems += _check_keys(t, {"goods", "from", "to", "legs", "packaging_factor"}, file=file, where=twhere)
            src, dst = t.get("from"), t.get("to")
            dst = plant if dst == CELL_PLANT else dst
            if t.get("to") == CELL_PLANT and plant is None:
                problems.append(Problem("transport goes to 'cell_plant' but the study names no cell_plant",
                                        file=file, table=twhere, column="to",
                                        hint='set cell_plant = "<site id>" in [study]'))
                continue
            for col, v in (("from", src), ("to", dst)):
                if v not in site_ids:
                    problems.append(Problem(f"unknown site '{v}'", file=file, table=twhere, column=col))
            if t.get("goods") not in in_scen:
                problems.append(Problem(f"goods '{t.get('goods')}' is not a process of this scenario", file=file,
                                        table=twhere, column="goods"))
            pf = float(t.get("packaging_factor", ratio))
            base = {"scenario": sid, "element": k, "goods": t.get("goods"), "from_site": src, "to_site": dst,
                    "packaging_factor": pf}
            if t.get("legs") is None:  # the route's legs, already checked where the route is written
                route = routes.get((src, dst))
                if route is None:
                    problems.append(Problem(f"no route from '{src}' to '{dst}'", file=file, table=twhere,
                                            hint="add legs = [...] here or a [[route]] with these ends"))
                    continue
                legs += [{**base, "leg": m, "mode": r["mode"], "distance": r["distance"],
                          "distance_unit": r["distance_unit"], "factor": r["factor"], "primary": r["primary"],
                          **{c: r.get(c) for c in PROVENANCE_SCHEMA},
                          "origin": f"{twhere} leg #{m} ({r['origin']})"} for m, r in enumerate(route, 1)]
                continue
            for m, leg in enumerate(t["legs"], 1):
                lwhere = f"{twhere} leg #{m}"
                fields, more = leg_fields(leg, file=file, where=lwhere)
                problems += more
                if fields is not None:
                    legs.append({**base, "leg": m, **fields, "origin": lwhere,
                                 "unit_column": "unit" if "unit" in leg else "distance"})
        srows.append({"id": sid, "label": e.get("label", sid), "description": e.get("description"),
                      "kind": "system", "product": e.get("product")})
    sschema = {"id": pl.String, "label": pl.String, "description": pl.String, "kind": pl.String,
               "product": pl.String}
    scen = pl.DataFrame(srows, schema=sschema)
    steps_df = pl.DataFrame(steps, schema={"scenario": pl.String, "process": pl.String, "site": pl.String})
    tschema = {"scenario": pl.String, "element": pl.Int64, "goods": pl.String, "from_site": pl.String,
               "to_site": pl.String, "packaging_factor": pl.Float64, "leg": pl.Int64, "mode": pl.String,
               "distance": pl.Float64, "distance_unit": pl.String, "factor": pl.String, "primary": pl.Boolean,
               **PROVENANCE_SCHEMA, "origin": pl.String}
    inline = [g for g in legs if "unit_column" in g]
    legs_df = pl.DataFrame([{k: v for k, v in g.items() if k in tschema} for g in legs], schema=tschema, strict=False)
    problems += leg_problems(pl.DataFrame(
        [{"mode": g["mode"], "distance": g["distance"], "distance_unit": g["distance_unit"], "file": file,
          "table": g["origin"], "row": None, "unit_column": g["unit_column"]} for g in inline],
        schema={"mode": pl.String, "distance": pl.Float64, "distance_unit": pl.String, "file": pl.String,
                "table": pl.String, "row": pl.Int64, "unit_column": pl.String}, strict=False))
    mix_df = pl.DataFrame(mixes, schema={"scenario": pl.String, "component": pl.String, "share": pl.Float64})
    for frame, model, table in ((steps_df, StepTable, "scenario steps"), (legs_df, TransportTable, "transport"),
                                (mix_df, MixTable, "mix")):
        try:
            validate_table(frame, model, file=file, table=table)
        except SchemaError as exc:
            problems += _at_origin(exc.problems, frame, problems)
    return scen, steps_df, legs_df, mix_df, problems


def _at_origin(found: list[Problem], frame: pl.DataFrame, known: list[Problem]) -> list[Problem]:
    """Problems of an internal frame, located at the user's entry (its ``origin``), each cell once."""
    if "origin" not in frame.columns:
        return found
    origins = frame.get_column("origin").to_list()
    seen = {(p.table, p.column) for p in known}
    out = []
    for p in found:
        if p.row is not None and 0 < p.row <= len(origins):
            p = Problem(**{**p.as_dict(), "table": origins[p.row - 1], "row": None})
        if (p.table, p.column) not in seen:
            seen.add((p.table, p.column))
            out.append(p)
    return out
