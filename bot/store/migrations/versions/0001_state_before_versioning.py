"""The state file as it was before the schema was versioned: `kv` and `insight_posts`.

A file made by that code already has either table or both, with exactly these columns:
they are created only where missing, so its data stays as it is.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create `kv` and `insight_posts` where the database has not got them yet."""
    present = set(sa.inspect(op.get_bind()).get_table_names())
    if "kv" not in present:
        op.create_table(
            "kv",
            sa.Column("key", sa.Text, primary_key=True),
            sa.Column("value", sa.Text, nullable=False),
        )
    if "insight_posts" not in present:
        op.create_table(
            "insight_posts",
            sa.Column("platform", sa.Text, primary_key=True),
            sa.Column("channel", sa.Text, primary_key=True),
            sa.Column("day", sa.Text, primary_key=True),
            sa.Column("insight_key", sa.Text, nullable=False),
            sa.Column("status", sa.Text, nullable=False),
            sa.Column("message_id", sa.Text),
            sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
            sa.Column("next_attempt", sa.Float, nullable=False, server_default=sa.text("0")),
            sa.Column("lease_owner", sa.Text),
            sa.Column("lease_until", sa.Float),
            sa.Column("last_error", sa.Text),
            sa.Column("updated", sa.Float, nullable=False),
            sa.CheckConstraint(
                "status IN ('pending', 'posted', 'failed')", name="insight_posts_status"
            ),
        )


def downgrade() -> None:
    """Not supported: the tables held the bot's state before versioning began."""
    raise NotImplementedError("the first revision cannot be downgraded")
