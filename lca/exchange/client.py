"""The PACT v3 client: ``lca pull`` (fetch a partner's footprints) and ``lca request`` (ask for one).

* **Token.** OAuth2 client credentials: ``POST`` form ``grant_type=client_credentials`` with HTTP
  Basic authentication to the token endpoint the partner's OpenID configuration advertises
  (``{URL}/.well-known/openid-configuration``, ``token_endpoint``), else ``{URL}/auth/token``.
* **Pull.** ``GET {URL}/3/footprints`` with the filters (``productId`` repeated = OR), following
  ``Link: <…>; rel="next"`` (an absolute URL, as PACT requires) until there is none. Every footprint
  is checked (:mod:`lca.exchange.validate`) before ANY is stored: a pull stores all it fetched or
  nothing. Stored in a :class:`~lca.exchange.received.ReceivedFootprints` store (``put``).
* **Request.** ``POST {URL}/3/events`` a ``RequestCreated`` CloudEvent
  (``application/cloudevents+json``) whose ``source`` is where the partner sends its answer
  (``{source}/3/events``, received by ``lca serve``); then wait, with a timeout and progress, until
  the answer is in the :class:`~lca.exchange.received.EventInbox`: ``RequestFulfilled`` footprints are
  checked and stored like pulled ones, ``RequestRejected`` is an error with the partner's code.

Every failure is an :class:`ExchangeError` (a located, actionable :class:`~lca.errors.LcaInputError`:
the CLI prints it and exits 1) naming the URL and what to do. The client secret and the access token
are never part of a message, a log line or an output. Plain ``http://`` is refused except to the
loopback interface (a test server on this machine). ``lca`` itself never reaches the network except
in these two commands, which the user runs to do exactly that.
"""

from __future__ import annotations

import json
import ssl
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

from lca.errors import LcaInputError, Problem
from lca.exchange.received import ANSWER_TYPES, EventInbox, ReceivedFootprints, bare_id
from lca.exchange.validate import footprint_problems, schema_used

REQUEST_CREATED = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"
CLOUDEVENTS = "application/cloudevents+json"
#: the largest answer read (bytes); a page of footprints is far smaller
MAX_BODY = 64 * 2**20
#: pages followed at most (a server whose ``next`` never ends is refused, not followed forever)
MAX_PAGES = 10_000
#: filters ``GET /3/footprints`` takes (PACT v3 §filtering); repeated = OR, different = AND
FILTERS = ("productId", "companyId", "geography", "classification", "validOn", "validAfter", "validBefore", "status")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class ExchangeError(LcaInputError):
    """A partner's server, the network, the credentials or a received footprint failed."""


@dataclass(frozen=True)
class Partner:
    """A PACT host and the credentials it gave us. ``ca_file``: a CA bundle to trust (a partner with
    a private CA or a test certificate); ``transport``: an httpx transport (tests use an in-process one)."""

    url: str
    client_id: str
    client_secret: str = field(repr=False)
    ca_file: Path | None = None
    timeout: float = 30.0
    transport: Any = field(default=None, repr=False, compare=False)

    @property
    def base(self) -> str:
        return self.url.rstrip("/")


def _fail(message: str, url: str, hint: str, column: str | None = None) -> ExchangeError:
    return ExchangeError(Problem(message, file=url, column=column, hint=hint))


def check_url(url: str, option: str = "--from") -> None:
    """An absolute https URL (http only to this machine's loopback interface)."""
    try:  # urlsplit refuses e.g. an unclosed IPv6 bracket; .port a port that is no number or out of range
        parts = urlsplit(url)
        parts.port  # noqa: B018 — parsed for its check
    except ValueError as exc:
        raise ExchangeError(Problem(f"{option} {url!r:.80} is not a valid URL ({exc})", column=option,
                                    hint="give a base URL such as https://pcf.example.com")) from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ExchangeError(Problem(f"{option} {url!r:.80} is not an absolute http(s) URL", column=option,
                                    hint="give the partner's base URL, e.g. https://pcf.example.com"))
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise ExchangeError(Problem(f"{option} {url!r:.80} is plain HTTP", column=option,
                                    hint="PACT hosts are HTTPS only: use https://"))
    if parts.username or parts.password:
        raise ExchangeError(Problem(f"{option} carries credentials in the URL", column=option,
                                    hint="give them as --client-id/--client-secret, never in the URL"))


