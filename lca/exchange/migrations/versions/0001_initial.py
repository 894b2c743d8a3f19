"""The first schema: footprints, their filter keys and versions, clients, tokens, events, callbacks.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = 20


def upgrade() -> None:
    op.create_table(
        "footprints",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("series", sa.String(512), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("validity_start", sa.String(TS)),
        sa.Column("validity_end", sa.String(TS)),
        sa.Column("created", sa.String(TS)),
        sa.Column("stored_at", sa.String(TS), nullable=False),
        sa.Column("source", sa.String(1024)),
        sa.Column("doc", sa.Text, nullable=False),
    )
    op.create_index("ix_footprints_series", "footprints", ["series"])
    op.create_index("ix_footprints_origin_status", "footprints", ["origin", "status"])
    op.create_index("ix_footprints_validity", "footprints", ["validity_start", "validity_end"])
    op.create_table(
        "footprint_keys",
        sa.Column("footprint_id", sa.String(36), sa.ForeignKey("footprints.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(512), nullable=False),
    )
    op.create_index("ix_footprint_keys_lookup", "footprint_keys", ["kind", "value"])
    op.create_index("ix_footprint_keys_footprint", "footprint_keys", ["footprint_id"])
    op.create_table(
        "footprint_versions",
        sa.Column("footprint_id", sa.String(36), sa.ForeignKey("footprints.id", ondelete="CASCADE"), nullable=False),
        sa.Column("preceding_id", sa.String(36), nullable=False),
        sa.UniqueConstraint("footprint_id", "preceding_id", name="uq_footprint_versions"),
    )
    op.create_table(
        "clients",
        sa.Column("client_id", sa.String(128), primary_key=True),
        sa.Column("secret_hash", sa.String(256), nullable=False),
        sa.Column("scopes", sa.String(256), nullable=False),
        sa.Column("name", sa.String(256)),
        sa.Column("created", sa.String(TS), nullable=False),
        sa.Column("revoked", sa.String(TS)),
    )
    op.create_table(
        "tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("client_id", sa.String(128), sa.ForeignKey("clients.client_id", ondelete="CASCADE"), nullable=False),
        sa.Column("scopes", sa.String(256), nullable=False),
        sa.Column("expires", sa.String(TS), nullable=False),
    )
    op.create_index("ix_tokens_expires", "tokens", ["expires"])
    op.create_table(
        "events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(1024), nullable=False),
        sa.Column("event_id", sa.String(256), nullable=False),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("client_id", sa.String(128)),
        sa.Column("received", sa.String(TS), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.UniqueConstraint("source", "event_id", name="uq_events_source_id"),
    )
    op.create_table(
        "callbacks",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("target", sa.String(1024), nullable=False),
        sa.Column("source", sa.String(1024), nullable=False),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt", sa.String(TS), nullable=False),
        sa.Column("created", sa.String(TS), nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("done", sa.Boolean, nullable=False),
    )
    op.create_index("ix_callbacks_due", "callbacks", ["done", "next_attempt"])


def downgrade() -> None:
    for table in ("callbacks", "events", "tokens", "clients", "footprint_versions", "footprint_keys", "footprints"):
        op.drop_table(table)
