"""The PACT v3 host API (Starlette): ``/auth/token``, ``/.well-known/openid-configuration``,
``GET /3/footprints``, ``GET /3/footprints/{id}`` and ``POST /3/events``.

Errors are PACT ``Error`` bodies (``{"code", "message"}``) with the spec's status codes; a request
never gets a 500 for being malformed: oversized or non-JSON bodies, wrong content types, unknown
parameters, bad tokens and replayed events are 4xx. The store is synchronous SQLAlchemy, called in
Starlette's thread pool so one slow query does not hold the event loop.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from lca.exchange import events as ev
from lca.exchange.filters import FilterError, Filters, paging

log = logging.getLogger("lca.serve")
MAX_BODY = 1024 * 1024  # events carry filters or ids; a fulfilled event with 100 footprints is ~1 MB
DEFAULT_LIMIT = 100
STATUS_CODE = {400: "BadRequest", 401: "BadRequest", 403: "AccessDenied", 404: "NotFound", 405: "BadRequest",
               413: "BadRequest", 415: "BadRequest", 500: "InternalError", 501: "NotImplemented"}


@dataclass
class Settings:
    """What ``lca serve`` hands the application."""

    store: Any
    public_url: str
    token_ttl: int = 3600
    partners: dict = field(default_factory=dict)
    callbacks: bool = True  # run the callback worker (off in unit tests that inspect the queue)


def error(status: int, message: str, code: str | None = None, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"code": code or STATUS_CODE.get(status, "BadRequest"), "message": message},
                        status_code=status, headers=headers)


async def read_body(request: Request) -> bytes:
    """The request body, refused past :data:`MAX_BODY` without reading it all into memory."""
    size = request.headers.get("content-length")
    if size is not None and (not size.isdigit() or int(size) > MAX_BODY):
        raise HTTPException(413, f"body larger than {MAX_BODY} bytes")
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > MAX_BODY:
            raise HTTPException(413, f"body larger than {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header[:6].lower() == "basic ":
        return None
    try:
        text = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    user, sep, secret = text.partition(":")
    return (unquote(user), unquote(secret)) if sep else None


async def bearer(request: Request, scope: str) -> JSONResponse | str:
    """The client id of a valid bearer token with ``scope``, or the error response to send."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() != "bearer " or not header[7:].strip():
        return error(401, "missing bearer token: get one from /auth/token", headers={"WWW-Authenticate": "Bearer"})
    store = request.app.state.settings.store
    found = await run_in_threadpool(store.check_token, header[7:].strip())
    if found is None:
        return error(401, "invalid access token", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    client_id, state, scopes = found
    if state == "expired":
        return error(401, "the access token has expired: get a new one from /auth/token", code="TokenExpired",
                     headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if scope not in scopes:
        return error(403, f"this client may not {scope.replace(':', ' ')} (scope '{scope}' not granted)")
    return client_id


async def token(request: Request) -> Response:
    """OAuth2 client-credentials grant (RFC 6749 §4.4): HTTP Basic (or form) credentials."""
    s: Settings = request.app.state.settings
    body = await read_body(request)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in ("application/x-www-form-urlencoded", ""):
        return JSONResponse({"error": "invalid_request", "error_description": "send a form "
                             "(application/x-www-form-urlencoded)"}, status_code=400)
    try:
        form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20))
    except (UnicodeDecodeError, ValueError):
        return JSONResponse({"error": "invalid_request"}, status_code=400)
    creds = basic_credentials(request.headers.get("authorization"))
    if creds is None and form.get("client_id") and "client_secret" in form:
        creds = form["client_id"], form["client_secret"]
    if creds is None:
        return JSONResponse({"error": "invalid_client", "error_description": "HTTP Basic client credentials needed"},
                            status_code=401, headers={"WWW-Authenticate": 'Basic realm="lca"'})
    if form.get("grant_type") != "client_credentials":
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
    if len(creds[0]) > 128 or len(creds[1]) > 512:
        return JSONResponse({"error": "invalid_client"}, status_code=401, headers={"WWW-Authenticate": 'Basic realm="lca"'})
    issued = await run_in_threadpool(s.store.issue_token, creds[0], creds[1], ttl=s.token_ttl)
    if issued is None:
        return JSONResponse({"error": "invalid_client"}, status_code=401, headers={"WWW-Authenticate": 'Basic realm="lca"'})
    tok, ttl = issued
    return JSONResponse({"access_token": tok, "token_type": "bearer", "expires_in": ttl},
                        headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


async def openid(request: Request) -> Response:
    base = request.app.state.settings.public_url
    return JSONResponse({"issuer": base, "token_endpoint": f"{base}/auth/token",
                         "grant_types_supported": ["client_credentials"],
                         "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                         "response_types_supported": ["token"], "subject_types_supported": ["public"],
                         "id_token_signing_alg_values_supported": ["none"],
                         "jwks_uri": f"{base}/.well-known/jwks.json"})


async def jwks(request: Request) -> Response:
    return JSONResponse({"keys": []})  # opaque tokens: nothing to verify locally


async def list_footprints(request: Request) -> Response:
    s: Settings = request.app.state.settings
    who = await bearer(request, "footprint:list")
    if isinstance(who, Response):
        return who
    items = parse_qsl(request.url.query, keep_blank_values=True, max_num_fields=500)
    try:
        filters = Filters.from_query(items, allow_paging=True)
        offset, limit = paging(items, DEFAULT_LIMIT)
    except (FilterError, ValueError) as exc:
        return error(400, str(exc))
    docs, more = await run_in_threadpool(s.store.query, filters, offset=offset, limit=limit, raw=True)
    headers = {}
    if more:
        kept = [(k, v) for k, v in items if k.lower() not in ("limit", "offset")]
        query = urlencode(kept + [("limit", str(limit)), ("offset", str(offset + limit))], quote_via=quote)
        headers["Link"] = f'<{s.public_url}/3/footprints?{query}>; rel="next"'
    # the stored texts are the documents as served: spliced, not parsed and re-serialised
    return Response('{"data":[' + ",".join(docs) + "]}", media_type="application/json", headers=headers)


async def get_footprint(request: Request) -> Response:
    s: Settings = request.app.state.settings
    who = await bearer(request, "footprint:read")
    if isinstance(who, Response):
        return who
    fid = request.path_params["id"]
    try:
        fid = str(uuid.UUID(fid)) if len(fid) == 36 else None
    except ValueError:
        fid = None
    if fid is None:
        return error(400, "the footprint id must be a UUID")
    doc = await run_in_threadpool(s.store.get, fid, raw=True)
    if doc is None:
        return error(404, "The requested footprint could not be found.")
    return Response('{"data":' + doc + "}", media_type="application/json")


async def post_event(request: Request) -> Response:
    s: Settings = request.app.state.settings
    who = await bearer(request, "events:write")
    if isinstance(who, Response):
        return who
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/cloudevents+json":
        return error(400, "events are sent as application/cloudevents+json (CloudEvents structured mode)")
    body = await read_body(request)
    try:
        event = ev.validate(json.loads(body.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return error(400, "the body is not valid JSON")
    except ev.EventError as exc:
        return error(400, str(exc))
    answering = event["type"] in (ev.FULFILLED, ev.REJECTED)
    if answering:  # an answer is taken only to a request we sent (lca request recorded it), and only once
        state = await run_in_threadpool(s.store.request_state, event["data"]["requestEventId"])
        if state == "unknown":
            return error(400, "data.requestEventId names no request this host sent")
        pfs = (event["data"].get("pfs") or []) if event["type"] == ev.FULFILLED else []
        if pfs:
            from lca.disclosure import check_pact

            problems = check_pact(pfs, "v3")
            if problems:  # stored only if every footprint passes the lca check rules
                return error(400, "RequestFulfilledEvent: " + "; ".join(str(p) for p in problems[:5]))
    fresh = await run_in_threadpool(s.store.record_event, event, client_id=who)
    if not fresh:
        return Response(status_code=200)  # a replay: accepted, not acted on twice
    if event["type"] == ev.CREATED:
        base = ev.partner_base(event["source"])
        if base is not None:
            reply = await run_in_threadpool(ev.answer, s.store, event, public_url=s.public_url)
            await run_in_threadpool(s.store.queue_callback, target=f"{base}/3/events", source=base, event=reply)
            worker = getattr(request.app.state, "worker", None)
            if worker is not None:
                worker.wake.set()
    elif answering:  # the answer to our request (lca request waits for it in this store): keep what came
        taken = await run_in_threadpool(s.store.answer_request, event, pfs, source=event["source"])
        if not taken:
            return error(400, "the request data.requestEventId names was answered already")
    return Response(status_code=200)


async def http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    if status == 404:
        return error(404, "no such endpoint: the PACT v3 API serves /3/footprints, /3/events and /auth/token")
    return error(status, str(getattr(exc, "detail", "")) or "bad request")


async def internal_error(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return error(500, "internal error")


def create_app(settings: Settings) -> Starlette:
    """The ASGI application; ``settings.store`` is an open :class:`~lca.exchange.store.Store`."""

    @contextlib.asynccontextmanager
    async def lifespan(app):
        worker = None
        if settings.callbacks:
            worker = ev.CallbackWorker(settings.store, settings.partners)
            worker.start()
            app.state.worker = worker
        try:
            yield
        finally:
            if worker is not None:
                worker.close()

    routes = [
        Route("/auth/token", token, methods=["POST"]),
        Route("/.well-known/openid-configuration", openid, methods=["GET"]),
        Route("/.well-known/jwks.json", jwks, methods=["GET"]),
        Route("/3/footprints", list_footprints, methods=["GET"]),
        Route("/3/footprints/{id}", get_footprint, methods=["GET"]),
        Route("/3/events", post_event, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: http_error, Exception: internal_error})
    app.state.settings = settings
    return app
