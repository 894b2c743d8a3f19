"""Declarations under a rule pack (:mod:`lca.rules`): the EU Battery Regulation Art. 7 carbon-footprint
declaration as a JSON document and as the Catena-X battery passport's ``sustainability.carbonFootprint``.

* :mod:`~lca.disclosure.declaration.figures` — :func:`declare`: the figures per scenario, electricity
  variant and declared stage (one pandera-checked frame every output reads);
* :mod:`~lca.disclosure.declaration.build` — :func:`export_declaration` (``lca export --format eu-declaration``);
* :mod:`~lca.disclosure.declaration.battery_pass` — :func:`export_battery_pass` (``--format battery-pass``).
"""

from __future__ import annotations

from lca.disclosure.declaration.battery_pass import export_battery_pass
from lca.disclosure.declaration.build import check_document, export_declaration
from lca.disclosure.declaration.figures import Declaration, DeclarationTable, declare

__all__ = ["Declaration", "DeclarationTable", "declare", "export_declaration", "export_battery_pass",
           "check_document"]
