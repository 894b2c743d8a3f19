"""What formats call a footprint that is not current (#13 item 4).

PACT (v2.3, v3) has no field for it: the exporter writes the scenario's outlook sentence first in
``comment``, the planned first year as the reference period and the operation start as the start of
the validity period (:mod:`lca.disclosure.pact.build`). Catena-X has a field: ``retroOrProspectivePcfType``
of ``io.catenax.pcf`` 9.0.0 (Rulebook v4 §5.2.1); :func:`retro_or_prospective` gives its value, for
the Catena-X export (issue #16; ``lca`` has no Catena-X export yet).

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> retro_or_prospective(fp, "jp-import"), retro_or_prospective(fp, "charlotte-coated")
('Retrospective PCF', 'Prospective PCF for current product for future production date')
"""

from __future__ import annotations

import polars as pl

from lca.results import Footprint

#: outlook → Catena-X ``retroOrProspectivePcfType``. A prospective scenario here is an existing product
#: made in a plant that does not run yet ("for current product for future production date"); a
#: hypothetical scenario has no Catena-X type (it is not a plan: not to be exchanged as a PCF).
CATENAX_PCF_TYPE = {"current": "Retrospective PCF",
                    "prospective": "Prospective PCF for current product for future production date"}


def retro_or_prospective(fp: Footprint, scenario: str) -> str | None:
    """The Catena-X ``retroOrProspectivePcfType`` of ``scenario`` (None: hypothetical, no type)."""
    fp._check_scenario(scenario)
    kind = fp.outlook.filter(pl.col("scenario") == scenario).get_column("outlook")[0]
    return CATENAX_PCF_TYPE.get(kind)
