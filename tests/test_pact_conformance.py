"""The 40 PACT v3 conformance cases (official tool ``wbcsd/pact-conformance-service``,
``src/test-cases/v3-test-cases.ts``, as ../shared/reference/spark-and-pact-feasibility.md Q2 describes
them) against a real ``lca serve`` on 127.0.0.1 over TLS, on SQLite and on a throw-away PostgreSQL.

Filter values are taken from the first listed footprint, as the tool does; responses are validated
against the official OpenAPI (``LCA_PACT_DIR``). Case 13 and 14.B are the asynchronous callbacks,
received by a fake partner configured with ``--partners``.
"""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest

from pact_host import CLIENT_ID, CLIENT_SECRET, Host, openapi_validator, schema_errors

EVENT_CT = {"Content-Type": "application/cloudevents+json; charset=UTF-8"}
T = "org.wbcsd.pact.ProductFootprint."


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def host(request, tmp_path_factory, default_fp):
    h = Host(tmp_path_factory.mktemp(f"host-{request.param}"), request.param, default_fp)
    yield h
    h.close()


@pytest.fixture(scope="module")
def listing(host):
    with host.client() as c:
        r = c.get("/3/footprints")
    assert r.status_code == 200
    return r.json()["data"]


@pytest.fixture(scope="module")
def params(listing):
    """The tool's getFilterParameters: everything from the first footprint."""
    first = listing[0]
    start, end = first["validityPeriodStart"], first["validityPeriodEnd"]

    def shift(text, days):
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00")) + dt.timedelta(days=days)
        return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")  # JavaScript's toISOString

    pcf = first["pcf"]
    return {"id": first["id"], "productId": first["productIds"][0], "productIds": first["productIds"],
            "companyId": first["companyIds"][0],
            "geography": pcf.get("geographyCountry") or pcf.get("geographyRegionOrSubregion")
            or pcf.get("geographyCountrySubdivision") or "",
            "classification": first["productClassifications"][0], "validOn": start,
            "validAfter": shift(start, -1), "validBefore": shift(end, 1), "status": first["status"]}


def event(host, type_: str, data: dict, event_id: str | None = None) -> dict:
    return {"specversion": "1.0", "id": event_id or str(uuid.uuid4()), "source": host.partner.url,
            "time": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"), "type": T + type_,
            "data": data}


def get(host, path: str, token="default") -> httpx.Response:
    with host.client(token) as c:
        return c.get(path)


def plain_http(host, method: str, path: str, **kw):
    """The same host and port over http://: the tool counts any failure to get an answer as a pass."""
    url = host.url.replace("https", "http") + path
    with pytest.raises(httpx.HTTPError):
        httpx.request(method, url, timeout=10, **kw)


# ------------------------------------------------------------------ auth (1, 2, 18, 19)
def test_tc01_token_valid_credentials(host):
    with host.server.client() as c:
        r = c.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(CLIENT_ID, CLIENT_SECRET))
    assert r.status_code == 200 and r.json()["access_token"] and r.json()["token_type"] == "bearer"


def test_tc02_token_random_credentials(host):
    with host.server.client() as c:
        r = c.post("/auth/token", data={"grant_type": "client_credentials"}, auth=("nobody", uuid.uuid4().hex))
    assert r.status_code in (400, 401)


def test_tc18_openid_flow(host):
    with host.server.client() as c:
        conf = c.get("/.well-known/openid-configuration").json()
        assert conf["token_endpoint"] == f"{host.url}/auth/token"
        r = c.post(conf["token_endpoint"], data={"grant_type": "client_credentials"}, auth=(CLIENT_ID, CLIENT_SECRET))
    assert r.status_code == 200 and r.json()["access_token"]


def test_tc19_openid_flow_wrong_credentials(host):
    with host.server.client() as c:
        conf = c.get("/.well-known/openid-configuration").json()
        r = c.post(conf["token_endpoint"], data={"grant_type": "client_credentials"}, auth=(CLIENT_ID, "wrong"))
    assert r.status_code in (400, 401)


# ------------------------------------------------------------------ get / list (3, 4, 5, 8)
def test_tc03_get_footprint(host, params):
    r = get(host, f"/3/footprints/{params['id']}")
    assert r.status_code == 200
    body = r.json()
    assert schema_errors(openapi_validator("/components/schemas/ProductFootprint"), body["data"]) == []
    assert body["data"]["id"] == params["id"]


