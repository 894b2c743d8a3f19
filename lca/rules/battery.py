"""A battery's declaration parameters and the functional unit of a rule pack (pint quantities).

The parameters are the study's data (its ``[battery]`` section, parsed by :mod:`lca.study.battery`);
the rules that turn them into the functional unit are the pack's (:mod:`lca.rules.pack`):

    E_total = usable capacity at beginning of life × full equivalent cycles per year × service life

with the cycles per year by vehicle category and the service life the shorter of the warranty in
years and the warranty in km ÷ the study's annual distance. A footprint per kWh of *capacity* (the
study's view ``per``, on ``rated_capacity``) becomes one per kWh of *lifetime energy* through
:attr:`LifetimeEnergy.from_capacity` = rated capacity ÷ E_total.

>>> from lca.units import registry
>>> q = registry().Quantity
>>> b = Battery("Example Cells", "Pack 75", "M1", q(75, "kWh"), warranty_years=q(8, "year"))
>>> e = lifetime_energy(load_pack("eu-2023-1542-art7-draft-2024-04"), b)
>>> f"{e.total.to('kWh').magnitude:.0f}", e.cycles_per_year, f"{e.from_capacity.magnitude:.6f}"
('36000', 60, '0.002083')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

from lca.errors import Problem
from lca.rules.pack import RulePack, RulesError, load_pack  # noqa: F401  (load_pack: doctest)


@dataclass(frozen=True)
class Battery:
    """What a declaration needs to know about the battery (pint quantities; study data, never code)."""

    manufacturer: str
    model: str
    #: vehicle category (M1, N1, L, M2, M3, N2, N3): the pack's cycles per year
    vehicle_category: str
    #: usable energy at beginning of life (energy)
    usable_capacity: Any
    #: capacity the study's per-kWh view is per (energy); None: the usable capacity
    rated_capacity: Any = None
    #: warranty in years (time) and/or km (length); at least one
    warranty_years: Any = None
    warranty_distance: Any = None
    #: distance driven a year (length/time): converts a km warranty to years
    annual_distance: Any = None
    #: the study's view giving results per kWh of capacity (``declared_unit`` when the declared unit is energy)
    per: str = "declared_unit"
    #: site id → Catena-X BPNA of the manufacturing plant
    facilities: Mapping[str, str] = field(default_factory=dict)
    #: electricity variant of the headline figure (None: the pack's declared variant)
    electricity_variant: str | None = None
    #: web link to the public version of the study, EU declaration-of-conformity id (draft IA fields)
    study_url: str | None = None
    conformity_id: str | None = None

    def as_settings(self) -> dict[str, Any]:
        """Plain, hashable content (quantities as ``"value unit"``)."""
        out: dict[str, Any] = {}
        for k, v in self.__dict__.items():
            out[k] = dict(sorted(v.items())) if isinstance(v, Mapping) else (
                None if v is None else f"{v.magnitude!r} {v.units}" if hasattr(v, "magnitude") else v)
        return out


@dataclass(frozen=True)
class LifetimeEnergy:
    """The functional unit of one battery under one pack, with the inputs it is made of."""

    usable_capacity: Any
    rated_capacity: Any
    cycles_per_year: int
    vehicle_category: str
    service_life: Any
    #: how the service life was chosen (``warranty 8 years`` / ``warranty 160000 km ÷ 15000 km/yr``)
    service_life_basis: str
    #: E_total (kWh)
    total: Any

    @property
    def from_capacity(self) -> Any:
        """Multiplier from "per kWh of rated capacity" to "per kWh of lifetime energy" (dimensionless)."""
        return (self.rated_capacity / self.total).to("dimensionless")


def service_life(battery: Battery) -> tuple[Any, str]:
    """Years of service life and the words for how they were chosen: the warranty in years, the warranty
    in km ÷ the annual distance, or the shorter of the two."""
    options = []
    if battery.warranty_years is not None:
        y = battery.warranty_years.to("year")
        options.append((y, f"warranty {y.magnitude:g} years"))
    if battery.warranty_distance is not None:
        if battery.annual_distance is None:
            raise RulesError(Problem("a warranty in km needs the annual distance to convert it to years",
                                     table="battery", column="annual_distance",
                                     hint='add annual_distance = "15000 km/yr" (the study states it)'))
        y = (battery.warranty_distance / battery.annual_distance).to("year")
        options.append((y, f"warranty {battery.warranty_distance.to('km').magnitude:g} km ÷ "
                           f"{battery.annual_distance.to('km/year').magnitude:g} km/yr = {y.magnitude:g} years"))
    if not options:
        raise RulesError(Problem("the service life needs a warranty in years or in km", table="battery",
                                 column="warranty_years", hint='add warranty_years = "8 yr"'))
    life, words = min(options, key=lambda o: o[0].magnitude)
    if len(options) == 2:
        words = f"shorter of {options[0][1]} and {options[1][1]}"
    return life, words


def lifetime_energy(pack: RulePack, battery: Battery) -> LifetimeEnergy:
    """E_total of ``battery`` under ``pack`` (see the module docstring)."""
    cycles = pack.cycles_per_year.get(battery.vehicle_category)
    if cycles is None:
        raise RulesError(Problem(f"rule pack '{pack.id}' has no cycles per year for vehicle category "
                                 f"'{battery.vehicle_category}'", table="battery", column="vehicle_category",
                                 hint="use one of: " + ", ".join(pack.cycles_per_year)))
    life, basis = service_life(battery)
    usable = battery.usable_capacity.to("kWh")
    total = (usable * cycles * life.magnitude).to("kWh")  # cycles per year × years
    if not (math.isfinite(total.magnitude) and total.magnitude > 0):  # a divisor: never inf or 0
        raise RulesError(Problem(f"the lifetime energy {usable.magnitude:g} kWh × {cycles} cycles/yr × "
                                 f"{life.magnitude:g} years is {total.magnitude:g} kWh: not a number to divide by",
                                 table="battery", column="usable_capacity",
                                 hint="check usable_capacity and the warranty"))
    rated = (battery.rated_capacity if battery.rated_capacity is not None else battery.usable_capacity).to("kWh")
    return LifetimeEnergy(usable, rated, cycles, battery.vehicle_category, life, basis, total)
