"""WBCSD PACT ProductFootprints (Technical Specifications v2.3 and v3.0).

* :mod:`lca.disclosure.pact.build` — :func:`export_pact`: the document, from the computed footprint;
* :mod:`lca.disclosure.pact.figures` — the numbers a footprint carries (also used by the report);
* :mod:`lca.disclosure.pact.checks` — :func:`check_pact`: the methodology rules on any document;
* :mod:`lca.disclosure.pact.crosscheck` — every figure of a document against a recomputed study;
* :mod:`lca.disclosure.pact.keys` — the ``[pact]`` keys of a study that an export reads.
"""

from __future__ import annotations

from lca.disclosure.pact.build import export_pact
from lca.disclosure.pact.checks import RULES, check_pact, detect_version

__all__ = ["export_pact", "check_pact", "detect_version", "RULES"]
