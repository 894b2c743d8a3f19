"""The study's ``[catenax]`` table: the Catena-X identifiers a component-supplier PCF needs.

.. code-block:: toml

    [catenax]
    legal_identifier = "BPNL000000000001"        # the supplier's BPNL (legal entity)
    sites = { moriyama = "BPNS000000000001" }    # plant site id → BPNS (the site making the product)
    manufacturer_part_id = "SEP-12-CCS"          # the supplier's part number
    customer_part_id = "CELL-SEP-01"             # the customer's part number
    quality_parameters = ["thickness 12 µm"]     # optional: product quality parameters (text)
    metal_contents = []                          # optional: contentC02Metals entries (text); empty: none stated
    study_url = "https://example.com/study"      # optional: webLinkToCarbonFootPrintStudy

Only ``lca export --format catenax-battery-component`` reads it (the PCF data model 9.0.0 export needs
none of it); a study without it gets a located error there, naming the key to add.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from lca.errors import Problem, StudyError
from lca.study.parse import _check_keys

BPNL = r"^BPNL[a-zA-Z0-9]{12}$"
BPNS = r"^BPNS[a-zA-Z0-9]{12}$"
KEYS = {"legal_identifier", "sites", "manufacturer_part_id", "customer_part_id", "quality_parameters",
        "metal_contents", "study_url"}


@dataclass(frozen=True)
class CatenaX:
    """Catena-X identifiers of the study's product (all optional at load; the export says what is missing)."""

    legal_identifier: str | None = None
    sites: Mapping[str, str] = field(default_factory=dict)
    manufacturer_part_id: str | None = None
    customer_part_id: str | None = None
    quality_parameters: tuple[str, ...] = ()
    metal_contents: tuple[str, ...] = ()
    study_url: str | None = None


def parse_catenax(doc: Any, *, site_ids: set[str], file: str) -> CatenaX | None:
    """``[catenax]`` checked: BPN patterns, known site ids, text where text is asked."""
    if doc is None:
        return None
    where = "catenax"
    if not isinstance(doc, Mapping):
        raise StudyError(Problem("[catenax] must be a table", file=file, table=where))
    problems = _check_keys(doc, KEYS, file=file, where=where)
    for k in ("legal_identifier", "manufacturer_part_id", "customer_part_id", "study_url"):
        if k in doc and (not isinstance(doc[k], str) or not doc[k].strip()):
            problems.append(Problem(f"{k} must be non-empty text", file=file, table=where, column=k))
    lid = doc.get("legal_identifier")
    if isinstance(lid, str) and not re.match(BPNL, lid):
        problems.append(Problem(f"legal_identifier {lid!r:.40} is not a BPNL", file=file, table=where,
                                column="legal_identifier", hint="BPNL followed by 12 letters or digits"))
    sites = doc.get("sites", {})
    if not isinstance(sites, Mapping):
        problems.append(Problem("sites must be a table of site id → BPNS", file=file, table=where, column="sites",
                                hint='write sites = { plant = "BPNS000000000001" }'))
        sites = {}
    for sid, bpns in sites.items():
        if sid not in site_ids:
            problems.append(Problem(f"site '{sid:.60}' is not a [[site]] of the study", file=file, table=where,
                                    column="sites", hint="use one of: " + ", ".join(sorted(site_ids))))
        if not isinstance(bpns, str) or not re.match(BPNS, bpns):
            problems.append(Problem(f"sites.{sid:.60} = {bpns!r:.40} is not a BPNS", file=file, table=where,
                                    column="sites", hint="BPNS followed by 12 letters or digits"))
    lists = {}
    for k in ("quality_parameters", "metal_contents"):
        v = doc.get(k, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            problems.append(Problem(f"{k} must be a list of text", file=file, table=where, column=k,
                                    hint=f'write {k} = ["…"]'))
            v = []
        lists[k] = tuple(v)
    if problems:
        raise StudyError(problems)
    return CatenaX(legal_identifier=lid, sites=dict(sites), manufacturer_part_id=doc.get("manufacturer_part_id"),
                   customer_part_id=doc.get("customer_part_id"), quality_parameters=lists["quality_parameters"],
                   metal_contents=lists["metal_contents"], study_url=doc.get("study_url"))
