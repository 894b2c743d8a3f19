"""Shipping around the plants: inbound legs of every material, and packaging of shipped outputs.

**Inbound transport.** Every material a process takes in travels from its supplier to the site
where the process runs. The legs come, most specific first, from the study's ``[[inbound]]``
entries (``site`` and ``flow`` each optional: ``(site, flow)``, ``(site, any)``, ``(any, flow)``,
``(any, any)``) and then from the shipped defaults ``factors/logistics/inbound.csv`` by the site's region
(subdivision → country; a row's ``flow`` is a material flow or ``*`` for any other). The
first level that has legs for a (site, flow) wins; ``legs = []`` declares that none are needed.
A site in a region the defaults do not cover gets no inbound legs unless the study declares them
(no invented global distance: declare ``[[inbound]] legs = [...]`` for such sites).
Which flows are materials is the factor library's business (category ``material``), so this
module resolves legs for every mass-unit flow and the engine keeps the materials'.

**Packaging of shipped outputs.** ``packaging = [{ flow, amount }]`` on a process: materials per
unit of its (good) output, charged in every scenario where that output is transported to another
site (an intermediate shipped between plants). Shipped mass still uses the transport element's
``packaging_factor``; this charges the production of the packaging itself.
"""

from __future__ import annotations

import csv
from typing import Any, Mapping

import polars as pl

from lca.errors import Problem, StudyError
from lca.study.parse import _check_keys, _split_amount, primary_problems
from lca.study.provenance import DQR_COLUMNS, PROVENANCE_SCHEMA, provenance_fields
from lca.study.routes import leg_fields

#: one row per inbound leg of a (site, flow): what the engine turns into tkm rows
INBOUND_SCHEMA = {"site": pl.String, "flow": pl.String, "leg": pl.Int64, "mode": pl.String, "distance": pl.Float64,
                  "distance_unit": pl.String, "factor": pl.String, "primary": pl.Boolean, "origin": pl.String,
                  **PROVENANCE_SCHEMA}
PACKAGING_SCHEMA = {"process": pl.String, "flow": pl.String, "amount": pl.Float64, "unit": pl.String,
                    "factor": pl.String, "primary": pl.Boolean, "origin": pl.String, **PROVENANCE_SCHEMA}
INBOUND_KEYS = {"site", "flow", "legs", "source", "dqr", "note"}
PACKAGING_KEYS = {"flow", "amount", "unit", "factor", "primary", "note", "source", "dqr"}
ANY = "*"
DEFAULTS_FILE = "logistics/inbound.csv"


def parse_packaging(processes: Any, file: str) -> tuple[pl.DataFrame, list[Problem]]:
    """Every process's ``packaging`` entries (amount per unit of its good output)."""
    rows, problems = [], []
    for i, p in enumerate(processes or [], 1):
        where = f"process '{p.get('id', f'#{i}')}'"
        for j, x in enumerate(p.get("packaging") or [], 1):
            pwhere = f"{where} packaging #{j}"
            problems += _check_keys(x, PACKAGING_KEYS, file=file, where=pwhere)
            problems += primary_problems(x, file, pwhere)
            if not isinstance(x.get("flow"), str) or not x.get("flow"):
                problems.append(Problem("packaging needs a flow", file=file, table=pwhere, column="flow",
                                        hint='e.g. { flow = "corrugated_board", amount = "0.8 g" }'))
                continue
            try:
                amount, unit = _split_amount(x, file=file, where=pwhere)
            except StudyError as exc:
                problems += exc.problems
                continue
            if amount < 0:  # a negative packaging would be an unstated credit
                problems.append(Problem(f"a packaging amount cannot be negative ({amount:g} {unit})", file=file,
                                        table=pwhere, column="amount", hint="give the mass of packaging per output"))
                continue
            prov, more = provenance_fields(x, file=file, where=pwhere)
            problems += more
            rows.append({"process": p.get("id"), "flow": x["flow"], "amount": amount, "unit": unit,
                         "factor": x.get("factor"), "primary": x.get("primary") is True, "origin": pwhere, **prov})
    return pl.DataFrame(rows, schema=PACKAGING_SCHEMA, orient="row"), problems


def _override_legs(entries: Any, site_ids: set[str], file: str) -> tuple[dict[tuple[str, str], list[dict]], list[Problem]]:
    out: dict[tuple[str, str], list[dict]] = {}
    problems: list[Problem] = []
    for i, e in enumerate(entries or [], 1):
        site, flow = e.get("site", ANY), e.get("flow", ANY)
        where = f"inbound #{i} ({site}, {flow})"
        problems += _check_keys(e, INBOUND_KEYS, file=file, where=where)
        if site != ANY and site not in site_ids:
            problems.append(Problem(f"site '{site}' is not a site", file=file, table=where, column="site",
                                    hint="use one of: " + ", ".join(sorted(site_ids))))
            continue
        if (site, flow) in out:
            problems.append(Problem(f"inbound legs of ({site}, {flow}) are declared twice", file=file, table=where))
            continue
        legs = e.get("legs")
        if not isinstance(legs, list):
            problems.append(Problem("legs must be a list of legs (legs = [] for none)", file=file, table=where,
                                    column="legs", hint='legs = [{ mode = "truck", distance = "300 km" }]'))
            continue
        prov, more = provenance_fields(e, file=file, where=where)  # one source and rating for its legs
        problems += more
        rows = []
        for m, leg in enumerate(legs, 1):
            fields, more = leg_fields(leg, file=file, where=f"{where} leg #{m}")
            problems += more
            if fields is not None:
                rows.append({**fields, "leg": m, "origin": f"{where} leg #{m}", **prov})
        out[(site, flow)] = rows
    return out, problems


