"""CloudEvents of the v3 ``/3/events`` endpoint: validation, the answer to a RequestCreated event,
and the worker that delivers callbacks to partners.

A partner is known by the base URL it sends as the event ``source``; its credentials (for a token
from ``{source}/auth/token``) come from the partners file given to ``lca serve --partners``. An event
from a source with no credentials is accepted, and its callback is recorded as abandoned without any
network call: ``lca serve`` calls out only to the partners configured.
"""

from __future__ import annotations

import logging
import threading
import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from lca.errors import LcaInputError, Problem
from lca.exchange.filters import FilterError, Filters
from lca.timestamps import now_utc, parse_utc

log = logging.getLogger("lca.serve")

PREFIX = "org.wbcsd.pact.ProductFootprint."
CREATED, FULFILLED, REJECTED, PUBLISHED = (PREFIX + t + ".3" for t in
                                          ("RequestCreatedEvent", "RequestFulfilledEvent",
                                           "RequestRejectedEvent", "PublishedEvent"))
TYPES = (CREATED, FULFILLED, REJECTED, PUBLISHED)


class EventError(ValueError):
    """An invalid event: the message says what (a 400 BadRequest)."""


def validate(event: Any) -> dict:
    """Check an event's CloudEvents envelope and its v3 ``data``; returns it, or raises :class:`EventError`."""
    if not isinstance(event, dict):
        raise EventError("the body must be a CloudEvents JSON object")
    for key in ("type", "specversion", "id", "source", "time"):
        if not isinstance(event.get(key), str) or not event[key].strip():
            raise EventError(f"'{key}' must be a non-empty string")
    if event["specversion"] != "1.0":
        raise EventError("'specversion' must be \"1.0\"")
    if len(event["id"]) > 256 or len(event["source"]) > 1024:
        raise EventError("'id' or 'source' too long")
    try:
        parse_utc(event["time"])
    except ValueError:
        raise EventError("'time' must be an ISO 8601 date-time") from None
    if event["type"] not in TYPES:
        raise EventError(f"unknown event type '{event['type'][:120]}'; expected one of {', '.join(TYPES)}")
    data = event.get("data")
    if not isinstance(data, dict):
        raise EventError("'data' must be an object")
    if event["type"] == PUBLISHED:
        ids = data.get("pfIds")
        if not isinstance(ids, list) or not ids:
            raise EventError("PublishedEvent: data.pfIds must be a non-empty list of footprint ids (UUIDs)")
        for i in ids:
            if not _is_uuid(i):
                raise EventError(f"PublishedEvent: data.pfIds: {str(i)[:80]!r} is not a UUID")
    elif event["type"] == CREATED:
        try:
            Filters.from_mapping(data)
        except FilterError as exc:
            raise EventError(f"RequestCreatedEvent: data.{exc}") from None
    else:
        if not isinstance(data.get("requestEventId"), str):
            raise EventError("data.requestEventId must be a string")
        if event["type"] == FULFILLED:
            pfs = data.get("pfs")
            if not isinstance(pfs, list) or not pfs or not all(isinstance(p, dict) and _is_uuid(p.get("id")) for p in pfs):
                raise EventError("RequestFulfilledEvent: data.pfs must be a non-empty list of footprints with UUID ids")
        else:
            error = data.get("error")
            if not isinstance(error, dict) or not isinstance(error.get("code"), str) \
                    or not isinstance(error.get("message"), str):
                raise EventError("RequestRejectedEvent: data.error must be an object with 'code' and 'message'")
    return event


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def partner_base(source: str) -> str | None:
    """The base URL of an event's ``source`` (``https://x/3/events`` and ``//x`` read as ``https://x``);
    None if it is no http(s) URL."""
    s = source.strip()
    if s.startswith("//"):
        s = "https:" + s
    if not s.lower().startswith(("https://", "http://")):
        return None
    s = s.rstrip("/")
    if s.endswith("/3/events"):
        s = s[: -len("/3/events")]
    return s


