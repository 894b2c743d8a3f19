"""``lca validate`` for the ledger's inputs: shipments (lots) and primary plant data.

Each file is recognised by its columns (:mod:`lca.ledger.schemas`) and checked with the ledger's
own readers, as ``lca ledger`` reads it: a shipments file with :func:`lca.ledger.io.scan_lots`,
:func:`~lca.ledger.io.normalize` (required columns, column types) and
:func:`~lca.ledger.io.check_sample` (the pandera model), then its duplicate lot ids
(:func:`lca.ledger.duplicates.duplicate_lot_ids`: every lot of such an id would be refused); a
plant-data file with :func:`lca.ledger.io.read_plant_data`. What a lot or a plant row means
depends on the study it is priced with (a known scenario and destination, a unit of the declared
unit's dimension, a plant that is a site, a carrier modelled there): ``lca ledger --study`` checks
that when it prices the lots (docs/ci.md says so).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import polars as pl

from lca.errors import LcaInputError, Problem

SHIPMENTS, PLANT_DATA = "shipments", "plant data"
#: what is checked without a study (a lot's scenario, destination, unit and date, a plant row's
#: plant, carrier and units are checked against the study by `lca ledger --study`)
CHECKS = {SHIPMENTS: ["columns", "types", "duplicate lot ids"], PLANT_DATA: ["columns", "types", "values", "keys"]}


def ledger_kind(columns: Sequence[str], name: str | None = None) -> str | None:
    """``shipments`` or ``plant data`` from a header (the ledger's own column names), else from the
    file name (``shipments.csv``, ``lots_2025.parquet``, ``plant_data.csv``), else None."""
    import re

    from lca.ledger.schemas import OPTIONAL_COLUMNS, SHIPMENT_COLUMNS, PlantDataTable

    cols = set(columns) | ({"scenario"} if "route" in columns else set())
    if "lot_id" in cols and len(cols & (set(SHIPMENT_COLUMNS) - set(OPTIONAL_COLUMNS))) >= 3:
        return SHIPMENTS
    key = {"plant", "period", "carrier"}  # PlantDataTable's key: one row per plant, month and carrier
    if key <= cols and key <= set(PlantDataTable.to_schema().columns):
        return PLANT_DATA
    words = re.split(r"[^a-z0-9]+", Path(name).stem.lower()) if name else []
    if {"shipments", "shipment", "lots"} & set(words):
        return SHIPMENTS
    return PLANT_DATA if {"plant", "data"} <= set(words) else None


def check_ledger_file(path: Path, kind: str) -> list[Problem]:
    """Every problem the ledger's readers find in ``path`` (a file of ``kind``)."""
    from lca.ledger import io

    file = str(path)
    try:
        if kind == PLANT_DATA:
            io.read_plant_data(path)
            return []
        lots = io.normalize(io.scan_lots(path), file=file)
        io.check_sample(lots, file=file)
        from lca.ledger.duplicates import duplicate_lot_ids

        dups = duplicate_lot_ids(lots)
    except LcaInputError as exc:
        return [p if p.file else Problem(**{**p.as_dict(), "file": file}) for p in exc.problems]
    except (pl.exceptions.PolarsError, OSError) as exc:  # met while scanning (the readers name the rest)
        return [Problem(f"cannot read the shipments: {exc}".splitlines()[0], file=file,
                        hint="write the file again as UTF-8 CSV with a header row, or as Parquet")]
    if not dups:
        return []
    rows = (lots.select(pl.col("lot_id").cast(pl.String)).with_row_index("row", offset=1)
            .filter(pl.col("lot_id").is_in(dups)).group_by("lot_id").agg(pl.col("row").sort()).sort("lot_id")
            .collect())
    return [Problem(f"lot id {d!r} occurs more than once (rows {', '.join(map(str, r[:10]))}"
                    f"{', …' if len(r) > 10 else ''}): every lot with it would be refused", file=file,
                    table=SHIPMENTS, row=r[0], column="lot_id", hint="give each lot its own id")
            for d, r in rows.iter_rows()]
