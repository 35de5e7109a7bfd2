"""The state file as it was before the schema was versioned: `kv` and `insight_posts`.

A file made by that code already has either table or both, with these columns: they are
created only where missing, so its data stays as it is. One repair: that code declared
`kv.key TEXT PRIMARY KEY`, which SQLite lets hold NULL; the table is copied once into one
whose key is NOT NULL, as everywhere else.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import sqlite

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Unix seconds: double precision, and REAL on SQLite as the state file had.
SECONDS: sa.types.TypeEngine[float] = sa.Double().with_variant(sqlite.REAL(), "sqlite")


def upgrade() -> None:
    """Create `kv` and `insight_posts` where the database has not got them yet."""
    inspector = sa.inspect(op.get_bind())
    present = set(inspector.get_table_names())
    if "kv" in present:
        key = next(c for c in inspector.get_columns("kv") if c["name"] == "key")
        if key["nullable"]:
            with op.batch_alter_table("kv", recreate="always") as kv:
                kv.alter_column("key", existing_type=sa.Text, nullable=False)
    else:
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
            sa.Column("next_attempt", SECONDS, nullable=False, server_default=sa.text("0")),
            sa.Column("lease_owner", sa.Text),
            sa.Column("lease_until", SECONDS),
            sa.Column("last_error", sa.Text),
            sa.Column("updated", SECONDS, nullable=False),
            sa.CheckConstraint(
                "status IN ('pending', 'posted', 'failed')", name="insight_posts_status"
            ),
        )


def downgrade() -> None:
    """Not supported: the tables held the bot's state before versioning began."""
    raise NotImplementedError("the first revision cannot be downgraded")
