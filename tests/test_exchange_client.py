"""``lca pull`` / ``lca request`` against an in-process PACT v3 stub host (httpx.MockTransport) (#15 item 4).

The stub implements what the client uses: the OAuth2 token endpoint (HTTP Basic, client
credentials; optionally advertised by an OpenID configuration), ``GET /3/footprints`` with
``productId`` filters and ``limit`` paging with an absolute ``Link: <…>; rel="next"``, and
``POST /3/events``. The end-to-end test against ``lca serve`` comes with the server (#15 item 3).
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

httpx = pytest.importorskip("httpx")

import lca  # noqa: E402
from lca.exchange.client import (ExchangeError, Partner, next_link, pull, request_event, send_request,  # noqa: E402
                                 take_answer, wait_for_answer)
from lca.exchange.received import FolderFootprints, FolderInbox  # noqa: E402

from tests.test_supplier_footprints import FOOTPRINT, STUDY, TOTAL  # noqa: E402

URL = "https://pcf.partner.test"
SECRET = "s3cr3t-never-printed"


def footprints(n: int = 3) -> list[dict]:
    out = []
    for i in range(n):
        doc = copy.deepcopy(FOOTPRINT)
        doc["id"] = f"{i + 1:08d}-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
        doc["productIds"] = [f"urn:lca:product:film-{i + 1}"]
        out.append(doc)
    return out


class Stub:
    """A PACT v3 host in a function: what it was asked is kept in ``calls`` and ``events``."""

    def __init__(self, docs: list[dict], *, page: int = 2, openid: str | None = None, link: str = "absolute"):
        self.docs, self.page, self.openid, self.link = docs, page, openid, link
        self.calls: list[str] = []
        self.events: list[dict] = []
        self.token = "tok-123"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.calls.append(f"{request.method} {path}")
        if path == "/.well-known/openid-configuration":
            if self.openid is None:
                return httpx.Response(404, json={"code": "NotFound", "message": "no"})
            return httpx.Response(200, json={"issuer": URL, "token_endpoint": f"{URL}{self.openid}"})
        if path == (self.openid or "/auth/token"):
            auth = request.headers.get("authorization", "")
            good = "Basic " + base64.b64encode(f"me:{SECRET}".encode()).decode()
            form = parse_qs(request.content.decode())
            if auth != good:
                return httpx.Response(401, json={"code": "BadRequest", "message": "invalid client"})
            if form.get("grant_type") != ["client_credentials"]:
                return httpx.Response(400, json={"error": "unsupported_grant_type"})
            return httpx.Response(200, json={"access_token": self.token, "token_type": "bearer"})
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return httpx.Response(403, json={"code": "AccessDenied", "message": "bad token"})
        if path == "/3/footprints" and request.method == "GET":
            q = parse_qs(urlsplit(str(request.url)).query)
            docs = [d for d in self.docs if not q.get("productId") or set(q["productId"]) & set(d["productIds"])]
            offset = int(q.get("offset", ["0"])[0])
            headers = {}
            if offset + self.page < len(docs):
                rest = "&".join(f"productId={p}" for p in q.get("productId", []))
                nxt = f"/3/footprints?offset={offset + self.page}{'&' + rest if rest else ''}"
                headers["Link"] = f'<{URL + nxt if self.link == "absolute" else nxt}>; rel="next"'
            return httpx.Response(200, json={"data": docs[offset:offset + self.page]}, headers=headers)
        if path == "/3/events" and request.method == "POST":
            if request.headers.get("content-type") != "application/cloudevents+json":
                return httpx.Response(400, json={"code": "BadRequest", "message": "content type"})
            self.events.append(json.loads(request.content))
            return httpx.Response(200)
        return httpx.Response(404, json={"code": "NotFound", "message": path})


def partner(stub: Stub, secret: str = SECRET) -> Partner:
    return Partner(URL, "me", secret, transport=httpx.MockTransport(stub))


# ------------------------------------------------------------------------------ pull

def test_pull_follows_every_page_and_stores_all(tmp_path):
    stub = Stub(footprints(5), page=2)
    got = pull(partner(stub), FolderFootprints(tmp_path / "in"))
    assert len(got.ids) == 5 and sorted(p.name for p in (tmp_path / "in").iterdir()) == sorted(
        f"{i}.json" for i in got.ids)
    assert stub.calls.count("GET /3/footprints") == 3  # 2 + 2 + 1
    assert "POST /auth/token" in stub.calls


@pytest.mark.parametrize("kind", ["folder", "database"])
def test_a_clash_with_a_stored_id_stores_nothing(tmp_path, kind):
    """Was: footprints before the one whose id is stored with other content were stored, the rest not
    (a half pull). Now the clash is found first and nothing is stored."""
    from lca.exchange.received import received_store

    where = str(tmp_path / "in") if kind == "folder" else f"sqlite:///{tmp_path / 'in.db'}"
    docs = footprints(3)
    store = received_store(where, create=True)
    store.put(docs[2])
    clash = copy.deepcopy(docs[2])
    clash["productNameCompany"] = "Film B"
    with pytest.raises(ExchangeError, match=f"{docs[2]['id']} is already stored with different content"):
        pull(partner(Stub([docs[0], docs[1], clash])), received_store(where, create=True))
    store = received_store(where)
    assert [store.get(d["id"]) for d in docs] == [None, None, docs[2]]


def test_pull_filters_by_product_id(tmp_path):
    stub = Stub(footprints(5), page=1)
    got = pull(partner(stub), FolderFootprints(tmp_path / "in"),
               product_ids=["urn:lca:product:film-2", "urn:lca:product:film-4"])
    assert got.ids == ("00000002-5b6d-4e7f-8a9b-0c1d2e3f4a5b", "00000004-5b6d-4e7f-8a9b-0c1d2e3f4a5b")


def test_pull_honours_the_openid_configuration(tmp_path):
    stub = Stub(footprints(1), openid="/oauth2/token")
    pull(partner(stub), FolderFootprints(tmp_path / "in"))
    assert "POST /oauth2/token" in stub.calls and "POST /auth/token" not in stub.calls


def test_a_pulled_footprint_is_a_study_input(tmp_path):
    stub = Stub([FOOTPRINT])
    pull(partner(stub), FolderFootprints(tmp_path / "received"))
    study = tmp_path / "study.toml"
    study.write_text(STUDY.format(ref="urn:lca:product:film", amount="2 m^2", primary="true",
                                  factors='[factors]\nreceived = "received"\n'), encoding="utf-8")
    assert lca.compute(lca.load_study(study)).total("base").value == pytest.approx(TOTAL)


def test_wrong_credentials_are_refused_without_the_secret(tmp_path):
    with pytest.raises(ExchangeError) as exc:
        pull(partner(Stub([FOOTPRINT]), secret="wrong-secret"), FolderFootprints(tmp_path / "in"))
    text = str(exc.value)
    assert "refused the credentials of client 'me'" in text and "HTTP 401" in text
    assert "wrong-secret" not in text and not (tmp_path / "in").exists()


def test_an_invalid_footprint_stores_nothing_and_is_located(tmp_path):
    docs = footprints(3)
    del docs[2]["pcf"]["fossilGhgEmissions"]
    docs[1]["pcf"]["declaredUnitAmount"] = 1  # a number, not a v3 decimal string
    with pytest.raises(ExchangeError) as exc:
        pull(partner(Stub(docs, page=2)), FolderFootprints(tmp_path / "in"))
    text = "\n".join(map(str, exc.value.problems))
    assert f"{URL}/3/footprints page 2: footprint #3 (00000003-5b6d-4e7f-8a9b-0c1d2e3f4a5b), column " \
           "'pcf.fossilGhgEmissions': required field pcf.fossilGhgEmissions is missing" in text
    assert "pcf.declaredUnitAmount is 1, not a decimal written as a string" in text
    assert not (tmp_path / "in").exists()


def test_the_lca_check_rules_apply(tmp_path):
    doc = copy.deepcopy(FOOTPRINT)
    doc["pcf"]["exemptedEmissionsPercent"] = "7"  # above PACT's 3 % (a methodology rule, not the schema)
    with pytest.raises(ExchangeError, match=r"\[exemptions\]"):
        pull(partner(Stub([doc])), FolderFootprints(tmp_path / "in"))


def test_official_schema_when_available(tmp_path, monkeypatch):
    pact = Path(__file__).resolve().parents[2] / "shared" / "reference" / "pact"
    import os
    folder = Path(os.environ.get("LCA_PACT_DIR", pact))
    if not (folder / "openapi-3.0.3.yaml").is_file():
        pytest.skip("official PACT OpenAPI file not found (set LCA_PACT_DIR)")
    monkeypatch.setenv("LCA_PACT_DIR", str(folder))
    got = pull(partner(Stub([FOOTPRINT])), FolderFootprints(tmp_path / "in"))
    assert got.schema.startswith("official PACT schema")
    doc = copy.deepcopy(FOOTPRINT)
    doc["pcf"]["geographyCountry"] = "DE"
    doc["pcf"]["geographyRegionOrSubregion"] = "Europe"  # two geographies: only the official oneOf sees it
    with pytest.raises(ExchangeError, match="official schema"):
        pull(partner(Stub([doc])), FolderFootprints(tmp_path / "in2"))


def test_a_relative_next_link_is_refused(tmp_path):
    with pytest.raises(ExchangeError, match="is not absolute"):
        pull(partner(Stub(footprints(3), page=1, link="relative")), FolderFootprints(tmp_path / "in"))


@pytest.mark.parametrize("url, words", [("http://pcf.partner.test", "plain HTTP"), ("ftp://x", "not an absolute"),
                                        ("https://me:pw@pcf.partner.test", "credentials in the URL")])
def test_urls_are_checked(tmp_path, url, words):
    with pytest.raises(ExchangeError, match=words):
        pull(Partner(url, "me", SECRET), FolderFootprints(tmp_path / "in"))


def test_unreachable_partner_is_one_located_error(tmp_path):
    def down(request):
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ExchangeError, match="cannot reach the partner: ConnectError"):
        pull(Partner(URL, "me", SECRET, transport=httpx.MockTransport(down)), FolderFootprints(tmp_path / "in"))


@pytest.mark.parametrize("header, want", [
    ('<https://a/3/footprints?offset=2>; rel="next"', "https://a/3/footprints?offset=2"),
    ('<https://a/x>; rel="prev", <https://a/y>; rel="next"', "https://a/y"),
    ('<https://a/x>; rel="last"', None), (None, None)])
def test_next_link(header, want):
    assert next_link(header) == want


# ------------------------------------------------------------------------------ request

class Clock:
    """A fake clock: sleeping advances it (no real waiting in tests)."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.now += s


