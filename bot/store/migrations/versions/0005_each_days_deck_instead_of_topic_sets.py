"""The rotation keeps each day's deck instead of the topic sets it dealt from.

The sets stored by revision 0004's townhall are no longer read: each day's deck now
says what the round has dealt. They are deleted, so the database holds only what the
bot uses.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Delete the stored topic sets."""
    kv = sa.table("kv", sa.column("key", sa.Text))
    op.execute(kv.delete().where(kv.c.key.startswith("insight.topics.", autoescape=True)))


def downgrade() -> None:
    """Nothing to restore: revision 0004's townhall stores a first set again when it deals."""