def _defaults(path) -> dict[tuple[str, str], list[dict]]:
    """``factors/logistics/inbound.csv``: ``(region, flow) → legs`` in leg order."""
    out: dict[tuple[str, str], list[dict]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            out.setdefault((r["region"], r["flow"]), []).append(
                {"mode": r["mode"], "distance": float(r["distance"]), "distance_unit": r["unit"], "factor": None,
                 "primary": False, "leg": int(r["leg"]),
                 "origin": f"inbound default {r['region']} {r['flow']} leg #{r['leg']} ({DEFAULTS_FILE})",
                 "source": r["source"], **{c: int(r[c]) if r.get(c) else None for c in DQR_COLUMNS}})
    return out


def resolve_inbound(entries: Any, sites: pl.DataFrame, flows: list[str], file: str) -> tuple[pl.DataFrame, list[Problem]]:
    """The inbound legs of every (site, flow) pair: the study's ``[[inbound]]`` then the defaults."""
    from lca.resources import factors_dir

    site_ids = set(sites.get_column("id").to_list())
    overrides, problems = _override_legs(entries, site_ids, file)
    defaults = _defaults(factors_dir() / DEFAULTS_FILE)
    col = lambda c: sites.get_column(c) if c in sites.columns else pl.Series([None] * sites.height)  # noqa: E731
    rows = []
    for site, sub, country in zip(sites.get_column("id"), col("subdivision"), col("country")):
        regions = [r for r in (sub, country) if r]
        for flow in flows:
            chain = [overrides.get(k) for k in ((site, flow), (site, ANY), (ANY, flow), (ANY, ANY))]
            chain += [defaults.get((r, f)) for r in regions for f in (flow, ANY)]
            legs = next((c for c in chain if c is not None), [])
            rows += [{"site": site, "flow": flow, **leg} for leg in legs]
    frame = pl.DataFrame(rows, schema=INBOUND_SCHEMA, orient="row") if rows else pl.DataFrame(schema=INBOUND_SCHEMA)
    return frame.select(list(INBOUND_SCHEMA)), problems


def mass_flows(exchanges: pl.DataFrame, packaging: pl.DataFrame) -> list[str]:
    """Flows written with a mass unit (inbound candidates), in first-seen order."""
    from lca.units import unit_table

    both = pl.concat([exchanges.filter(pl.col("flow").is_not_null()).select("flow", "unit"),
                      packaging.select("flow", "unit")])
    dims = unit_table(both.get_column("unit")).select("unit", "dimension")
    kg = unit_table(["kg"]).get_column("dimension")[0]
    return (both.join(dims, on="unit", how="left", maintain_order="left").filter(pl.col("dimension") == kg)
            .get_column("flow").unique(maintain_order=True).to_list())


def parse_shipping(doc: Mapping[str, Any], sites: pl.DataFrame, exchanges: pl.DataFrame, file: str
                   ) -> tuple[pl.DataFrame, pl.DataFrame, list[Problem]]:
    """``(packaging, inbound)`` frames of a study document."""
    packaging, problems = parse_packaging(doc.get("process"), file)
    inbound, more = resolve_inbound(doc.get("inbound"), sites, mass_flows(exchanges, packaging), file)
    return packaging, inbound, problems + more


def inbound_problems(df: pl.DataFrame, *, file: str) -> list[Problem]:
    """Checks of a default-inbound-legs table (``region, flow, leg, mode, distance, unit`` …): each
    row's distance a finite length ≥ 0, mode a freight mode id, legs of a (region, flow) numbered 1…n."""
    import re

    from lca.units import unit_table

    problems: list[Problem] = []
    length = unit_table(["km"]).get_column("dimension")[0]
    dims = dict(unit_table(df.get_column("unit").cast(pl.String)).select("unit", "dimension").iter_rows())
    seen: dict[tuple[str, str], int] = {}
    for i, r in enumerate(df.iter_rows(named=True), 1):
        try:
            d = float(r["distance"])
        except (TypeError, ValueError):
            d = float("nan")
        if not (d >= 0 and d != float("inf")):
            problems.append(Problem(f"distance {r['distance']!r} is not a finite number ≥ 0", file=file,
                                    table="inbound", row=i, column="distance"))
        if dims.get(r["unit"]) != length:
            problems.append(Problem(f"unit {r['unit']!r} is not a length", file=file, table="inbound", row=i,
                                    column="unit", hint='write "km"'))
        if not re.fullmatch(r"[a-z0-9_]+", str(r["mode"] or "")):
            problems.append(Problem(f"mode {r['mode']!r} is not a freight mode id", file=file, table="inbound",
                                    row=i, column="mode", hint="e.g. truck, rail, container_ship"))
        key = (str(r["region"]), str(r["flow"]))
        want = seen.get(key, 0) + 1
        if str(r["leg"]) != str(want):
            problems.append(Problem(f"leg {r['leg']!r} of ({key[0]}, {key[1]}) should be {want}", file=file,
                                    table="inbound", row=i, column="leg", hint="number each one's legs 1, 2, … in order"))
        seen[key] = want
    return problems
