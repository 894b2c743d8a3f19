"""The report's declaration section: the EU Battery Regulation Art. 7 declaration under the study's rule
pack, every electricity variant side by side (the same figures as ``lca export --format eu-declaration``,
read from :func:`lca.disclosure.declaration.declare`). None when the study declares under no pack.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lca.report import fmt


def declaration_context(fp: Any, labels: dict[str, str]) -> dict[str, Any] | None:
    """What the declaration section says, or None (no ``[method] rules``)."""
    if fp.study.method.rules is None or fp.study.battery is None:
        return None
    from lca.disclosure.declaration import declare

    d = declare(fp)
    pack, e, b = d.pack, d.energy, d.battery
    variants = d.variants
    unit = fmt.unit(pack.result_unit)
    tables = []
    for sid in fp.scenarios:
        rows = d.rows.filter(pl.col("scenario") == sid)
        plants = d.plants.filter(pl.col("scenario") == sid)
        body = []
        for st in [*pack.stages, None]:
            sid_stage = "total" if st is None else st.id
            cells, notes = [], []
            for v in variants:
                r = rows.filter((pl.col("variant") == v.id) & (pl.col("stage_id") == sid_stage)).row(0, named=True)
                cells.append(fmt.num(r["value"], 3) if r["value"] is not None else r["status"])
                if r["note"] and r["note"] not in notes:
                    notes.append(r["note"])
            body.append({"stage": "Total" if st is None else st.name, "cells": cells, "note": "; ".join(notes),
                         "total": st is None})
        tables.append({"label": labels[sid], "rows": body,
                       "plants": "; ".join(f"{p['name'] or p['site']} ({p['country'] or '–'})"
                                           + (f", {p['facility']}" if p["facility"] else "")
                                           for p in plants.iter_rows(named=True))})
    mapping = {}
    for stage, label, eu in fp.stages.select("stage", "label", "eu_battery_stage").iter_rows():
        mapping.setdefault(eu, []).append(label)
    life = e.service_life.to("year").magnitude
    return {
        "pack": pack.id, "title": pack.title, "notice": pack.notice, "draft": pack.is_draft, "url": pack.url,
        "manufacturer": b.manufacturer, "model": b.model, "conformity": b.conformity_id, "study_url": b.study_url,
        "fu": (f"{_plain(e.usable_capacity.to('kWh').magnitude)} kWh usable × {e.cycles_per_year} full "
               f"equivalent cycles a year (vehicle category {e.vehicle_category}) × {_plain(life)} years = "
               f"{_plain(e.total.to('kWh').magnitude)} kWh"),
        "fu_label": pack.fu_label, "life_basis": e.service_life_basis,
        "per": (f"results per kWh of capacity (view '{b.per}') × {_plain(e.rated_capacity.to('kWh').magnitude)}"
                f" kWh ÷ {_plain(e.total.to('kWh').magnitude)} kWh"),
        "class_reason": pack.classes_reason,
        "unit": unit, "headers": [v.label for v in variants], "headline": d.headline.label,
        "variants": [{"id": v.id, "label": v.label, "description": v.description, "gaps": list(v.gaps)}
                     for v in variants],
        "mapping": [{"stage": st.name, "study": ", ".join(mapping.get(st.name, [])) or "–",
                     "note": st.note} for st in pack.stages],
        "tables": tables,
        "manifest": d.footprints[d.headline.id].manifest()["manifest_hash"],
    }


def _plain(x: float) -> str:
    """An input as written (75, 8, 6.667), thousands set apart by a thin space (36 000)."""
    return f"{x:,.4f}".rstrip("0").rstrip(".").replace(",", "\u2009")
