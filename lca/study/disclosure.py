"""The ``[disclosure]`` table: what a report states about itself beyond the numbers.

A reader or assurer looks for whom to ask, which product-category rules (PCR) were followed, the
carbon the packaging carries and what the report leaves out. All keys are optional:

.. code-block:: toml

    [disclosure]
    contact = "PCF team, Example Inc., pcf@example.com"
    product_category_rules = []                 # none (the report says so); or ["PEFCR …, v1.1"]
    packaging_fossil_carbon_content = "0.26 g"  # per declared unit, delivered with the product
    packaging_biogenic_carbon_content = "1.1 g"
    not_covered = ["Recycled content is not reported."]   # added to the report's own list

Company and product identity, version, validity and the product's own carbon content are the
``[study]`` and ``[pact]`` keys (:mod:`lca.study.pact`), so the report and the PACT export state
the same values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from lca.errors import Problem, StudyError
from lca.study.parse import Product, Quantity, parse_quantity

CARBON_KEYS = ("packaging_fossil_carbon_content", "packaging_biogenic_carbon_content")
KEYS = ("contact", "product_category_rules", *CARBON_KEYS, "not_covered")


@dataclass(frozen=True)
class Disclosure:
    """The study's ``[disclosure]`` table (every field optional)."""

    contact: str = ""
    #: the PCRs the study follows; empty: none (the report says "none")
    product_category_rules: tuple[str, ...] = ()
    #: carbon in the packaging delivered with one declared unit (None: not stated)
    packaging_fossil_carbon_content: Quantity | None = None
    packaging_biogenic_carbon_content: Quantity | None = None
    #: the study's own additions to the report's "what this report does not cover"
    not_covered: tuple[str, ...] = ()


def parse_disclosure(spec: Any, file: str, product: Product | None = None) -> Disclosure:
    """``[disclosure]`` checked, or a :class:`StudyError` naming every bad key.

    A packaging carbon content is a mass ≥ 0 per declared unit; when the product states its
    packaging mass (``shipped_mass_ratio`` > 1) the two contents together may not exceed it.
    """
    if spec is None:
        return Disclosure()
    problems: list[Problem] = []

    def bad(key: str, message: str, hint: str | None = None) -> None:
        problems.append(Problem(message, file=file, table="disclosure", column=key, hint=hint))

    if not isinstance(spec, Mapping):
        raise StudyError(Problem(f"[disclosure] must be a table, got {type(spec).__name__}", file=file,
                                 table="disclosure"))
    out: dict[str, Any] = {}
    for key, value in spec.items():
        if key not in KEYS:
            bad(key, f"unknown key '{key}'", "allowed keys: " + ", ".join(sorted(KEYS)))
        elif key == "contact":
            if isinstance(value, str) and value.strip():
                out[key] = value.strip()
            else:
                bad(key, f"must be a non-empty string, got {value!r:.60}", 'write contact = "name, e-mail or address"')
        elif key in ("product_category_rules", "not_covered"):
            if isinstance(value, (list, tuple)) and all(isinstance(v, str) and v.strip() for v in value):
                out[key] = tuple(v.strip() for v in value)
            else:
                bad(key, f"must be a list of non-empty strings, got {value!r:.60}",
                    f'write {key} = ["…"] (an empty list: none)')
        else:
            try:
                q = parse_quantity(value, file=file, where="disclosure", key=key, expect="mass")
            except StudyError as exc:
                problems += exc.problems
                continue
            if not q.value >= 0:
                bad(key, f"{key} must be a mass >= 0 per declared unit, got {q}")
            else:
                out[key] = q
    carbon = [out[k] for k in CARBON_KEYS if k in out]
    if carbon and not problems and product is not None and product.shipped_mass_ratio > 1:
        packaging = product.mass_per_declared_unit.value * (product.shipped_mass_ratio - 1)
        unit = product.mass_per_declared_unit.unit
        if sum(q.to("kg") for q in carbon) > Quantity(packaging, unit).to("kg") * (1 + 1e-9):
            bad(next(k for k in CARBON_KEYS if k in out),
                "the packaging's carbon content is more than the packaging's mass per declared unit "
                f"({packaging:.6g} {unit}: mass_per_declared_unit × (shipped_mass_ratio − 1))",
                "a carbon content is the mass of carbon in the packaging of one declared unit: check the value and unit")
    if problems:
        raise StudyError(problems)
    return Disclosure(**out)
