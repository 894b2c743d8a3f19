"""Clients (OAuth2 client credentials) and bearer tokens of a :class:`~lca.exchange.store.Store`."""

from __future__ import annotations

import datetime as dt
import re

from lca.errors import LcaInputError, Problem
from lca.exchange import auth
from lca.timestamps import now_utc, utc_text

SCOPES = ("footprint:list", "footprint:read", "events:write")
CLIENT_ID = re.compile(r"^[A-Za-z0-9._~-]{1,128}$")
DEFAULT_TTL = 3600  # seconds a token lives


class AccessMixin:
    """Client and token methods of the store (``self.engine`` is the SQLAlchemy engine)."""

    engine: object

    def add_client(self, client_id: str, *, scopes: tuple[str, ...] = SCOPES, name: str | None = None,
                   secret: str | None = None) -> str:
        """Register a client; returns its secret (shown once: only a salted hash is stored)."""
        from lca.exchange import models as m

        if not CLIENT_ID.match(client_id):
            raise LcaInputError(Problem(f"client id '{client_id[:80]}' may use only letters, digits and . _ ~ - "
                                        "(1 to 128 characters)"))
        bad = [s for s in scopes if s not in SCOPES]
        if bad:
            raise LcaInputError(Problem(f"unknown scope(s): {', '.join(bad)}", hint="use " + ", ".join(SCOPES)))
        secret = secret or auth.new_secret()
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            row = conn.execute(m.clients.select().where(m.clients.c.client_id == client_id)).first()
            if row is not None:
                raise LcaInputError(Problem(f"client '{client_id}' exists",
                                            hint="revoke it first (lca clients revoke) or choose another id"))
            conn.execute(m.clients.insert().values(client_id=client_id, secret_hash=auth.hash_secret(secret),
                                                   scopes=" ".join(scopes), name=name, created=now_utc()))
        return secret

    def clients(self) -> list[dict]:
        """Every client (no secret, not even its hash)."""
        from lca.exchange import models as m

        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            rows = conn.execute(m.clients.select().order_by(m.clients.c.client_id)).mappings().all()
        return [{"client_id": r["client_id"], "name": r["name"] or "", "scopes": r["scopes"],
                 "created": r["created"], "revoked": r["revoked"] or ""} for r in rows]

    def revoke_client(self, client_id: str) -> None:
        """Revoke a client: its secret stops working and its tokens are deleted at once."""
        from lca.exchange import models as m

        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            row = conn.execute(m.clients.select().where(m.clients.c.client_id == client_id)).first()
            if row is None:
                raise LcaInputError(Problem(f"no client '{client_id[:80]}'", hint="lca clients list shows them"))
            conn.execute(m.clients.update().where(m.clients.c.client_id == client_id).values(revoked=now_utc()))
            conn.execute(m.tokens.delete().where(m.tokens.c.client_id == client_id))

    def issue_token(self, client_id: str, secret: str, *, ttl: int = DEFAULT_TTL) -> tuple[str, int] | None:
        """A bearer token for valid, unrevoked credentials (and its lifetime in s), else None."""
        from lca.exchange import models as m

        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            row = conn.execute(m.clients.select().where(m.clients.c.client_id == client_id)).mappings().first()
        if row is None:
            auth.verify_secret(secret, auth.hash_secret("x"))  # same work either way: no timing oracle on ids
            return None
        if row["revoked"] or not auth.verify_secret(secret, row["secret_hash"]):
            return None
        token = auth.new_token()
        now = dt.datetime.now(dt.timezone.utc)
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(m.tokens.delete().where(m.tokens.c.expires < utc_text(now)))  # housekeeping
            conn.execute(m.tokens.insert().values(token_hash=auth.token_hash(token), client_id=client_id,
                                                  scopes=row["scopes"],
                                                  expires=utc_text(now + dt.timedelta(seconds=ttl))))
        return token, ttl

    def check_token(self, token: str) -> tuple[str, str, tuple[str, ...]] | None:
        """``(client_id, "ok" | "expired", scopes)`` for a token this store issued, else None."""
        from lca.exchange import models as m

        if not token or len(token) > 512:
            return None
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            row = conn.execute(m.tokens.select().where(m.tokens.c.token_hash == auth.token_hash(token))).mappings().first()
        if row is None:
            return None
        return row["client_id"], ("expired" if row["expires"] <= now_utc() else "ok"), tuple(row["scopes"].split())
