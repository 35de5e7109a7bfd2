"""The key that hashed members' votes leaves the database.

Votes are now hashed under a key derived from each platform's bot token, which the
database does not hold. The old key is deleted so that the votes hashed under it can no
longer be matched against a member list by whoever has a copy of the database.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Delete the stored vote key."""
    kv = sa.table("kv", sa.column("key", sa.Text))
    op.execute(kv.delete().where(kv.c.key == "usage_member_key"))


def downgrade() -> None:
    """Nothing to restore: a deleted key is gone (older code makes a new one)."""
