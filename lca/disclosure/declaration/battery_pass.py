"""``sustainability.carbonFootprint`` of the Catena-X battery passport 6.1.0 (``--format battery-pass``).

One ``FootprintEntity`` per modelled declared stage plus the total, under the declaration's headline
electricity variant (:attr:`Declaration.headline`): ``lifecycle`` (the pack's stage text), ``type``
``Climate Change Total``, ``value`` in kg CO2e per kWh of lifetime energy, ``unit``,
``manufacturingPlant`` (the plant's BPNA from ``[battery] facilities``), ``rulebook`` and
``declaration`` documents. Their headers carry the pack's notice ("draft rules, not in force" with the
draft's reference) while the pack is a draft.

What the model cannot carry is left out, never faked: ``performanceClass`` is absent while classes
are unpublished (the model makes it optional), and a stage that is not yet modelled (end of life)
has no entity — the model's ``value`` must be a number ≥ 0, and a zero would be a silent wrong
number; the total's ``lifecycle`` text names what it leaves out.

The result is ``{"specVersion", "sustainability": {"carbonFootprint": [...]}}`` — the part of a
BatteryPass this tool can state (the other aspects are the passport owner's); tests validate
``carbonFootprint`` against the model's ``FootprintList`` schema (tests/test_declaration.py).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lca.disclosure.declaration.figures import NOT_MODELLED, TOTAL, Declaration, declare
from lca.errors import ExportCheckError, Problem
from lca.results import Footprint

SPEC_VERSION = "urn:samm:io.catenax.battery.battery_pass:6.1.0"
TYPE = "Climate Change Total"
UNIT = "kg CO2e / kWh"
#: the model's ``HeaderTrait``
HEADER_MAX = 100


def export_battery_pass(fp: Footprint, scenario: str | None = None) -> dict[str, Any] | list[dict[str, Any]]:
    """The carbon-footprint part of the battery passport: one object for ``scenario``, else a list in
    scenario order. :class:`ExportCheckError` (located at ``[battery]``) when a plant has no BPNA or a
    stage is negative (the model's values are ≥ 0)."""
    d = declare(fp)
    if scenario is not None:
        fp._check_scenario(scenario)
        return _one(d, scenario)
    return [_one(d, sid) for sid in fp.scenarios]


def _doc(content: str, header: str) -> dict[str, str]:
    kind = "URL" if content.startswith(("https://", "http://")) else "text/plain"
    return {"contentType": kind, "header": header[:HEADER_MAX], "content": content}


def _one(d: Declaration, sid: str) -> dict[str, Any]:
    pack, b = d.pack, d.battery
    plants = d.plants.filter(pl.col("scenario") == sid)
    missing = plants.filter(pl.col("facility").is_null()).get_column("site").to_list()
    if missing:
        raise ExportCheckError(Problem(
            f"the battery passport names the manufacturing plant by its BPNA; scenario '{sid}' is made at "
            f"{', '.join(missing)}, which has none", file=d.fp.study.source, table="battery", column="facilities",
            hint=f'add facilities = {{ {missing[0]} = "BPNA…" }} (BPNA + 12 letters or digits)'))
    rows = d.rows.filter((pl.col("scenario") == sid) & (pl.col("variant") == d.headline.id))
    negative = rows.filter(pl.col("value") < 0)
    if negative.height:
        raise ExportCheckError(Problem(
            f"scenario '{sid}': stage {negative.get_column('stage')[0]!r} is negative "
            f"({negative.get_column('value')[0]:.4g}); the passport's values are ≥ 0", file=d.fp.study.source,
            table="battery", hint="report it in the JSON declaration (--format eu-declaration) instead"))
    lifecycle = {s.id: s.lifecycle for s in pack.stages}
    left_out = [lifecycle[r["stage_id"]] for r in rows.iter_rows(named=True) if r["status"] == NOT_MODELLED]
    modelled = [lifecycle[r["stage_id"]] for r in rows.iter_rows(named=True)
                if r["status"] != NOT_MODELLED and r["stage_id"] != TOTAL]
    notice = pack.short_notice if pack.is_draft else pack.short_reference
    rulebook = [_doc(pack.url or pack.reference, notice)]
    where = b.study_url or f"lca study {d.fp.study.id}, scenario {sid}, manifest " \
                           f"{d.footprints[d.headline.id].manifest()['manifest_hash']}"
    declaration = [_doc(where, f"{pack.statement + ': ' if pack.is_draft else ''}declaration, {b.model}")]
    facilities = [{"facility": f} for f in plants.get_column("facility").to_list()]
    out = []
    for r in rows.iter_rows(named=True):
        if r["status"] == NOT_MODELLED:
            continue  # no value ≥ 0 says "not modelled": left out, named in the total's lifecycle
        if r["stage_id"] == TOTAL:
            text = "total: " + ", ".join(modelled)
            if left_out:
                text += "; not included (not yet modelled): " + ", ".join(left_out)
        else:
            text = lifecycle[r["stage_id"]]
        out.append({"lifecycle": text, "type": TYPE, "value": float(r["value"]), "unit": UNIT,
                    "manufacturingPlant": facilities, "rulebook": rulebook, "declaration": declaration})
    return {"specVersion": SPEC_VERSION, "sustainability": {"carbonFootprint": out}}
