"""Alembic migrations of the store's schema, run by `Store.upgrade()` (at `serve` start).

To change the schema: edit bot/store/schema.py and add a file to versions/ whose
`down_revision` is the current head (the newest file's `revision`), with `upgrade()` using
`alembic.op` (on SQLite, `op.batch_alter_table` for anything beyond adding a table, index or
nullable column). tests/store/test_migrations.py checks the chain has one head and that the
migrated schema matches schema.py on both SQLite and PostgreSQL.
"""
