"""Tables for several replicas: delivered event ids, and named leases for leadership.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create `event_claims` and `leases`."""
    op.create_table(
        "event_claims",
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("claimed", sa.Float, nullable=False),
        sa.Column("keep_until", sa.Float, nullable=False),
    )
    op.create_index("event_claims_keep_until", "event_claims", ["keep_until"])
    op.create_table(
        "leases",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("holder", sa.Text),
        sa.Column("epoch", sa.BigInteger, nullable=False),
        sa.Column("expires", sa.Float, nullable=False),
    )


def downgrade() -> None:
    """Drop the two tables."""
    op.drop_table("leases")
    op.drop_table("event_claims")