def _http(partner: Partner):
    try:
        import httpx
    except ImportError:
        raise ExchangeError(Problem("lca pull/request need httpx, which is not installed",
                                    hint="pip install 'lca[exchange]'")) from None
    verify: Any = True
    if partner.ca_file is not None:
        try:
            verify = ssl.create_default_context(cafile=str(partner.ca_file))
        except (OSError, ssl.SSLError) as exc:
            raise ExchangeError(Problem(f"cannot use the CA file: {type(exc).__name__}: {exc}"[:200],
                                        file=str(partner.ca_file), column="--ca-file",
                                        hint="name a PEM file of CA certificates")) from None
    return httpx.Client(transport=partner.transport, verify=verify, timeout=partner.timeout,
                        follow_redirects=False, headers={"User-Agent": "lca"})


def _send(client: Any, method: str, url: str, **kw: Any):
    """One request; network failures become located errors (never with credentials in them)."""
    import httpx

    try:
        auth = kw.pop("auth", None)  # send() takes the auth, build_request() does not
        response = client.send(client.build_request(method, url, **kw), auth=auth, stream=True)
        try:  # read at most MAX_BODY bytes: a partner cannot make us hold an endless answer in memory
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BODY:
                    raise _fail(f"the partner's answer is larger than {MAX_BODY // 2**20} MiB", url,
                                "ask for fewer footprints at a time (--product-id, --filter), or tell the partner")
        finally:
            response.close()
        return httpx.Response(response.status_code, headers=response.headers, content=bytes(body),
                              request=response.request)
    except httpx.TimeoutException:
        raise _fail("the partner did not answer in time", url, "check the URL and the network, or raise --timeout"
                    ) from None
    except httpx.HTTPError as exc:  # connection refused, TLS failure, …: the class name and first line only
        text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        hint = ("the partner's certificate is not trusted: pass its CA with --ca-file" if "CERTIFICATE" in text.upper()
                else "check the URL, that the partner's server runs, and the network")
        raise _fail(f"cannot reach the partner: {type(exc).__name__}{': ' + text if text else ''}", url, hint
                    ) from None


def _pact_error(response: Any) -> str:
    """``HTTP 403 AccessDenied: message`` from a PACT error body (``code``, ``message``), if it has one."""
    head = f"HTTP {response.status_code}"
    try:
        body = response.json()
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's stack
        return head
    if isinstance(body, Mapping) and ("code" in body or "message" in body):
        return f"{head} {str(body.get('code', ''))[:60]}: {str(body.get('message', ''))[:200]}".rstrip(": ")
    return head


def _json(response: Any, url: str) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's stack
        raise _fail("the partner's answer is not JSON", url, "is the URL the partner's PACT API?") from None


def token_url(client: Any, partner: Partner) -> str:
    """The token endpoint: the OpenID configuration's ``token_endpoint`` if it has one, else ``/auth/token``."""
    fallback = f"{partner.base}/auth/token"
    r = _send(client, "GET", f"{partner.base}/.well-known/openid-configuration")
    if r.status_code != 200:
        return fallback
    try:
        doc = r.json()
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's stack
        return fallback
    endpoint = doc.get("token_endpoint") if isinstance(doc, Mapping) else None
    if isinstance(endpoint, str):
        check_url(endpoint, "token_endpoint")
        return endpoint
    return fallback


def access_token(client: Any, partner: Partner) -> str:
    """A bearer token by the client-credentials grant (HTTP Basic). The secret is sent, never shown."""
    url = token_url(client, partner)
    r = _send(client, "POST", url, data={"grant_type": "client_credentials"},
              auth=(partner.client_id, partner.client_secret), headers={"Accept": "application/json"})
    if r.status_code in (400, 401, 403):
        raise _fail(f"the partner refused the credentials of client '{partner.client_id}' ({_pact_error(r)})", url,
                    "check --client-id and --client-secret (or LCA_CLIENT_SECRET) with the partner")
    if r.status_code != 200:
        raise _fail(f"the token request failed ({_pact_error(r)})", url, "try again later, or ask the partner")
    body = _json(r, url)
    token = body.get("access_token") if isinstance(body, Mapping) else None
    if not isinstance(token, str) or not token:
        raise _fail("the token answer has no access_token", url, "the partner's token endpoint is not OAuth2")
    return token


