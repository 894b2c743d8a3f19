"""The v3 footprint filters (``GET /3/footprints`` query string and RequestCreated ``data``).

Within one criterion the values are ORed, across criteria ANDed; ids, geographies, classifications
and status match case-insensitively (spec, ListFootprints "Filtering"). Datetimes are ISO 8601; a
``+`` of an offset that arrived unencoded (and so reads as a space) is taken back as ``+``: the
official conformance tool sends timestamps unencoded.

>>> f = Filters.from_query([("productId", "urn:A"), ("productid", "urn:b"), ("validOn", "2026-01-01T00:00:00 00:00")])
>>> f.keys["productId"], f.valid_on
(('urn:a', 'urn:b'), '2026-01-01T00:00:00Z')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from lca.timestamps import parse_utc, utc_text

#: filter name -> the footprint_keys kind it looks up
KEY_FILTERS = ("productId", "companyId", "geography", "classification")
TIME_FILTERS = ("validOn", "validAfter", "validBefore")
STATUSES = ("Active", "Deprecated")
#: query parameters that are not filters
PAGING = ("limit", "offset")
MAX_LIMIT = 1000
MAX_VALUES = 100  # per criterion: more is refused rather than turned into a huge SQL IN list
MAX_VALUE_LENGTH = 512


class FilterError(ValueError):
    """A filter or paging parameter is malformed; the message names it (a 400 BadRequest)."""


def parse_time(name: str, text: str) -> str:
    """A query datetime as stored text (UTC, ``Z``); a space where ``+`` was is read as ``+``."""
    raw = text.strip()
    if " " in text and "T" in text:
        raw = text.replace(" ", "+").strip("+")  # "…T00:00:00 00:00" was "…T00:00:00+00:00"
    try:
        return utc_text(parse_utc(raw))
    except (ValueError, OverflowError):
        raise FilterError(f"{name}: '{text[:80]}' is not an ISO 8601 date-time such as 2026-01-01T00:00:00Z") from None


@dataclass(frozen=True)
class Filters:
    """Parsed filters: ``keys`` kind -> lower-cased values (empty: no filter), time bounds as text."""

    keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    valid_on: str | None = None
    valid_after: str | None = None
    valid_before: str | None = None
    status: tuple[str, ...] = ()

    @classmethod
    def from_query(cls, items: Iterable[tuple[str, str]], *, allow_paging: bool = False) -> "Filters":
        """From query (name, value) pairs; names case-insensitive; ``x-…`` extensions ignored; anything
        else unknown is a :class:`FilterError`."""
        canon = {n.lower(): n for n in KEY_FILTERS + TIME_FILTERS + ("status",) + (PAGING if allow_paging else ())}
        values: dict[str, list[str]] = {}
        for name, value in items:
            key = canon.get(name.lower())
            if key is None:
                if name.lower().startswith("x-"):
                    continue  # host-specific filters (spec: "x-<identifier>-") we do not offer
                raise FilterError(f"unknown query parameter '{name[:80]}'; the filters are "
                                  + ", ".join(KEY_FILTERS + TIME_FILTERS + ("status",)) + ", and limit")
            values.setdefault(key, []).append(value)
        return cls.from_mapping(values)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "Filters":
        """From a RequestCreated ``data`` object (or grouped query values); unknown keys ignored."""
        keys: dict[str, tuple[str, ...]] = {}
        for name in KEY_FILTERS:
            raw = data.get(name)
            if raw is None:
                continue
            items = [raw] if isinstance(raw, str) else raw
            if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
                raise FilterError(f"{name}: expected a string or a list of strings")
            if len(items) > MAX_VALUES or any(len(v) > MAX_VALUE_LENGTH for v in items):
                raise FilterError(f"{name}: at most {MAX_VALUES} values of at most {MAX_VALUE_LENGTH} characters")
            # an empty value filters nothing (the conformance tool sends "geography=" for a footprint
            # without one and expects every footprint back)
            values = tuple(dict.fromkeys(v.strip().lower() for v in items if v.strip()))
            if values:
                keys[name] = values
        times = {}
        for name in TIME_FILTERS:
            raw = data.get(name)
            if isinstance(raw, list):
                if len(raw) != 1:
                    raise FilterError(f"{name}: give it once")
                raw = raw[0]
            if raw is not None:
                if not isinstance(raw, str):
                    raise FilterError(f"{name}: expected an ISO 8601 date-time string")
                times[name] = parse_time(name, raw)
        status = data.get("status")
        statuses: tuple[str, ...] = ()
        if status is not None:
            items = [status] if isinstance(status, str) else status
            canon = {s.lower(): s for s in STATUSES}
            if not isinstance(items, list) or any(not isinstance(s, str) for s in items):
                raise FilterError("status: expected Active or Deprecated")
            # a status no footprint has matches nothing (an empty list, as the conformance tool expects)
            statuses = tuple(dict.fromkeys(canon.get(s.lower(), s[:32]) for s in items))
        return cls(keys=keys, valid_on=times.get("validOn"), valid_after=times.get("validAfter"),
                   valid_before=times.get("validBefore"), status=statuses)


def paging(items: Iterable[tuple[str, str]], default_limit: int) -> tuple[int, int]:
    """``(offset, limit)`` of a query string; a bad value is a :class:`FilterError`."""
    got = {}
    for name, value in items:
        if name.lower() in PAGING:
            if name.lower() in got:
                raise FilterError(f"{name}: give it once")
            try:
                number = int(value)
            except ValueError:
                raise FilterError(f"{name}: '{value[:40]}' is not a whole number") from None
            if number < 0 or number > 10 ** 12:
                raise FilterError(f"{name}: must be a whole number >= 0")
            got[name.lower()] = number
    limit = got.get("limit", default_limit)
    return got.get("offset", 0), max(1, min(limit, MAX_LIMIT))


def validity(doc: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """A footprint's validity period as stored text; without one, 3 years from referencePeriodEnd
    (spec, "validity period")."""
    start, end = doc.get("validityPeriodStart"), doc.get("validityPeriodEnd")
    ref_end = (doc.get("pcf") or {}).get("referencePeriodEnd")

    def text(value):
        try:
            return utc_text(parse_utc(value)) if isinstance(value, str) else None
        except ValueError:
            return None

    if start is None and ref_end is not None:
        start = ref_end
    if end is None and ref_end is not None:
        t = parse_utc(ref_end)
        try:
            end = utc_text(t.replace(year=t.year + 3))
        except ValueError:
            end = utc_text(t.replace(year=t.year + 3, day=28) + dt.timedelta(days=0))
    return text(start), text(end)


def doc_keys(doc: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(kind, lower-cased value) of every filterable value of a footprint."""
    pcf = doc.get("pcf") or {}
    out = [("productId", v) for v in doc.get("productIds") or ()]
    out += [("companyId", v) for v in doc.get("companyIds") or ()]
    out += [("classification", v) for v in doc.get("productClassifications") or ()]
    out += [("geography", pcf[k]) for k in ("geographyCountry", "geographyRegionOrSubregion",
                                            "geographyCountrySubdivision") if pcf.get(k)]
    return list(dict.fromkeys((k, str(v).strip().lower()[:MAX_VALUE_LENGTH]) for k, v in out))