def test_request_sends_a_request_created_event():
    stub = Stub([])
    event = request_event(["urn:lca:product:film"], "https://me.test", comment="for the cell study")
    send_request(partner(stub), event)
    sent = stub.events[0]
    assert sent["type"] == "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"
    assert (sent["specversion"], sent["source"], sent["data"]) == (
        "1.0", "https://me.test", {"productId": ["urn:lca:product:film"], "comment": "for the cell study"})
    assert sent["time"].endswith("Z")


def _answer(folder: Path, request_id: str, *, rejected: bool = False) -> None:
    folder.mkdir(exist_ok=True)
    kind = "RequestRejectedEvent" if rejected else "RequestFulfilledEvent"
    data = ({"requestEventId": request_id, "error": {"code": "NotFound", "message": "no such product"}} if rejected
            else {"requestEventId": request_id, "pfs": [FOOTPRINT]})
    (folder / "answer.json").write_text(json.dumps({"type": f"org.wbcsd.pact.ProductFootprint.{kind}.3",
                                                    "specversion": "1.0", "id": "x", "source": URL, "data": data}),
                                        encoding="utf-8")


def test_waiting_for_a_fulfilled_answer_stores_its_footprints(tmp_path):
    clock, seen = Clock(), []
    inbox = FolderInbox(tmp_path / "events")

    def sleep(s):  # the partner's answer arrives while we wait
        clock.sleep(s)
        if clock.now >= 4:
            _answer(tmp_path / "events", "req-1")

    answer = wait_for_answer(inbox, "req-1", timeout=60, poll=2, clock=clock, sleep=sleep, progress=seen.append)
    assert seen == [0.0, 2.0]
    got = take_answer(answer, FolderFootprints(tmp_path / "in"), where="events")
    assert got.ids == (FOOTPRINT["id"],)