def test_tc04_list_footprints(host, listing):
    validator = openapi_validator("/components/schemas/ProductFootprint")
    assert len(listing) == 7  # 6 scenarios + one second version
    for doc in listing:
        assert schema_errors(validator, doc) == []
    assert sorted(d["status"] for d in listing).count("Deprecated") == 1
    newest = next(d for d in listing if d.get("precedingPfIds"))
    assert newest["precedingPfIds"] == host.first_version.deprecated


def test_tc05_pagination_link(host, listing):
    r = get(host, "/3/footprints?limit=1")
    assert r.status_code == 200 and len(r.json()["data"]) == 1
    seen = [r.json()["data"][0]["id"]]
    while "link" in r.headers:
        link = r.headers["link"]
        assert link.startswith(f"<{host.url}/3/footprints?") and link.endswith('>; rel="next"')
        # the tool strips exactly the base URL it was given from the first link
        r = get(host, link[1:link.index(">")].replace(host.url, ""))
        assert r.status_code == 200 and len(r.json()["data"]) >= 1
        seen += [d["id"] for d in r.json()["data"]]
    assert seen == [d["id"] for d in listing]


def test_tc08_get_nonexistent(host):
    r = get(host, "/3/footprints/00000000-0000-0000-0000-000000000000")
    assert r.status_code in (400, 404) and r.json()["code"] == "NotFound"


# ------------------------------------------------------------------ invalid token (6, 7, 16)
@pytest.mark.parametrize("case, path", [("06", "/3/footprints"), ("07", "/3/footprints/{id}")])
def test_tc06_tc07_invalid_token(host, params, case, path):
    r = get(host, path.format(id=params["id"]), token=f"very-invalid-access-token-{uuid.uuid4().hex}")
    assert r.status_code in (400, 401) and r.json()["code"] == "BadRequest"


def test_tc16_events_invalid_token(host):
    with host.client(f"very-invalid-access-token-{uuid.uuid4().hex}") as c:
        r = c.post("/3/events", json=event(host, "PublishedEvent.3", {"pfIds": [str(uuid.uuid4())]}), headers=EVENT_CT)
    assert r.status_code in (400, 401) and r.json()["code"] == "BadRequest"


# ------------------------------------------------------------------ HTTPS only (9, 10, 11, 17)
def test_tc09_token_over_http_fails(host):
    plain_http(host, "POST", "/auth/token", data={"grant_type": "client_credentials"}, auth=(CLIENT_ID, CLIENT_SECRET))


def test_tc10_list_over_http_fails(host):
    plain_http(host, "GET", "/3/footprints", headers={"Authorization": f"Bearer {host.access_token}"})


def test_tc11_get_over_http_fails(host, params):
    plain_http(host, "GET", f"/3/footprints/{params['id']}", headers={"Authorization": f"Bearer {host.access_token}"})


def test_tc17_events_over_http_fails(host):
    plain_http(host, "POST", "/3/events", json=event(host, "PublishedEvent.3", {"pfIds": [str(uuid.uuid4())]}),
               headers={**EVENT_CT, "Authorization": f"Bearer {host.access_token}"})


# ------------------------------------------------------------------ events (12, 13, 14.A, 14.B, 15, 40)
@pytest.fixture(scope="module")
def requests_sent(host, params):
    """Case 12 and 14.A requests, sent once; their ids (the callbacks answer them)."""
    ids = {"12": f"{uuid.uuid4()}/12", "14.A": f"{uuid.uuid4()}/14.A"}
    with host.client() as c:
        r12 = c.post("/3/events", json=event(host, "RequestCreatedEvent.3", {
            "productId": params["productIds"], "comment": "Please send PCF data for this year."}, ids["12"]),
            headers=EVENT_CT)
        r14 = c.post("/3/events", json=event(host, "RequestCreatedEvent.3", {
            "productId": ["urn:pact:null"], "comment": "Please send PCF data for this year."}, ids["14.A"]),
            headers=EVENT_CT)
    return ids, r12, r14


def test_tc12_request_created(requests_sent):
    assert requests_sent[1].status_code == 200


def test_tc13_fulfilled_callback(host, params, requests_sent):
    got = host.callback(requests_sent[0]["12"])
    ev = got["event"]
    assert schema_errors(openapi_validator("/components/schemas/RequestFulfilledEvent"), ev) == []
    assert ev["type"] == T + "RequestFulfilledEvent.3" and ev["data"]["pfs"]
    assert all(params["productId"] in pf["productIds"] for pf in ev["data"]["pfs"])
    pf_validator = openapi_validator("/components/schemas/ProductFootprint")
    assert all(schema_errors(pf_validator, pf) == [] for pf in ev["data"]["pfs"])
    assert got["auth"] == "Bearer partner-token" and got["content_type"].startswith("application/cloudevents+json")


