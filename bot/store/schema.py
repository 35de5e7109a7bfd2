"""The store's tables, one definition for SQLite and PostgreSQL.

`kv` and `insight_posts` keep the names and columns the state file had before the schema
was versioned, so such a file upgrades in place. Times are unix seconds (floating point)
and days are ISO dates, as they were. A change here is always paired with a migration in
bot/store/migrations/versions (a test compares the migrated schema with these tables).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Double,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeEngine

# Unix seconds: double precision, and REAL on SQLite as the state file before versioning had.
Seconds: TypeEngine[float] = Double().with_variant(sqlite.REAL(), "sqlite")

metadata = MetaData()

named_values = Table(
    "kv",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

insight_posts = Table(
    "insight_posts",
    metadata,
    Column("platform", Text, primary_key=True),
    Column("channel", Text, primary_key=True),
    Column("day", Text, primary_key=True),  # the local date in INSIGHT_TIMEZONE, YYYY-MM-DD
    Column("insight_key", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("message_id", Text),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt", Seconds, nullable=False, server_default=text("0")),  # when it is due
    Column("lease_owner", Text),
    Column("lease_until", Seconds),  # the claimer's lease; NULL when free
    Column("last_error", Text),
    Column("updated", Seconds, nullable=False),
    CheckConstraint("status IN ('pending', 'posted', 'failed')", name="insight_posts_status"),
)

# One row per delivered event id (Slack's event_id), kept while a re-delivery can arrive.
event_claims = Table(
    "event_claims",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("owner", Text, nullable=False),
    Column("claimed", Seconds, nullable=False),
    Column("keep_until", Seconds, nullable=False),
    Index("event_claims_keep_until", "keep_until"),
)

leases = Table(
    "leases",
    metadata,
    Column("name", Text, primary_key=True),
    Column("holder", Text),  # NULL once released
    Column("epoch", BigInteger, nullable=False),
    Column("expires", Seconds, nullable=False),
)

# One row per question answered on Discord or Slack (bot/usage). `question` is the member's
# text only while STATS_KEEP_QUESTIONS keeps it; `serve` sets it to NULL after the retention.
questions = Table(
    "questions",
    metadata,
    Column("answer_id", Text, primary_key=True),
    Column("asked", Seconds, nullable=False),
    Column("platform", Text, nullable=False),
    Column("community", Text),  # guild or team id; NULL in a DM without one
    Column("channel_kind", Text, nullable=False),
    Column("lang", Text, nullable=False),
    Column("verdict", Text, nullable=False),
    Column("sections", Text, nullable=False),  # "talk:number" offered, best first, by ","
    Column("question", Text),
    Index("questions_asked", "asked"),
)

# One vote per member (a keyed hash, never the id) per answer; a second press replaces it.
votes = Table(
    "votes",
    metadata,
    Column("answer_id", Text, primary_key=True),
    Column("member", Text, primary_key=True),
    Column("vote", Text, nullable=False),
    Column("voted", Seconds, nullable=False),
    CheckConstraint("vote IN ('up', 'down')", name="votes_vote"),
)
