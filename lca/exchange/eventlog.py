"""Received events (replays detected by CloudEvents ``(source, id)``) and outgoing callbacks with
their retry state, in a :class:`~lca.exchange.store.Store`."""

from __future__ import annotations

import datetime as dt
import json

from lca.timestamps import now_utc, utc_text

#: retry back-off (spec: exponential, abandon after 72 h): 10 s, 20 s, 40 s, … capped at 1 h
FIRST_RETRY, MAX_RETRY, GIVE_UP_AFTER = 10, 3600, 72 * 3600


class EventLogMixin:
    engine: object

    def record_event(self, event: dict, *, client_id: str | None) -> bool:
        """Store a received event; False if ``(source, id)`` was seen before (a replay: not acted on again)."""
        import sqlalchemy as sa
        from lca.exchange import models as m

        try:
            with self.engine.begin() as conn:  # type: ignore[attr-defined]
                conn.execute(m.events.insert().values(source=str(event["source"])[:1024], event_id=str(event["id"])[:256],
                                                      type=str(event["type"])[:128], client_id=client_id,
                                                      received=now_utc(), body=json.dumps(event, ensure_ascii=False)))
        except sa.exc.IntegrityError:
            return False
        return True

    def events(self) -> list[dict]:
        from lca.exchange import models as m

        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            rows = conn.execute(m.events.select().order_by(m.events.c.seq)).mappings().all()
        return [json.loads(r["body"]) for r in rows]

    def queue_callback(self, *, target: str, source: str, event: dict) -> None:
        """An event to POST to ``target`` (sent by the server's callback worker, retried on failure)."""
        from lca.exchange import models as m

        now = now_utc()
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(m.callbacks.insert().values(target=target, source=source, type=event["type"],
                                                     body=json.dumps(event, ensure_ascii=False), state="pending",
                                                     attempts=0, next_attempt=now, created=now, done=False))

    def due_callbacks(self, limit: int = 20) -> list[dict]:
        from lca.exchange import models as m

        c = m.callbacks
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            rows = conn.execute(c.select().where(c.c.done.is_(False), c.c.next_attempt <= now_utc())
                                .order_by(c.c.seq).limit(limit)).mappings().all()
        return [dict(r) for r in rows]

    def callbacks(self) -> list[dict]:
        from lca.exchange import models as m

        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            return [dict(r) for r in conn.execute(m.callbacks.select().order_by(m.callbacks.c.seq)).mappings()]

    def callback_done(self, seq: int, *, ok: bool, error: str | None = None) -> None:
        """Record an attempt: sent, or failed (next try after an exponential back-off; abandoned after 72 h)."""
        from lca.exchange import models as m

        c = m.callbacks
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            row = conn.execute(c.select().where(c.c.seq == seq)).mappings().one()
            attempts = row["attempts"] + 1
            if ok:
                conn.execute(c.update().where(c.c.seq == seq).values(state="sent", attempts=attempts, done=True,
                                                                     last_error=None))
                return
            now = dt.datetime.now(dt.timezone.utc)
            created = dt.datetime.fromisoformat(row["created"].replace("Z", "+00:00"))
            wait = min(FIRST_RETRY * 2 ** (attempts - 1), MAX_RETRY)
            give_up = (now - created).total_seconds() + wait > GIVE_UP_AFTER
            conn.execute(c.update().where(c.c.seq == seq).values(
                state="abandoned" if give_up else "pending", attempts=attempts, done=give_up,
                next_attempt=utc_text(now + dt.timedelta(seconds=wait)), last_error=(error or "")[:2000]))

    def callback_abandon(self, seq: int, reason: str) -> None:
        """Give a callback up without trying (its source is no configured partner)."""
        from lca.exchange import models as m

        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(m.callbacks.update().where(m.callbacks.c.seq == seq).values(
                state="abandoned", done=True, last_error=reason))


class RequestLogMixin:
    """Outgoing requests (``lca request``) and their answers: a RequestFulfilled/Rejected event that
    reaches ``lca serve`` is accepted only as the first answer to a request this store sent."""

    engine: object

    def record_request(self, event: dict, *, partner: str) -> None:
        """Remember a RequestCreated event sent to ``partner`` (its base URL)."""
        from lca.exchange import models as m

        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(m.requests.insert().values(event_id=str(event["id"]), partner=partner[:1024],
                                                    product_ids=json.dumps(event["data"].get("productId") or []),
                                                    created=now_utc()))

    def request_state(self, request_id: str) -> str:
        """``unknown`` (we sent no such request), ``open`` or ``answered``."""
        from lca.exchange import models as m

        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            row = conn.execute(m.requests.select().where(m.requests.c.event_id == request_id)).mappings().first()
        return "unknown" if row is None else ("open" if row["answered"] is None else "answered")

    def answer_request(self, event: dict, pfs_received: list[dict] = (), *, source: str | None = None) -> bool:
        """Accept ``event`` as the answer to its ``data.requestEventId``, storing its footprints (if
        any) as received, in ONE transaction; False if that request is unknown or already answered."""
        from lca.exchange import models as m

        r = m.requests
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            done = conn.execute(r.update().where(r.c.event_id == str(event["data"]["requestEventId"]),
                                                 r.c.answered.is_(None))
                                .values(answered=now_utc(), answer=json.dumps(event, ensure_ascii=False)))
            if done.rowcount != 1:
                return False
            for doc in pfs_received:
                self._put_received(conn, doc, source=source)  # type: ignore[attr-defined]
        return True

    def request_answer(self, request_id: str) -> dict | None:
        """The accepted answer to one of our requests, or None while there is none."""
        from lca.exchange import models as m

        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            text = conn.execute(m.requests.select().with_only_columns(m.requests.c.answer)
                                .where(m.requests.c.event_id == request_id)).scalar()
        return None if text is None else json.loads(text)
