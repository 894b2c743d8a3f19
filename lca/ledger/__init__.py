"""Ledger scale: per-lot footprints for millions of shipments (polars; optional Spark path).

>>> from lca.ledger import compute_ledger, LEDGER_SCHEMA
>>> list(LEDGER_SCHEMA)[:4]
['lot_id', 'date', 'period', 'product']
"""

from lca.ledger.api import LedgerResult, compute_ledger
from lca.ledger.engine import LEDGER_SCHEMA, REJECT_SCHEMA, LedgerPlan, batch_footprints

__all__ = ["compute_ledger", "LedgerResult", "LedgerPlan", "batch_footprints", "LEDGER_SCHEMA", "REJECT_SCHEMA"]
