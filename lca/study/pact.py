"""The ``[pact]`` table and the study's dates: typed and range-checked at load, normalised for exports.

Every value a PACT export takes from the study is checked here, when the study is loaded (and so
by ``lca validate``), instead of failing as a traceback or a rejected document at export time.
Values are normalised to what the exporters write: validity dates become UTC date-time strings
(``2026-01-01T00:00:00Z``), percentages floats; carbon contents stay as written (a mass per
declared unit, converted by the exporter).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Mapping

from lca.choices import PACT_STATUSES, spoken
from lca.errors import Problem, StudyError
from lca.study.shape import is_finite_number

#: A Uniform Resource Name (RFC 8141): ``urn:<namespace id>:<namespace-specific string>``.
URN = re.compile(r"urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+", re.IGNORECASE)
TEXT_KEYS = ("company_name", "product_category_cpc", "product_description", "product_name_company", "comment",
             "exempted_emissions_description", "allocation_rules_description")
URN_KEYS = ("company_ids", "product_ids", "product_classifications")
PACT_KEYS = (*TEXT_KEYS, *URN_KEYS, "status", "version", "validity_period_start", "validity_period_end",
             "fossil_carbon_content", "biogenic_carbon_content", "exempted_emissions_percent",
             "outbound_logistics_responsible")
MAX_VERSION = 2**31 - 1


def as_date(value: Any, *, file: str, table: str, column: str) -> dt.date:
    """A calendar date: a TOML date or an ISO ``YYYY-MM-DD`` string; a date-time is refused."""
    if isinstance(value, dt.datetime):
        raise StudyError(Problem(f"{value.isoformat()} is a date-time where a date is expected", file=file,
                                 table=table, column=column, hint=f"write the date only: {value.date().isoformat()}"))
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise StudyError(Problem(f"{value!r:.60} is not a date", file=file, table=table, column=column,
                             hint="write a date such as 2025-12-31"))


def as_utc_datetime(value: Any, *, file: str, table: str, column: str) -> dt.datetime:
    """A date (midnight UTC) or a date-time with a UTC offset; a local date-time is ambiguous."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = (dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)
                     else dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            raise StudyError(Problem(f"{value!r:.60} is not a date or date-time", file=file, table=table,
                                     column=column, hint="write 2026-01-01 or 2026-01-01T00:00:00Z")) from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise StudyError(Problem(f"{value.isoformat()} is a local date-time (no time zone)", file=file,
                                     table=table, column=column,
                                     hint=f"write a date ({value.date().isoformat()}) or add a zone "
                                          f"({value.isoformat()}Z)"))
        return value.astimezone(dt.timezone.utc)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    raise StudyError(Problem(f"{value!r:.60} is not a date or date-time", file=file, table=table, column=column,
                             hint="write 2026-01-01 or 2026-01-01T00:00:00Z"))


def urn_problems(value: Any, *, file: str, table: str, column: str) -> list[Problem]:
    """A non-empty list of URNs (PACT company, product and classification ids)."""
    if not isinstance(value, (list, tuple)) or not value:
        return [Problem("must be a non-empty list of URNs", file=file, table=table, column=column,
                        hint='write ["urn:example:company:1234"]')]
    return [Problem(f"{v!r:.60} is not a URN", file=file, table=table, column=column,
                    hint="write urn:<namespace>:<id>, e.g. urn:example:product:1234")
            for v in value if not (isinstance(v, str) and URN.fullmatch(v))]


def _carbon_problems(carbon: Mapping[str, Any], product_mass: Any, *, file: str) -> list[Problem]:
    """Carbon contents (each, or both together) larger than the product's mass per declared unit."""
    if product_mass is None or not carbon:
        return []
    from lca.units import unit_info

    def kg(q) -> float:
        return q.value * (unit_info(q.unit).to_base or float("nan"))

    mass = kg(product_mass) * (1 + 1e-9)  # "4.8 g" + "3.9 g" is 8.7 g, whatever the float rounding
    hint = (f"a carbon content is the mass of carbon in one declared unit, at most the product's "
            f"mass_per_declared_unit ({product_mass}): check the value and its unit")

    def problem(key: str, message: str) -> Problem:
        return Problem(message, file=file, table="pact", column=key, hint=hint)

    out = [problem(key, f"{key} {q} is more than the product's mass per declared unit ({product_mass})")
           for key, q in carbon.items() if kg(q) > mass]
    if not out and len(carbon) == 2 and sum(map(kg, carbon.values())) > mass:
        f, b = carbon["fossil_carbon_content"], carbon["biogenic_carbon_content"]
        out.append(problem("fossil_carbon_content", f"fossil_carbon_content {f} + biogenic_carbon_content {b} is "
                           f"more than the product's mass per declared unit ({product_mass})"))
    return out