def next_link(header: str | None) -> str | None:
    """The URL of ``rel="next"`` in a ``Link`` header (RFC 8288), or None."""
    if not header:
        return None
    for part in header.split(","):
        if ";" not in part:
            continue
        target, _, params = part.partition(";")
        rels = [p.strip() for p in params.split(";")]
        if any(p.replace(" ", "").lower() in ('rel="next"', "rel=next") for p in rels):
            return target.strip().strip("<>").strip()
    return None


def fetch_footprints(client: Any, partner: Partner, token: str, params: Sequence[tuple[str, str]],
                     progress: Callable[[str], None] | None = None) -> list[tuple[Any, str]]:
    """Every footprint of the list, page after page: (footprint, where it came from)."""
    url: str | None = f"{partner.base}/3/footprints"
    query: Sequence[tuple[str, str]] | None = list(params)
    seen: set[str] = set()
    out: list[tuple[Any, str]] = []
    page = 0
    while url is not None:
        page += 1
        if page > MAX_PAGES or url in seen:
            raise _fail(f"the list of footprints does not end (page {page})", url,
                        "the partner's Link header loops; tell the partner")
        seen.add(url)
        r = _send(client, "GET", url, params=query, headers={"Authorization": f"Bearer {token}",
                                                              "Accept": "application/json"})
        if r.status_code != 200:
            hint = ("the token was refused: check the credentials and that this client may read footprints"
                    if r.status_code in (401, 403) else "check the filters, or ask the partner")
            raise _fail(f"listing footprints failed ({_pact_error(r)})", str(r.url), hint)
        body = _json(r, str(r.url))
        data = body.get("data") if isinstance(body, Mapping) else None
        if not isinstance(data, list):
            raise _fail("the answer has no 'data' list", str(r.url), "is the URL the partner's PACT v3 API?")
        where = f"{partner.base}/3/footprints page {page}"
        out += [(doc, where) for doc in data]
        if progress:
            progress(f"page {page}: {len(data)} footprint(s), {len(out)} in all")
        link = next_link(r.headers.get("link"))
        if link is not None:
            parts = urlsplit(link)
            if not (parts.scheme in ("http", "https") and parts.netloc):
                raise _fail(f"the Link rel=\"next\" URL {link!r:.80} is not absolute", str(r.url),
                            "PACT v3 requires an absolute URL in Link; tell the partner")
        url, query = link, None  # the next URL carries its own query
    return out


def checked(docs: Iterable[tuple[Any, str]], spec: Path | str | None = None) -> list[dict[str, Any]]:
    """The footprints, each checked (:func:`lca.exchange.validate.footprint_problems`); every problem
    of every footprint at once, or the footprints (one per id: an id twice with different content is refused)."""
    problems: list[Problem] = []
    by_id: dict[str, dict[str, Any]] = {}
    for i, (doc, where) in enumerate(docs, 1):
        found = footprint_problems(doc, where=where, index=i, spec=spec)
        if found:
            problems += found
            continue
        key = bare_id(str(doc["id"]))
        if key in by_id and by_id[key] != doc:
            problems.append(Problem(f"footprint id {key} was sent twice with different content", file=where,
                                    table=f"footprint #{i}", hint="tell the partner: an id names one content"))
        by_id[key] = doc
    if problems:
        raise ExchangeError(problems)
    return list(by_id.values())


@dataclass(frozen=True)
class Received:
    """What a pull or a fulfilled request stored: the ids, the files (for a folder store), the checks used."""

    ids: tuple[str, ...]
    stored: tuple[str, ...]
    schema: str


def _store(docs: list[dict[str, Any]], store: ReceivedFootprints, spec: Path | str | None) -> Received:
    from lca.study.received import FolderFootprints, same_content

    put = getattr(store, "put", None)
    if put is None:
        raise ExchangeError(Problem(f"the store {store.label} cannot take footprints (it has no put())"))
    # an id already stored with other content would stop put() half-way: found before anything is stored
    empty = isinstance(store, FolderFootprints) and not store.folder.is_dir()  # (pull makes the folder)
    clashes = [] if empty else [Problem(f"footprint id {bare_id(str(d['id']))} is already stored with different content",
                       file=store.label, hint="a PACT id names one content: ask the partner why it changed")
               for d in docs if (old := store.get(str(d["id"]))) is not None and not same_content(old, d)]
    if clashes:
        raise ExchangeError(clashes)
    stored = [str(put(doc)) for doc in docs]  # all were checked first: nothing is stored unless all pass
    return Received(tuple(bare_id(str(d["id"])) for d in docs), tuple(stored), schema_used(spec))


