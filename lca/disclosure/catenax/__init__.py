"""Catena-X exports, built from the same figures as the PACT v3 export.

* :mod:`lca.disclosure.catenax.pcf` — :func:`export_catenax_pcf`: the Catena-X PCF data model 9.0.0
  (``urn:samm:io.catenax.pcf:9.0.0``), ``lca export --format catenax-pcf``;
* :mod:`lca.disclosure.catenax.component` — :func:`export_battery_component`: the interim model for
  battery-component suppliers 1.0.0 (``io.catenax.pcf_for_battery_component_supplier``), per kg,
  ``lca export --format catenax-battery-component``;
* :mod:`lca.disclosure.catenax.regions` — country → UN M49 region (the 9.0.0 geography field).

The schemas are not shipped: tests validate every export against the Catena-X files in
``../shared/reference/catenax`` (``LCA_CATENAX_DIR``).
"""

from __future__ import annotations

from lca.disclosure.catenax.component import export_battery_component
from lca.disclosure.catenax.pcf import export_catenax_pcf

__all__ = ["export_catenax_pcf", "export_battery_component"]
