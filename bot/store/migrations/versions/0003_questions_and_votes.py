"""Usage records: the questions answered on Discord and Slack, and the members' votes.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import sqlite

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Unix seconds: double precision, and REAL on SQLite as the state file had.
SECONDS: sa.types.TypeEngine[float] = sa.Double().with_variant(sqlite.REAL(), "sqlite")


def upgrade() -> None:
    """Create `questions` and `votes`."""
    op.create_table(
        "questions",
        sa.Column("answer_id", sa.Text, primary_key=True),
        sa.Column("asked", SECONDS, nullable=False),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("community", sa.Text),
        sa.Column("channel_kind", sa.Text, nullable=False),
        sa.Column("lang", sa.Text, nullable=False),
        sa.Column("verdict", sa.Text, nullable=False),
        sa.Column("sections", sa.Text, nullable=False),
        sa.Column("question", sa.Text),
    )
    op.create_index("questions_asked", "questions", ["asked"])
    op.create_table(
        "votes",
        sa.Column("answer_id", sa.Text, primary_key=True),
        sa.Column("member", sa.Text, primary_key=True),
        sa.Column("vote", sa.Text, nullable=False),
        sa.Column("voted", SECONDS, nullable=False),
        sa.CheckConstraint("vote IN ('up', 'down')", name="votes_vote"),
    )


def downgrade() -> None:
    """Drop the two tables."""
    op.drop_table("votes")
    op.drop_table("questions")
