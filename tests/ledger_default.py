"""``compute_ledger`` with the bundled default study's footprint when a test gives none.

The ledger API reads no study file (#12 item 6: its caller loads); most ledger tests are about the
lots, not the study, so they price them with the default study computed once.
"""

from __future__ import annotations

from functools import lru_cache

import lca
from lca.ledger import compute_ledger as _compute_ledger


@lru_cache(maxsize=1)
def default_footprint():
    return lca.compute(lca.load_study(lca.default_study_path()))


def compute_ledger(shipments, footprint=None, **kwargs):
    return _compute_ledger(shipments, default_footprint() if footprint is None else footprint, **kwargs)
