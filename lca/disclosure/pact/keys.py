"""Which study key a PACT field comes from, so a refused export names what the user wrote.

The methodology checks (:func:`lca.disclosure.pact.checks.check_pact`) speak of output fields
(``exemptedEmissionsPercent`` of ``footprint #1``); the user wrote ``exempted_emissions_percent``
in ``[pact]`` of a study file. :func:`at_study_keys` moves each problem to the study file and the
key the field was taken from (a ``[pact]`` override when the study sets one, else the ``[study]``,
``[product]`` or ``[method]`` key the exporter reads), keeping the field in the message.
Problems about computed figures (parts adding up, DQRs) have no key: they keep their footprint.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from lca.errors import Problem

#: PACT field → the study key the exporter reads it from when ``[pact]`` does not override it
FROM_STUDY: dict[str, tuple[str, str]] = {
    "companyName": ("study", "company_name"), "companyIds": ("study", "company_ids"),
    "productIds": ("study", "product_ids"), "productCategoryCpc": ("study", "product_category_cpc"),
    "productClassifications": ("study", "product_category_cpc"), "productNameCompany": ("product", "name"),
    "productDescription": ("product", "name"),
    "referencePeriodStart": ("study", "reference_period"), "referencePeriodEnd": ("study", "reference_period"),
    # by default the validity period follows the reference period (its end + 1 day, for 3 years)
    "validityPeriodStart": ("study", "reference_period"), "validityPeriodEnd": ("study", "reference_period"),
    "status": ("pact", "status"),  # Active unless [pact] status says otherwise
    "characterizationFactors": ("method", "gwp"), "ipccCharacterizationFactors": ("method", "gwp"),
    "ipccCharacterizationFactorsSources": ("method", "gwp"),
    "declaredUnit": ("product", "declared_unit"), "declaredUnitOfMeasurement": ("product", "declared_unit"),
    "declaredUnitAmount": ("product", "declared_unit"), "unitaryProductAmount": ("product", "declared_unit"),
    "productMassPerDeclaredUnit": ("product", "mass_per_declared_unit"),
}


def study_key(field: str | None, spec: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(section, key)`` of the study that gives PACT ``field`` (``pcf.`` prefix allowed), or None."""
    from lca.disclosure.pact.build import PACT_OVERRIDES

    if not field:
        return None
    name = field.removeprefix("pcf.")
    for key, out in PACT_OVERRIDES.items():
        if out.split(" ")[0] == name and key in spec:
            return "pact", key
    return FROM_STUDY.get(name)


def at_study_keys(problems: Iterable[Problem], spec: Mapping[str, Any], file: str,
                  context: str | None = None) -> list[Problem]:
    """``problems`` of a PACT document located at the study ``file`` and the key each field comes from.

    The field stays in the message (it is what ``lca check`` on the file would name); ``context``
    (e.g. ``PACT v3 export, every scenario``) is added to it, and becomes the table of problems
    no key gives.
    """
    out = []
    for p in problems:
        where = study_key(p.column, spec)
        if where is None:
            out.append(Problem(**{**p.as_dict(), "file": file, "table": context or p.table}))
            continue
        field = (p.column or "").removeprefix("pcf.")
        message = p.message if field in p.message else f"{p.message} (PACT field {field})"
        message += f" ({context})" if context else ""
        out.append(Problem(message, file=file, table=where[0], column=where[1], hint=p.hint or _hint(where)))
    return out


def _hint(where: tuple[str, str]) -> str:
    if where[0] == "pact":
        return f"change or remove {where[1]} in [pact]"
    if where[0] == "method":
        return f"check {where[1]} in [method]"
    return f"check {where[1]} in [{where[0]}], or override the field in [pact] (see docs/api.md, PACT export)"
