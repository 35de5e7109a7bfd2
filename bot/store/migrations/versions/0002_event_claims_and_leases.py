"""Tables for several replicas: delivered event ids, and named leases for leadership.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import sqlite

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Unix seconds: double precision, and REAL on SQLite as the state file had.
SECONDS: sa.types.TypeEngine[float] = sa.Double().with_variant(sqlite.REAL(), "sqlite")


def upgrade() -> None:
    """Create `event_claims` and `leases`."""
    op.create_table(
        "event_claims",
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("claimed", SECONDS, nullable=False),
        sa.Column("keep_until", SECONDS, nullable=False),
    )
    op.create_index("event_claims_keep_until", "event_claims", ["keep_until"])
    op.create_table(
        "leases",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("holder", sa.Text),
        sa.Column("epoch", sa.BigInteger, nullable=False),
        sa.Column("expires", SECONDS, nullable=False),
    )


def downgrade() -> None:
    """Drop the two tables."""
    op.drop_table("leases")
    op.drop_table("event_claims")