def test_a_rejected_answer_is_an_error_with_the_partners_code(tmp_path):
    _answer(tmp_path / "events", "req-2", rejected=True)
    answer = wait_for_answer(FolderInbox(tmp_path / "events"), "req-2", timeout=1)
    with pytest.raises(ExchangeError, match="rejected the request: NotFound: no such product"):
        take_answer(answer, FolderFootprints(tmp_path / "in"), where="events")


def test_no_answer_times_out_naming_the_request(tmp_path):
    clock = Clock()
    with pytest.raises(ExchangeError) as exc:
        wait_for_answer(FolderInbox(tmp_path / "events"), "req-3", timeout=10, poll=3, clock=clock,
                        sleep=clock.sleep)
    assert "no answer to request req-3 within 10 s" in str(exc.value) and "--wait req-3" in str(exc.value)
    assert clock.now == pytest.approx(10)


# ------------------------------------------------------------------------------ CLI

@pytest.fixture
def stubbed(monkeypatch):
    """The CLI's HTTP client talks to a stub host."""
    import lca.exchange.client as client

    stub = Stub(footprints(3), page=2)
    monkeypatch.setattr(client, "_http", lambda p: httpx.Client(transport=httpx.MockTransport(stub)))
    return stub


def test_cli_pull(tmp_path, cli, stubbed):
    res = cli("pull", "--from", URL, "--client-id", "me", "--client-secret", SECRET, "--into", tmp_path / "in",
              "--product-id", "urn:lca:product:film-1")
    assert res.exit_code == 0, res.stderr
    assert "pulled 1 footprint(s)" in res.stdout and SECRET not in res.stdout + res.stderr


