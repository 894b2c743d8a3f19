"""Duplicate lot ids: find them exactly, cheaply, before the lots are priced.

A lot id that occurs more than once would be counted twice, so *every* occurrence becomes a bad
row ("duplicate lot id"): an auditor then sees all the rows that claim the id, rather than a
first one kept by an arbitrary file order. The plan carries the (few) duplicated ids and the
pricing pass tests ``lot_id.is_in(ids)`` only when there are any.

Finding them: hash every id to 64 bits (one narrow column, 8 bytes a lot), sort the hashes in
numpy and compare neighbours — equal hashes are candidates. Then one filtered pass collects the
ids whose hash is a candidate and groups them exactly, so a hash collision never rejects a lot.
Measured on 10 M ids in memory (2 cores): polars ``is_duplicated()`` on the strings 2.7 s, on
the hashes 1.6 s, this 0.2 s. On 50 M lots streamed from Parquet the hashes need 400 MB, held
once (the sort is in place); see docs/ledger.md for the measured peak.

>>> import polars as pl
>>> duplicate_lot_ids(pl.LazyFrame({"lot_id": ["A", "B", "A", None, None, "C", "B", "A"]}))
['A', 'B']
"""

from __future__ import annotations

import numpy as np
import polars as pl

_SEED = 0x1CA  # fixed: the same ids hash the same way in every run


def duplicate_lot_ids(lots: pl.LazyFrame, *, engine: str = "auto") -> list[str]:
    """Lot ids (text, sorted) that occur more than once; nulls are not ids and never count.

    ``lots`` needs only a ``lot_id`` column; it is read twice at most (the second pass only when
    two hashes are equal, and it keeps only the rows whose hash is a candidate).
    """
    lid = pl.col("lot_id").cast(pl.String)
    hashes = (lots.select(lid.hash(_SEED).alias("h"), lid.is_null().alias("null"))
              .filter(~pl.col("null")).select("h").collect(engine=engine).to_series())
    a = hashes.to_numpy(writable=True)  # a copy we may sort in place
    del hashes
    a.sort()
    same = a[1:] == a[:-1]
    if not same.any():
        return []
    candidates = pl.Series("h", np.unique(a[1:][same]), dtype=pl.UInt64)
    del a, same
    dup = (lots.select(lid.alias("lot_id"))
           .filter(lid.hash(_SEED).is_in(candidates.implode()) & lid.is_not_null())
           .group_by("lot_id").len().filter(pl.col("len") > 1).collect(engine=engine))
    return sorted(dup.get_column("lot_id").to_list())
