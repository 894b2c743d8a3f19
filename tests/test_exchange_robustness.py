"""Bad requests to ``lca serve`` never get a 500: malformed or oversized bodies, wrong content types,
SQL metacharacters, unknown parameters, expired, forged or revoked tokens, replayed events; and the
server answers while a publish holds the write lock."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid

import pytest

pytest.importorskip("starlette")

from pact_host import CLIENT_ID, CLIENT_SECRET, Host  # noqa: E402

EVENT_CT = {"Content-Type": "application/cloudevents+json"}


@pytest.fixture(scope="module")
def host(tmp_path_factory, default_fp):
    h = Host(tmp_path_factory.mktemp("robust"), "sqlite", default_fp)
    yield h
    h.close()


def published(host, pf_ids, event_id=None):
    return {"specversion": "1.0", "id": event_id or str(uuid.uuid4()), "source": host.partner.url,
            "time": "2026-11-30T00:00:00Z", "type": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
            "data": {"pfIds": pf_ids}}


@pytest.mark.parametrize("query", [
    "productId=' OR 1=1 --", "companyId=x%27%3B%20DROP%20TABLE%20footprints%3B--", "geography=%00",
    "classification=" + "a" * 600, "validOn=not-a-date", "validOn=2026-13-45T00:00:00Z", "limit=-1", "limit=abc",
    "limit=1&limit=2", "offset=99999999999999999999", "unknown=1", "status=" + "x" * 100,
    "validOn=2026-01-01T00:00:00Z&validOn=2027-01-01T00:00:00Z", "productId=" + "&productId=".join(["u"] * 101),
])
def test_hostile_queries_are_4xx_or_empty(host, query):
    with host.client() as c:
        r = c.get("/3/footprints?" + query)
    assert r.status_code in (200, 400), r.text
    body = r.json()
    assert body == {"data": []} if r.status_code == 200 else body["code"] == "BadRequest"
    with host.client() as c:  # the table is still there
        assert len(c.get("/3/footprints").json()["data"]) == 7


def test_extension_parameters_are_ignored_and_offset_paging(host):
    with host.client() as c:
        assert len(c.get("/3/footprints?x-atq-invoice-id=12345").json()["data"]) == 7
        assert c.get("/3/footprints?offset=6").json()["data"].__len__() == 1
        assert c.get("/3/footprints?offset=700").json() == {"data": []}


@pytest.mark.parametrize("body, ctype, status", [
    (b"{not json", "application/cloudevents+json", 400),
    (b'"a string"', "application/cloudevents+json", 400),
    (b"[" * 100000 + b"]" * 100000, "application/cloudevents+json", 400),
    (b"\xff\xfe", "application/cloudevents+json", 400),
    (b"x" * (1024 * 1024 + 1), "application/cloudevents+json", 413),
    (b"{}", "application/json", 400),
    (b"{}", "text/plain", 400),
    (b'{"specversion": "1.0", "id": "1", "source": "x", "time": "2026-01-01T00:00:00Z", "type": "evil", "data": {}}',
     "application/cloudevents+json", 400),
    (b'{"specversion": "1.0", "id": "1", "source": "x", "time": "yesterday", '
     b'"type": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3", "data": {"pfIds": []}}',
     "application/cloudevents+json", 400),
    (b'{"specversion": "1.0", "id": "1", "source": "x", "time": "2026-01-01T00:00:00Z", '
     b'"type": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3", "data": {"productId": [1, 2]}}',
     "application/cloudevents+json", 400),
])
def test_bad_event_bodies(host, body, ctype, status):
    with host.client() as c:
        r = c.post("/3/events", content=body, headers={"Content-Type": ctype})
    assert r.status_code == status and r.json()["code"] == "BadRequest"


def test_replayed_event_is_accepted_once(host):
    ev = published(host, [str(uuid.uuid4())], event_id="replay-1")
    with host.client() as c:
        assert c.post("/3/events", json=ev, headers=EVENT_CT).status_code == 200
        assert c.post("/3/events", json=ev, headers=EVENT_CT).status_code == 200
    from lca.exchange.store import Store

    assert [e["id"] for e in Store.open(host.db).events()].count("replay-1") == 1


def test_replayed_request_gets_one_callback(host):
    from lca.exchange.store import Store

    ev = {**published(host, []), "id": "replay-req", "type": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
          "data": {"productId": ["urn:pact:null"]}}
    with host.client() as c:
        for _ in range(3):
            assert c.post("/3/events", json=ev, headers=EVENT_CT).status_code == 200
    host.callback("replay-req")
    targets = [cb for cb in Store.open(host.db).callbacks() if '"replay-req"' in cb["body"]]
    assert len(targets) == 1


@pytest.mark.parametrize("header", ["Bearer", "Basic abc", "Bearer " + "x" * 5000, "Bearer \u00e9t\u00e9",
                                    "bearer forged-" + uuid.uuid4().hex])
def test_forged_tokens(host, header):
    with host.server.client(headers={"Authorization": header.encode("utf-8")}) as c:
        r = c.get("/3/footprints")
    assert r.status_code == 401 and r.json()["code"] == "BadRequest"


def test_expired_token_says_so(host):
    from lca.exchange.auth import token_hash

    token = "expired-" + uuid.uuid4().hex
    with sqlite3.connect(host.db) as conn:
        conn.execute("insert into tokens values (?, ?, ?, ?)",
                     (token_hash(token), CLIENT_ID, "footprint:list footprint:read events:write", "2020-01-01T00:00:00Z"))
    with host.client(token) as c:
        r = c.get("/3/footprints")
    assert r.status_code == 401 and r.json()["code"] == "TokenExpired"


@pytest.mark.parametrize("auth, form, status", [
    (None, {"grant_type": "client_credentials"}, 401),
    ((CLIENT_ID, CLIENT_SECRET), {"grant_type": "password"}, 400),
    ((CLIENT_ID, CLIENT_SECRET), {}, 400),
    (("x" * 1000, "y"), {"grant_type": "client_credentials"}, 401),
])
def test_token_endpoint_errors(host, auth, form, status):
    with host.server.client() as c:
        r = c.post("/auth/token", data=form, auth=auth)
    assert r.status_code == status and "error" in r.json()


def test_token_endpoint_garbage(host):
    with host.server.client() as c:
        assert c.post("/auth/token", content=b"\xff", headers={"Authorization": "Basic !!!",
                      "Content-Type": "application/x-www-form-urlencoded"}).status_code in (400, 401)
        assert c.post("/auth/token", content=b"{}", headers={"Content-Type": "application/json"}).status_code == 400
        assert c.get("/auth/token").status_code == 405


def test_scope_and_revocation(host):
    from lca.exchange.store import Store

    store = Store.open(host.db)
    secret = store.add_client("reader", scopes=("footprint:read",))
    token = host.server.token("reader", secret)
    with host.client(token) as c:
        assert c.get("/3/footprints").status_code == 403
        assert c.get("/3/footprints").json()["code"] == "AccessDenied"
        fid = c.get("/3/footprints/00000000-0000-0000-0000-000000000000").json()["code"]
        assert fid == "NotFound"
    store.revoke_client("reader")
    with host.client(token) as c:
        assert c.get("/3/footprints/00000000-0000-0000-0000-000000000000").status_code == 401


def test_unknown_paths_and_ids(host):
    with host.client() as c:
        assert c.get("/3/nothing").json()["code"] == "NotFound"
        r = c.get("/3/footprints/not-a-uuid")
        assert r.status_code == 400 and r.json()["code"] == "BadRequest"
        assert c.delete("/3/footprints").status_code == 405


def test_serves_while_a_publish_holds_the_write_lock(host):
    """A publish is one write transaction; readers (WAL) are not blocked by it."""
    conn = sqlite3.connect(host.db, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("update footprints set status = 'Deprecated'")  # uncommitted
        with host.client() as c:
            r = c.get("/3/footprints?status=Active")
        assert r.status_code == 200 and len(r.json()["data"]) == 6
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def test_no_secret_in_the_server_log(host):
    text = "".join(host.server.log)
    assert CLIENT_SECRET not in text and host.access_token not in text and "Traceback" not in text


def test_fulfilled_event_stores_checked_footprints_as_received(host):
    """An answer to one of our requests: its footprints are kept as received (never served as ours);
    one that breaks a lca check rule is refused whole."""
    from lca.exchange.store import Store

    mine = Store.open(host.db)  # the requests lca request sent (and recorded) from this host
    for rid in ("ours-1", "ours-2"):
        mine.record_request({"id": rid, "data": {"productId": ["urn:example:p"]}}, partner=host.partner.url)
    mine.close()
    with host.client() as c:
        doc = c.get("/3/footprints?limit=1").json()["data"][0]
        theirs = {**doc, "id": str(uuid.uuid4()), "companyIds": ["urn:example:supplier"]}
        ev = {**published(host, []), "type": "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3",
              "data": {"requestEventId": "ours-1", "pfs": [theirs]}}
        assert c.post("/3/events", json=ev, headers=EVENT_CT).status_code == 200
        bad = {**theirs, "id": str(uuid.uuid4()), "pcf": {**theirs["pcf"], "pcfExcludingBiogenicUptake": "-5"}}
        r = c.post("/3/events", json={**ev, "id": str(uuid.uuid4()), "data": {"requestEventId": "ours-2", "pfs": [bad]}},
                   headers=EVENT_CT)
        assert r.status_code == 400 and r.json()["code"] == "BadRequest"
        assert c.get(f"/3/footprints/{theirs['id']}").status_code == 404
    store = Store.open(host.db)
    assert store.received(footprint_id=theirs["id"]) == [theirs] and store.received(footprint_id=bad["id"]) == []


def test_an_answer_is_taken_only_to_a_request_we_sent_and_only_once(host):
    """RequestFulfilled/Rejected events are answers: one naming no request this host recorded (lca request
    --inbox DB) is refused and nothing of it is stored; the first answer to a request is kept (lca request
    reads it from the store), a second one is refused, a replay of the first is accepted and ignored."""
    from lca.exchange.store import Store
    from lca.exchange.stored import StoreInbox

    with host.client() as c:
        doc = c.get("/3/footprints?limit=1").json()["data"][0]
    theirs = {**doc, "id": str(uuid.uuid4()), "companyIds": ["urn:example:stranger"]}
    fulfilled = {**published(host, []), "type": "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3",
                 "data": {"requestEventId": str(uuid.uuid4()), "pfs": [theirs]}}
    with host.client() as c:
        r = c.post("/3/events", json=fulfilled, headers=EVENT_CT)
    assert r.status_code == 400 and "names no request" in r.json()["message"]
    store = Store.open(host.db)
    assert store.received(footprint_id=theirs["id"]) == []

    rid = str(uuid.uuid4())
    store.record_request({"id": rid, "data": {"productId": ["urn:example:p"]}}, partner=host.partner.url)
    inbox = StoreInbox(store)
    assert inbox.answer(rid) is None
    first = {**fulfilled, "id": str(uuid.uuid4()), "data": {"requestEventId": rid, "pfs": [theirs]}}
    rejected = {**published(host, []), "type": "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3",
                "data": {"requestEventId": rid, "error": {"code": "NotFound", "message": "none"}}}
    with host.client() as c:
        assert c.post("/3/events", json=first, headers=EVENT_CT).status_code == 200
        assert c.post("/3/events", json=first, headers=EVENT_CT).status_code == 200  # a replay: ignored
        r = c.post("/3/events", json=rejected, headers=EVENT_CT)
    assert r.status_code == 400 and "answered already" in r.json()["message"]
    assert inbox.answer(rid) == first
    assert store.received(footprint_id=theirs["id"]) == [theirs]
    store.close()