def test_cli_pull_bad_secret_exits_1_without_printing_it(tmp_path, cli, stubbed, monkeypatch):
    monkeypatch.setenv("LCA_CLIENT_SECRET", "env-secret-wrong")
    res = cli("pull", "--from", URL, "--client-id", "me", "--into", tmp_path / "in")
    assert res.exit_code == 1 and "refused the credentials" in res.stderr
    assert "env-secret-wrong" not in res.stdout + res.stderr and "Traceback" not in res.stderr


def test_cli_pull_usage_errors_exit_2(cli, stubbed):
    assert cli("pull", "--client-id", "me", "--client-secret", "x").exit_code == 2
    assert cli("pull", "--from", URL, "--client-id", "me", "--client-secret", "x", "--filter", "oops").exit_code == 2


def test_cli_request_with_an_answer_waiting(tmp_path, cli, stubbed):
    _answer(tmp_path / "events", "req-9")
    res = cli("request", "--from", URL, "--client-id", "me", "--client-secret", SECRET, "--inbox",
              tmp_path / "events", "--wait", "req-9", "--into", tmp_path / "in")
    assert res.exit_code == 0, res.stderr
    assert (tmp_path / "in" / f"{FOOTPRINT['id']}.json").is_file()
    res = cli("request", "--from", URL, "--client-id", "me", "--client-secret", SECRET, "--inbox",
              tmp_path / "events", "--product-id", "urn:lca:product:film-1", "--source", "https://me.test",
              "--wait-seconds", "0")
    assert res.exit_code == 1 and "no answer to request" in res.stderr
    assert stubbed.events and stubbed.events[0]["data"]["productId"] == ["urn:lca:product:film-1"]


def test_a_hostile_answer_is_one_located_error(tmp_path):
    def deep(request):
        if request.url.path == "/auth/token":
            return httpx.Response(200, json={"access_token": "t"})
        return httpx.Response(200, content=b"[" * 100000 + b"]" * 100000)

    with pytest.raises(ExchangeError, match="not JSON"):
        pull(Partner(URL, "me", SECRET, transport=httpx.MockTransport(deep)), FolderFootprints(tmp_path / "in"))


def test_an_endless_answer_is_cut_off(tmp_path, monkeypatch):
    import lca.exchange.client as client

    monkeypatch.setattr(client, "MAX_BODY", 1000)

    def big(request):
        if request.url.path == "/auth/token":
            return httpx.Response(200, json={"access_token": "t"})
        return httpx.Response(200, content=b" " * 5000)

    with pytest.raises(ExchangeError, match="larger than"):
        pull(Partner(URL, "me", SECRET, transport=httpx.MockTransport(big)), FolderFootprints(tmp_path / "in"))
