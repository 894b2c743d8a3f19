"""Outgoing requests: the RequestCreated events ``lca request`` sent, so that ``lca serve`` accepts a
RequestFulfilled/Rejected event only as the answer to one of them.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = 20


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("event_id", sa.String(256), primary_key=True),
        sa.Column("partner", sa.String(1024), nullable=False),
        sa.Column("product_ids", sa.Text, nullable=False),
        sa.Column("created", sa.String(TS), nullable=False),
        sa.Column("answered", sa.String(TS)),
        sa.Column("answer", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("requests")
