"""The NCMA fixture (tests/data/ncma) declared under the EU Art. 7 draft rule pack: a test helper.

Until the cell study lands, the declaration is developed on the NCMA cathode fixture read as "the
cathode's share of a 75 kWh M1 pack": per kWh of cell capacity through its ``kWh`` view (1.55 kg of
cathode material per kWh), 8-year warranty. A hand case: E_total = 75 kWh × 60 × 8 = 36 000 kWh, so
per kWh of lifetime energy = per kWh of capacity × 75 / 36 000 = per kWh of capacity ÷ 480.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import lca

NCMA_DIR = Path(__file__).parent / "data" / "ncma"
RULES = "eu-2023-1542-art7-draft-2024-04"
BATTERY = {"manufacturer": "Example Cells Inc.", "model": "NCMA pouch pack 75", "vehicle_category": "M1",
           "usable_capacity": "75 kWh", "warranty_years": "8 yr", "per": "kWh",
           "facilities": {"gwangyang": "BPNA0000000000KR", "loyalist": "BPNA0000000000ON",
                          "clarksville": "BPNA0000000000TN"},
           "study_url": "https://example.com/ncma-cf-study"}


def battery_doc(**battery) -> dict:
    """The NCMA study document with ``[method] rules`` and a ``[battery]`` section (keys overridable;
    a value of None drops the key)."""
    doc = tomllib.loads((NCMA_DIR / "study.toml").read_text(encoding="utf-8"))
    doc["method"]["rules"] = RULES
    b = copy.deepcopy(BATTERY)
    b.update(battery)
    doc["battery"] = {k: v for k, v in b.items() if v is not None}
    return doc


def battery_study(doc: dict | None = None, **battery) -> "lca.Study":
    return lca.study_from_dict(doc if doc is not None else battery_doc(**battery), base=NCMA_DIR,
                               file=str(NCMA_DIR / "study.toml"))


def write_battery_study(folder: Path, **battery) -> Path:
    """The declared NCMA study written as a TOML file in ``folder`` (with its factor file beside it)."""
    import shutil

    import tomli_w

    shutil.copy(NCMA_DIR / "factors.csv", folder / "factors.csv")
    path = folder / "study.toml"
    path.write_bytes(tomli_w.dumps(battery_doc(**battery)).encode())
    return path