def pull(partner: Partner, store: ReceivedFootprints, *, product_ids: Sequence[str] = (),
         filters: Sequence[tuple[str, str]] = (), spec: Path | str | None = None,
         progress: Callable[[str], None] | None = None) -> Received:
    """Fetch the partner's footprints (filtered), check every one, store them all (or none)."""
    check_url(partner.url)
    for key, _ in filters:
        if key not in FILTERS:
            raise ExchangeError(Problem(f"unknown filter '{key}'", column="--filter",
                                        hint="PACT v3 filters: " + ", ".join(FILTERS)))
    params = [("productId", p) for p in product_ids] + list(filters)
    with _http(partner) as client:
        token = access_token(client, partner)
        docs = fetch_footprints(client, partner, token, params, progress)
    return _store(checked(docs, spec), store, spec)


def request_event(product_ids: Sequence[str], source: str, *, comment: str | None = None,
                  event_id: str | None = None, time_text: str | None = None) -> dict[str, Any]:
    """A PACT v3 ``RequestCreated`` CloudEvent asking for the footprints of ``product_ids``."""
    from lca.timestamps import now_utc

    data: dict[str, Any] = {"productId": list(product_ids)}
    if comment:
        data["comment"] = comment
    return {"type": REQUEST_CREATED, "specversion": "1.0", "id": event_id or str(uuid.uuid4()), "source": source,
            "time": time_text or now_utc(), "data": data}


def send_request(partner: Partner, event: Mapping[str, Any]) -> None:
    """POST the event to the partner's ``/3/events`` (accepted: any 2xx)."""
    check_url(partner.url)
    with _http(partner) as client:
        token = access_token(client, partner)
        url = f"{partner.base}/3/events"
        r = _send(client, "POST", url, content=json.dumps(event).encode(),
                  headers={"Authorization": f"Bearer {token}", "Content-Type": CLOUDEVENTS})
    if not 200 <= r.status_code < 300:
        raise _fail(f"the partner did not accept the request ({_pact_error(r)})", url,
                    "check the product ids, and that this client may send events")


def wait_for_answer(inbox: EventInbox, request_id: str, *, timeout: float, poll: float = 2.0,
                    clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                    progress: Callable[[float], None] | None = None) -> dict[str, Any]:
    """The answer to ``request_id`` from ``inbox``, polling every ``poll`` s for at most ``timeout`` s."""
    start = clock()
    while True:
        answer = inbox.answer(request_id)
        if answer is not None:
            return answer
        waited = clock() - start
        if waited >= timeout:
            raise ExchangeError(Problem(f"no answer to request {request_id} within {timeout:g} s", file=inbox.label,
                                        hint=f"the partner may answer later: wait again with `lca request --wait "
                                             f"{request_id} …`"))
        if progress:
            progress(waited)
        sleep(min(poll, max(0.0, timeout - waited)))


def take_answer(answer: Mapping[str, Any], store: ReceivedFootprints, *, where: str,
                spec: Path | str | None = None) -> Received:
    """Store the footprints of a RequestFulfilled event (checked like pulled ones); a RequestRejected
    event is an error with the partner's code and message."""
    kind = ANSWER_TYPES.get(str(answer.get("type")))
    data = answer.get("data") if isinstance(answer.get("data"), Mapping) else {}
    if kind == "rejected":
        err = data.get("error") if isinstance(data.get("error"), Mapping) else {}
        raise ExchangeError(Problem(f"the partner rejected the request: {str(err.get('code', ''))[:60]}: "
                                    f"{str(err.get('message', ''))[:200]}", file=where,
                                    hint="ask the partner, or request other product ids"))
    pfs = data.get("pfs")
    if not isinstance(pfs, list) or not pfs:
        raise ExchangeError(Problem("the RequestFulfilled event has no footprints (data.pfs)", file=where,
                                    hint="tell the partner: a fulfilled request carries a non-empty pfs list"))
    return _store(checked([(doc, f"{where} data.pfs") for doc in pfs], spec), store, spec)