def answer(store, event: dict, *, public_url: str) -> dict:
    """The RequestFulfilled (footprints matching the request's filters; Active ones unless the request
    names a status) or RequestRejected event."""
    data = event["data"]
    filters = Filters.from_mapping(data if "status" in data else {**data, "status": "Active"})
    docs, _ = store.query(filters, limit=100)
    base = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": public_url, "time": now_utc()}
    if docs:
        return {"type": FULFILLED, **base, "data": {"requestEventId": event["id"], "pfs": docs}}
    return {"type": REJECTED, **base, "data": {"requestEventId": event["id"], "error": {
        "code": "NotFound", "message": "no footprint matches the request's criteria"}}}


@dataclass(frozen=True)
class Partner:
    """Credentials this host uses to call a partner back (``[[partner]]`` of the partners file)."""

    source: str
    client_id: str
    client_secret: str
    ca_file: str | None = None

    def __repr__(self) -> str:  # never print the secret
        return f"Partner(source={self.source!r}, client_id={self.client_id!r})"


def load_partners(path: Path | None) -> dict[str, Partner]:
    """``[[partner]] source, client_id, client_secret (or client_secret_env), ca_file`` from a TOML file."""
    import os

    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LcaInputError(Problem(f"cannot read the partners file: {exc}", file=str(path))) from None
    out = {}
    for i, p in enumerate(data.get("partner", []), start=1):
        where = dict(file=str(path), table="partner", row=i)
        secret = p.get("client_secret") or os.environ.get(str(p.get("client_secret_env", "")), "")
        base = partner_base(str(p.get("source", "")))
        if base is None or not p.get("client_id") or not secret:
            raise LcaInputError(Problem("a partner needs source (an https URL), client_id and client_secret "
                                        "(or client_secret_env naming a set environment variable)", **where))
        from lca.exchange.client import ExchangeError, check_url

        try:
            check_url(base, "source")
        except ExchangeError as exc:  # located in the partners file, not as a command-line option
            raise LcaInputError([Problem(x.message, **where, column="source", hint=x.hint)
                                 for x in exc.problems]) from None
        out[base] = Partner(base, str(p["client_id"]), str(secret), p.get("ca_file"))
    return out


class CallbackWorker:
    """A thread that POSTs queued callbacks to ``{source}/3/events`` with a partner token."""

    def __init__(self, store, partners: Mapping[str, Partner], *, timeout: float = 10.0):
        self.store, self.partners, self.timeout = store, dict(partners), timeout
        self.wake = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="lca-callbacks", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.wake.set()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                for cb in self.store.due_callbacks():
                    if self.stop.is_set():
                        return
                    if cb["source"] not in self.partners:  # no network call to a stranger
                        self.store.callback_abandon(cb["seq"], "no partner credentials configured for this source")
                        log.warning("callback to %s abandoned: no partner credentials configured", cb["source"])
                        continue
                    ok, error = self._send(cb)
                    self.store.callback_done(cb["seq"], ok=ok, error=error)
            except Exception as exc:  # noqa: BLE001 — the worker must outlive a database hiccup
                log.warning("callback worker: %s", type(exc).__name__)
            self.wake.wait(timeout=2.0)
            self.wake.clear()

    def _send(self, cb: dict) -> tuple[bool, str | None]:
        import httpx

        partner = self.partners[cb["source"]]
        verify: Any = partner.ca_file or True
        try:
            with httpx.Client(timeout=self.timeout, verify=verify, follow_redirects=False) as client:
                r = client.post(f"{partner.source}/auth/token", data={"grant_type": "client_credentials"},
                                auth=(partner.client_id, partner.client_secret))
                if r.status_code != 200:
                    return False, f"token endpoint answered {r.status_code}"
                token = r.json().get("access_token")
                if not isinstance(token, str):
                    return False, "token endpoint gave no access_token"
                r = client.post(cb["target"], content=cb["body"].encode(),
                                headers={"Content-Type": "application/cloudevents+json; charset=UTF-8",
                                         "Authorization": f"Bearer {token}"})
        except (httpx.HTTPError, ValueError) as exc:
            return False, f"{type(exc).__name__}: {str(exc)[:200]}"
        if 200 <= r.status_code < 300:
            log.info("callback %s sent to %s", cb["type"].rsplit(".", 2)[-2], partner.source)
            return True, None
        return False, f"{cb['target']} answered {r.status_code}"