def test_tc14a_request_to_be_rejected(requests_sent):
    assert requests_sent[2].status_code == 200


def test_tc14b_rejected_callback(host, requests_sent):
    got = host.callback(requests_sent[0]["14.A"])
    ev = got["event"]
    assert schema_errors(openapi_validator("/components/schemas/RequestRejectedEvent"), ev) == []
    assert ev["type"] == T + "RequestRejectedEvent.3"
    assert set(ev["data"]["error"]) == {"code", "message"} and ev["data"]["error"]["code"] == "NotFound"
    assert got["auth"] == "Bearer partner-token"


def test_tc15_published_event(host):
    with host.client() as c:
        r = c.post("/3/events", json=event(host, "PublishedEvent.3", {"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]}),
                   headers=EVENT_CT)
    assert r.status_code == 200


def test_tc40_published_event_with_urn_pfids(host):
    with host.client() as c:
        r = c.post("/3/events", json=event(host, "PublishedEvent.3", {"pfIds": ["urn:gtin:4712345060507"]}),
                   headers=EVENT_CT)
    assert r.status_code == 400 and r.json()["code"] == "BadRequest"


# ------------------------------------------------------------------ positive filters (20-29)
def _t(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


POSITIVE = {
    "20": ("productId={productId}", lambda d, p: p["productId"] in d["productIds"]),
    "21": ("companyId={companyId}", lambda d, p: p["companyId"] in d["companyIds"]),
    # the tool: a first footprint without a geography sends "geography=" and expects every footprint
    "22": ("geography={geography}", lambda d, p: p["geography"] == "" or p["geography"] in (
        d["pcf"].get("geographyCountry"), d["pcf"].get("geographyRegionOrSubregion"),
        d["pcf"].get("geographyCountrySubdivision"))),
    "23": ("classification={classification}", lambda d, p: p["classification"] in d["productClassifications"]),
    "24": ("validOn={validOn}", lambda d, p: _t(d["validityPeriodStart"]) <= _t(p["validOn"]) <= _t(d["validityPeriodEnd"])),
    "25": ("validAfter={validAfter}", lambda d, p: _t(d["validityPeriodStart"]) > _t(p["validAfter"])),
    "26": ("validBefore={validBefore}", lambda d, p: _t(d["validityPeriodEnd"]) < _t(p["validBefore"])),
    "27": ("status={status}", lambda d, p: d["status"] == p["status"]),
    "28": ("status={status}&productId={productId}", lambda d, p: d["status"] == p["status"] and p["productId"] in d["productIds"]),
    "29": ("companyId={companyId}&companyId=urn:bogus:company:a&companyId=urn:bogus:company:b",
           lambda d, p: p["companyId"] in d["companyIds"]),
}


@pytest.mark.parametrize("case", sorted(POSITIVE))
def test_tc20_29_positive_filters(host, params, case):
    query, matches = POSITIVE[case]
    # values go into the URL unencoded, as the tool sends them
    r = get(host, "/3/footprints?" + query.format(**params))
    assert r.status_code == 200
    data = r.json()["data"]
    assert len(data) >= 1 and all(matches(d, params) for d in data)
    if case == "22" and params["geography"] == "":
        assert len(data) == 7
    validator = openapi_validator("/components/schemas/ProductFootprint")
    assert all(schema_errors(validator, d) == [] for d in data)


# ------------------------------------------------------------------ negative filters (30-39)
NEGATIVE = {
    "30": "productId=urn:bogus:product:{r}", "31": "companyId=urn:bogus:company:{r}", "32": "geography=XX",
    "33": "classification=urn:bogus:classification:{r}", "34": "validOn=1900-01-01T00:00:00Z",
    "35": "validAfter=2099-12-31T23:59:59Z", "36": "validBefore=1900-01-01T00:00:00Z",
    "37": "status=BogusStatus{r8}", "38": "companyId=urn:bogus:company:{r8}&productId=urn:bogus:product:{r}",
    "39": "companyId=urn:bogus:company:{r8}&companyId=urn:bogus:company:{r8}x&companyId=urn:bogus:company:{r8}y",
}


@pytest.mark.parametrize("case", sorted(NEGATIVE))
def test_tc30_39_negative_filters(host, case):
    r = get(host, "/3/footprints?" + NEGATIVE[case].format(r=uuid.uuid4().hex[:16], r8=uuid.uuid4().hex[:8]))
    assert r.status_code == 200 and r.json() == {"data": []}
