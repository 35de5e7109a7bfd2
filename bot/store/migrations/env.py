"""Alembic's entry point: runs the migrations on the connection `Store.upgrade()` hands in.

The caller holds the transaction (and on PostgreSQL an advisory lock), so every migration
runs in it and replicas starting at once upgrade one after another.
"""

from __future__ import annotations

from alembic import context

from bot.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite can change a table only by copying it; batch mode does that for autogenerate.
    render_as_batch=connection.dialect.name == "sqlite",
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
