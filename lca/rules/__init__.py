"""Rule packs: regulations' calculation rules as versioned, switchable data.

Public API (stable; other packages and helpers build on it):

* :func:`load_pack` ``(pack_id) -> RulePack`` — a shipped pack (``factors/rules/<id>.toml``);
  :func:`pack_ids` lists them; :class:`RulesError` (an :class:`~lca.errors.LcaInputError`) otherwise.
* :class:`RulePack` — ``id, title, regulation, reference, status, statement, url, result_unit``,
  ``cycles_per_year`` (vehicle category → full equivalent cycles a year), ``stages``
  (:class:`DeclaredStage`: ``id, name, lifecycle, note, not_modelled``, in declaration order; ``name``
  is what a study's ``[[stage]] eu_battery_stage`` says), ``variants`` (:class:`Variant`: electricity
  rule readings as engine method switches, ``variant.method`` → ``Study.with_method(**…)``),
  ``declared_variant``, ``classes_published``/``classes_reason``; ``is_draft`` and ``notice``
  (``"draft rules, not in force: <reference>"``, carried by every output under a draft pack).
* :class:`Battery` — a battery's parameters (the study's ``[battery]``, parsed by
  :mod:`lca.study.battery`; pint quantities) and :func:`lifetime_energy` ``(pack, battery) ->
  LifetimeEnergy`` (``total`` = E_total in kWh, ``service_life``, ``cycles_per_year``,
  ``from_capacity`` = rated capacity ÷ E_total: per kWh of capacity → per kWh of lifetime energy).

The declaration built on them (both variants side by side) is :mod:`lca.disclosure.declaration`.
"""

from __future__ import annotations

from lca.rules.battery import Battery, LifetimeEnergy, lifetime_energy, service_life
from lca.rules.pack import DeclaredStage, RulePack, RulesError, Variant, load_pack, pack_dir, pack_ids

__all__ = ["load_pack", "pack_ids", "pack_dir", "RulePack", "DeclaredStage", "Variant", "RulesError", "Battery",
           "LifetimeEnergy", "lifetime_energy", "service_life"]