def _utc_text(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_pact(spec: Mapping[str, Any], *, file: str, reference_end: dt.date,
               product_mass: Any = None) -> dict[str, Any]:
    """The ``[pact]`` table checked and normalised, or a :class:`StudyError` with every problem.

    ``product_mass`` (the ``[product]`` mass per declared unit, a :class:`~lca.study.parse.Quantity`)
    bounds the carbon contents: a product cannot hold more carbon than its own mass.
    """
    from lca.study.parse import parse_quantity

    problems: list[Problem] = []
    out: dict[str, Any] = {}
    carbon: dict[str, Any] = {}  # key → Quantity, for the bound by the product's mass

    def bad(key: str, message: str, hint: str | None = None) -> None:
        problems.append(Problem(message, file=file, table="pact", column=key, hint=hint))

    for key, value in spec.items():
        if key not in PACT_KEYS:
            bad(key, f"unknown [pact] key '{key}'", "allowed keys: " + ", ".join(sorted(PACT_KEYS)))
        elif key in TEXT_KEYS:
            if isinstance(value, str) and value.strip():
                out[key] = value
            else:
                bad(key, f"must be a non-empty string, got {type(value).__name__} {value!r:.60}")
        elif key in URN_KEYS:
            more = urn_problems(value, file=file, table="pact", column=key)
            problems += more
            if not more:
                out[key] = list(value)
        elif key == "status":
            if value in PACT_STATUSES:
                out[key] = value
            else:
                bad(key, f"status {value!r:.60} is not a PACT status", "use " + spoken(PACT_STATUSES))
        elif key == "version":
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_VERSION:
                out[key] = value
            else:
                bad(key, f"version must be a whole number from 0 to {MAX_VERSION}, got {value!r:.60}")
        elif key == "exempted_emissions_percent":
            if is_finite_number(value) and 0 <= value <= 100:
                out[key] = float(value)
            else:
                bad(key, f"must be a number from 0 to 100 (a percentage), got {value!r:.60}")
        elif key == "outbound_logistics_responsible":
            if isinstance(value, bool):
                out[key] = value
            else:
                bad(key, f"must be true or false, got {value!r:.60}")
        elif key in ("fossil_carbon_content", "biogenic_carbon_content"):
            try:
                q = parse_quantity(value, file=file, where="pact", key=key, expect="mass")
            except StudyError as exc:
                problems += exc.problems
                continue
            if q.value < 0:
                bad(key, f"{key} must be a mass >= 0 per declared unit, got {q}")
            else:
                out[key] = value
                carbon[key] = q
        else:  # validity_period_start / _end
            try:
                out[key] = as_utc_datetime(value, file=file, table="pact", column=key)
            except StudyError as exc:
                problems += exc.problems
    problems += _carbon_problems(carbon, product_mass, file=file)
    if problems:
        raise StudyError(problems)
    # PACT: the validity period starts after the reference period (default: the day after it ends)
    start = out.get("validity_period_start",
                    dt.datetime.combine(reference_end + dt.timedelta(days=1), dt.time(), dt.timezone.utc))
    end = out.get("validity_period_end")
    if end is not None and end <= start:
        raise StudyError(Problem(f"validity_period_end {_utc_text(end)} is not after the validity period's start "
                                 f"{_utc_text(start)}", file=file, table="pact", column="validity_period_end"))
    for key in ("validity_period_start", "validity_period_end"):
        if key in out:
            out[key] = _utc_text(out[key])
    return out
