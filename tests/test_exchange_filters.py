"""The v3 filters in the store agree with a reference written from the spec's words, for any
combination (hypothesis): OR within a criterion, AND across criteria, case-insensitive ids,
validity bounds strict (after/before) or inclusive (on)."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("sqlalchemy")

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from lca.exchange.filters import Filters, FilterError, parse_time  # noqa: E402
from lca.exchange.store import Store  # noqa: E402

PRODUCTS = ["urn:p:a", "urn:p:B", "urn:p:c"]
COMPANIES = ["urn:c:x", "urn:c:Y"]
GEOS = ["JP", "US", "CA", None]
CLASSES = ["urn:cls:1", "urn:cls:2"]


def make_doc(i, products, companies, geo, classes, start_year, status):
    return {"id": f"00000000-0000-4000-8000-{i:012d}", "status": status, "productIds": products,
            "companyIds": companies, "productClassifications": classes,
            "validityPeriodStart": f"{start_year}-01-01T00:00:00Z", "validityPeriodEnd": f"{start_year + 3}-01-01T00:00:00Z",
            "pcf": {"referencePeriodEnd": f"{start_year}-01-01T00:00:00Z", **({"geographyCountry": geo} if geo else {})}}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store.open(tmp_path_factory.mktemp("f") / "f.db")
    docs, i = [], 0
    for p in range(3):
        for c in range(2):
            for g in GEOS:
                i += 1
                docs.append(make_doc(i, PRODUCTS[p:p + 2], [COMPANIES[c]], g, [CLASSES[i % 2]], 2020 + i % 6,
                                     "Active" if i % 3 else "Deprecated"))
    # published one by one in their own series; status as given (a publish marks new ones Active)
    s.publish([(f"s/{d['id']}", d) for d in docs])
    for d in docs:
        if d["status"] == "Deprecated":
            s.deprecate(d["id"])
    return s, docs


def reference(doc, f: dict) -> bool:
    low = lambda xs: {x.lower() for x in xs}  # noqa: E731
    t = lambda s: dt.datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    ok = True
    if f.get("productId"):
        ok &= bool(low(doc["productIds"]) & low(f["productId"]))
    if f.get("companyId"):
        ok &= bool(low(doc["companyIds"]) & low(f["companyId"]))
    if f.get("geography"):
        ok &= (doc["pcf"].get("geographyCountry") or "").lower() in low(f["geography"])
    if f.get("classification"):
        ok &= bool(low(doc["productClassifications"]) & low(f["classification"]))
    if f.get("validOn"):
        ok &= t(doc["validityPeriodStart"]) <= t(f["validOn"]) <= t(doc["validityPeriodEnd"])
    if f.get("validAfter"):
        ok &= t(doc["validityPeriodStart"]) > t(f["validAfter"])
    if f.get("validBefore"):
        ok &= t(doc["validityPeriodEnd"]) < t(f["validBefore"])
    if f.get("status"):
        ok &= doc["status"] in f["status"]
    return ok


def cased(values):
    return st.lists(st.sampled_from(values).flatmap(lambda v: st.sampled_from([v, v.upper(), v.lower()])),
                    max_size=3)


times = st.integers(2018, 2030).map(lambda y: f"{y}-01-01T00:00:00Z")
FILTERS = st.fixed_dictionaries({}, optional={
    "productId": cased(PRODUCTS + ["urn:p:none"]), "companyId": cased(COMPANIES), "geography": cased(["JP", "US", "XX"]),
    "classification": cased(CLASSES), "validOn": times, "validAfter": times, "validBefore": times,
    "status": st.lists(st.sampled_from(["Active", "Deprecated"]), min_size=1, max_size=2)})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(f=FILTERS)
def test_store_filters_match_the_spec(store, f):
    s, docs = store
    got, _ = s.query(Filters.from_mapping(f))
    stored = {d["id"]: s.get(d["id"]) for d in docs}  # statuses as stored
    want = [i for i, d in stored.items() if reference(d, f)]
    assert sorted(d["id"] for d in got) == sorted(want)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(1, 40))
def test_pages_cover_the_listing_once(store, limit):
    s, docs = store
    seen, offset, more = [], 0, True
    while more:
        page, more = s.query(offset=offset, limit=limit)
        assert len(page) <= limit
        seen += [d["id"] for d in page]
        offset += limit
    assert sorted(seen) == sorted(d["id"] for d in docs) and len(set(seen)) == len(seen)


@pytest.mark.parametrize("text, want", [
    ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"), ("2026-01-01T09:00:00 09:00", "2026-01-01T00:00:00Z"),
    ("2025-12-31T00:00:00.000Z", "2025-12-31T00:00:00Z"), ("2026-01-01T01:00:00+01:00", "2026-01-01T00:00:00Z"),
])
def test_query_times_tolerate_the_unencoded_plus(text, want):
    assert parse_time("validOn", text) == want


def test_bad_time_names_the_parameter():
    with pytest.raises(FilterError, match="validBefore: 'soon'"):
        Filters.from_query([("validBefore", "soon")])
