"""The study's ``[battery]`` section and ``[method] rules``: what a rule-pack declaration needs.

.. code-block:: toml

    [method]
    rules = "eu-2023-1542-art7-draft-2024-04"   # a shipped rule pack (lca.rules; factors/rules/)

    [battery]
    manufacturer = "Example Cells Inc."
    model = "NCMA pouch pack 75"
    vehicle_category = "M1"           # the pack's cycles per year (M1/N1 60, L 20, M2/M3/N2/N3 250)
    usable_capacity = "75 kWh"        # usable energy at beginning of life
    rated_capacity = "80 kWh"         # optional: the capacity the `per` view is per (default: usable)
    warranty_years = "8 yr"           # and/or warranty_km + annual_distance (the shorter counts)
    warranty_km = "160000 km"
    annual_distance = "15000 km/yr"
    per = "kWh"                       # the view giving results per kWh of capacity (default: declared unit)
    facilities = { liberty = "BPNA000000000001" }   # plant site → Catena-X BPNA (battery passport)
    electricity_variant = "draft-2024"               # optional: the headline variant (default: the pack's)
    study_url = "https://example.com/cf-study"       # optional: public version of the study
    conformity_id = "EU-DoC-…"                       # optional: EU declaration of conformity

The stages' mapping is the study's ``[[stage]] eu_battery_stage`` (:mod:`lca.study.profile`).
Every problem is located at the study file, ``battery`` or ``method`` and the key.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from lca.errors import Problem, StudyError
from lca.rules import Battery, RulesError, load_pack
from lca.study.parse import Product, _check_keys, parse_quantity
from lca.study.profile import View

BPNA = r"^BPNA[a-zA-Z0-9]{12}$"
KEYS = {"manufacturer", "model", "vehicle_category", "usable_capacity", "rated_capacity", "warranty_years",
        "warranty_km", "annual_distance", "per", "facilities", "electricity_variant", "study_url", "conformity_id"}
_TEXT = ("manufacturer", "model", "vehicle_category", "per", "electricity_variant", "study_url", "conformity_id")


def parse_battery(doc: Any, rules: str | None, *, product: Product | None, views: tuple[View, ...],
                  site_ids: set[str], file: str) -> Battery | None:
    """The ``[battery]`` section checked against the rule pack ``rules`` (both or neither)."""
    if rules is None and doc is None:
        return None
    if rules is None:
        raise StudyError(Problem("[battery] is read under a rule pack, and the study names none", file=file,
                                 table="method", column="rules",
                                 hint='add rules = "eu-2023-1542-art7-draft-2024-04" to [method]'))
    try:
        pack = load_pack(rules)
    except RulesError as exc:
        raise StudyError([Problem(p.message, file=file, table="method", column="rules", hint=p.hint)
                          for p in exc.problems]) from None
    if doc is None:
        raise StudyError(Problem(f"rules '{rules}' need a [battery] section", file=file, table="battery",
                                 hint="add [battery] with manufacturer, model, vehicle_category, usable_capacity "
                                      "and warranty_years (docs/rule-packs.md)"))
    if not isinstance(doc, Mapping):
        raise StudyError(Problem("[battery] must be a table", file=file, table="battery"))
    problems = _check_keys(doc, KEYS, file=file, where="battery")
    for k in _TEXT:
        if k in doc and not (isinstance(doc[k], str) and doc[k].strip()):
            problems.append(Problem(f"{k} must be text, got {doc[k]!r:.60}", file=file, table="battery", column=k))
    for k in ("manufacturer", "model", "vehicle_category", "usable_capacity"):
        if k not in doc:
            problems.append(Problem(f"[battery] needs {k}", file=file, table="battery", column=k))
    if problems:
        raise StudyError(problems)
    cat = doc["vehicle_category"]
    if cat not in pack.cycles_per_year:
        problems.append(Problem(f"vehicle category '{cat:.20}' has no cycles per year in rule pack '{pack.id}'",
                                file=file, table="battery", column="vehicle_category",
                                hint="use one of: " + ", ".join(pack.cycles_per_year)))
    q: dict[str, Any] = {}
    from lca.units import registry

    from lca.units import dimension_name, unit_info

    for key, like in (("usable_capacity", "kWh"), ("rated_capacity", "kWh"), ("warranty_years", "year"),
                      ("warranty_km", "km"), ("annual_distance", "km/year")):
        if key not in doc:
            continue
        try:
            amount = parse_quantity(doc[key], file=file, where="battery", key=key, divisor=True, like=like)
        except StudyError as exc:
            problems += exc.problems
            continue
        want = unit_info(like).dimension
        if unit_info(amount.unit).dimension != want:
            problems.append(Problem(f"unit '{amount.unit}' has dimension "
                                    f"{dimension_name(unit_info(amount.unit).dimension or '?')} but "
                                    f"{dimension_name(want or '?')} is expected", file=file, table="battery",
                                    column=key, hint=f'write it like "{1:g} {like}"'))
            continue
        if amount.value <= 0:
            problems.append(Problem(f"{key} must be positive, got {amount}", file=file, table="battery", column=key))
            continue
        q[key] = registry().Quantity(amount.value, amount.unit.replace("/yr", "/year"))
    usable, rated = q.get("usable_capacity"), q.get("rated_capacity")
    if usable is not None and rated is not None and usable > rated:
        # usable energy is the part of the rated capacity the battery lets the vehicle draw: never more
        problems.append(Problem(f"usable_capacity {usable:~g} is greater than rated_capacity {rated:~g}",
                                file=file, table="battery", column="usable_capacity",
                                hint="the usable capacity at beginning of life is at most the rated capacity: "
                                     "check both (e.g. usable 64 kWh of a 71.4 kWh pack)"))
    if "warranty_years" not in doc and "warranty_km" not in doc:
        problems.append(Problem("the service life needs a warranty in years or in km", file=file, table="battery",
                                column="warranty_years", hint='add warranty_years = "8 yr"'))
    if "warranty_km" in doc and "annual_distance" not in doc:
        problems.append(Problem("a warranty in km needs the annual distance to convert it to years", file=file,
                                table="battery", column="annual_distance", hint='add annual_distance = "15000 km/yr"'))
    per = doc.get("per", "declared_unit")
    problems += _per_problems(per, product, views, file)
    facilities = doc.get("facilities", {})
    if not isinstance(facilities, Mapping) or not all(isinstance(v, str) for v in facilities.values()):
        problems.append(Problem("facilities must be a table of site id = \"BPNA…\"", file=file, table="battery",
                                column="facilities", hint='write facilities = { liberty = "BPNA000000000001" }'))
        facilities = {}
    for site, bpna in facilities.items():
        if site not in site_ids:
            problems.append(Problem(f"facility site '{site:.40}' is not a site", file=file, table="battery",
                                    column="facilities", hint="use one of: " + ", ".join(sorted(site_ids))))
        if not re.fullmatch(BPNA, bpna):
            problems.append(Problem(f"facility of '{site:.40}' is not a BPNA: {bpna!r:.40}", file=file,
                                    table="battery", column="facilities",
                                    hint="a Catena-X site address number: BPNA followed by 12 letters or digits"))
    variant = doc.get("electricity_variant")
    if variant is not None and variant not in {v.id for v in pack.variants}:
        problems.append(Problem(f"rule pack '{pack.id}' has no electricity variant '{variant:.40}'", file=file,
                                table="battery", column="electricity_variant",
                                hint="use one of: " + ", ".join(v.id for v in pack.variants)))
    if problems:
        raise StudyError(problems)
    return Battery(doc["manufacturer"], doc["model"], cat, q["usable_capacity"], q.get("rated_capacity"),
                   q.get("warranty_years"), q.get("warranty_km"), q.get("annual_distance"), per,
                   dict(sorted(facilities.items())), variant, doc.get("study_url"), doc.get("conformity_id"))


def _per_problems(per: str, product: Product | None, views: tuple[View, ...], file: str) -> list[Problem]:
    """``per`` must give results per one unit of energy: the declared unit or a view per kWh-like unit."""
    from lca.units import unit_info

    energy = unit_info("kWh").dimension
    if per == "declared_unit":
        if product is not None and unit_info(product.declared_unit.unit).dimension != energy:
            return [Problem(f"the declared unit ({product.declared_unit}) is not an energy: name the view that "
                            "gives results per kWh of capacity", file=file, table="battery", column="per",
                            hint='write per = "kWh" (a [[view]] with per = "kWh")')]
        return []
    view = next((v for v in views if v.id == per), None)
    if view is None:
        return [Problem(f"per names no view: '{per:.40}'", file=file, table="battery", column="per",
                        hint="use one of: " + ", ".join(["declared_unit", *(v.id for v in views)]))]
    if unit_info(view.per).dimension != energy:
        return [Problem(f"view '{per}' is per {view.per}, not per an energy", file=file, table="battery",
                        column="per", hint="name a view per kWh of capacity")]
    return []
