"""The tables of the footprint store (SQLAlchemy 2 Core). Changing one needs an alembic revision in
:mod:`lca.exchange.migrations.versions`; ``tests/test_exchange_store.py`` checks the two agree.

Date-times are stored as UTC text ``YYYY-MM-DDTHH:MM:SSZ`` (one fixed width), so comparing them as
strings orders them in time on SQLite and PostgreSQL alike, and they are served as they are, with ``Z``.
Filter values (product/company ids, classifications, geographies) are stored lower-cased in
``footprint_keys`` because the v3 filters match case-insensitively.
"""

from __future__ import annotations

from sqlalchemy import (Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)

metadata = MetaData()

TS = 20  # len("2026-01-01T00:00:00Z")

footprints = Table(
    "footprints", metadata,
    Column("id", String(36), primary_key=True),
    # "published": ours; "received": pulled from a partner (lca pull) or pushed to us
    Column("origin", String(16), nullable=False, default="published"),
    # the line of versions a footprint belongs to (study/scenario/view for ours, the partner's for received)
    Column("series", String(512), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("validity_start", String(TS)),
    Column("validity_end", String(TS)),
    Column("created", String(TS)),
    Column("stored_at", String(TS), nullable=False),
    Column("source", String(1024)),  # received: the partner's base URL (or file) it came from
    Column("doc", Text, nullable=False),  # the v3 ProductFootprint JSON, as served
    Index("ix_footprints_series", "series"),
    Index("ix_footprints_origin_status", "origin", "status"),
    Index("ix_footprints_validity", "validity_start", "validity_end"),
)

#: one row per filterable value: kind in productId, companyId, classification, geography
footprint_keys = Table(
    "footprint_keys", metadata,
    Column("footprint_id", String(36), ForeignKey("footprints.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("value", String(512), nullable=False),
    Index("ix_footprint_keys_lookup", "kind", "value"),
    Index("ix_footprint_keys_footprint", "footprint_id"),
)

#: precedingPfIds, as rows: footprint_id replaced preceding_id
versions = Table(
    "footprint_versions", metadata,
    Column("footprint_id", String(36), ForeignKey("footprints.id", ondelete="CASCADE"), nullable=False),
    Column("preceding_id", String(36), nullable=False),
    UniqueConstraint("footprint_id", "preceding_id", name="uq_footprint_versions"),
)

clients = Table(
    "clients", metadata,
    Column("client_id", String(128), primary_key=True),
    Column("secret_hash", String(256), nullable=False),  # "scrypt$n$r$p$salt$hash" (see lca.exchange.auth)
    Column("scopes", String(256), nullable=False),
    Column("name", String(256)),
    Column("created", String(TS), nullable=False),
    Column("revoked", String(TS)),
)

tokens = Table(
    "tokens", metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the bearer token; the token is never stored
    Column("client_id", String(128), ForeignKey("clients.client_id", ondelete="CASCADE"), nullable=False),
    Column("scopes", String(256), nullable=False),
    Column("expires", String(TS), nullable=False),
    Index("ix_tokens_expires", "expires"),
)

events = Table(
    "events", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("source", String(1024), nullable=False),
    Column("event_id", String(256), nullable=False),
    Column("type", String(128), nullable=False),
    Column("client_id", String(128)),
    Column("received", String(TS), nullable=False),
    Column("body", Text, nullable=False),
    UniqueConstraint("source", "event_id", name="uq_events_source_id"),  # CloudEvents: (source, id) is unique
)

callbacks = Table(
    "callbacks", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("target", String(1024), nullable=False),  # {source}/3/events
    Column("source", String(1024), nullable=False),  # the partner, whose credentials sign the call
    Column("type", String(128), nullable=False),
    Column("body", Text, nullable=False),
    Column("state", String(16), nullable=False, default="pending"),  # pending, sent, abandoned
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt", String(TS), nullable=False),
    Column("created", String(TS), nullable=False),
    Column("last_error", Text),
    Column("done", Boolean, nullable=False, default=False),
    Index("ix_callbacks_due", "done", "next_attempt"),
)

#: RequestCreated events we sent (lca request): a RequestFulfilled/Rejected event is accepted only as the
#: answer to one of these (data.requestEventId), once
requests = Table(
    "requests", metadata,
    Column("event_id", String(256), primary_key=True),
    Column("partner", String(1024), nullable=False),  # the base URL the request went to
    Column("product_ids", Text, nullable=False),  # JSON list
    Column("created", String(TS), nullable=False),
    Column("answered", String(TS)),
    Column("answer", Text),  # the accepted RequestFulfilled/Rejected event (what lca request waits for)
)
