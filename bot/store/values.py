"""Named values: small settings the bot decides once and shares (rotation start, sync hash)."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.store.database import Database
from bot.store.schema import named_values


class NamedValues:
    """Text values by name, shared by every process and replica on the database."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def get(self, key: str) -> str | None:
        """The value stored under `key`, if any."""
        with self._db.read() as connection:
            value = connection.scalar(select(named_values.c.value).where(named_values.c.key == key))
        return None if value is None else str(value)

    def last_up_to(
        self, prefix: str, key: str, *, inclusive: bool = True
    ) -> tuple[str, str] | None:
        """The name and value of the last name starting with `prefix` that sorts up to `key`
        (before it, without `inclusive`)."""
        column = named_values.c.key
        with self._db.read() as connection:
            row = connection.execute(
                select(column, named_values.c.value)
                .where(column.startswith(prefix, autoescape=True))
                .where(column <= key if inclusive else column < key)
                .order_by(column.desc())
                .limit(1)
            ).first()
        return None if row is None else (str(row[0]), str(row[1]))

    def set(self, key: str, value: str, *, keep: bool = True) -> None:
        """Store `value` under `key`, replacing what was there (without `keep`: only try to)."""
        insert = self._db.insert(named_values).values(key=key, value=value)
        upsert = insert.on_conflict_do_update(
            index_elements=[named_values.c.key], set_={"value": insert.excluded.value}
        )
        with self._db.write(keep=keep) as connection:
            connection.execute(upsert)

    def change(self, key: str, expected: str, value: str) -> str | None:
        """Store `value` under `key` if `expected` is stored there; return what is stored.

        The first of several processes changing one value wins, as with `add`.
        """
        with self._db.write() as connection:
            connection.execute(
                update(named_values)
                .where(named_values.c.key == key, named_values.c.value == expected)
                .values(value=value)
            )
            stored = connection.scalar(
                select(named_values.c.value).where(named_values.c.key == key)
            )
        return None if stored is None else str(stored)

    def add(self, key: str, value: str) -> str:
        """Store `value` under `key` unless a value is there; return the stored value.

        When several processes add a value for one key at once, the first one wins and
        every one of them gets the winner back: the insert ignores a conflict, and the read
        in the same transaction sees the row that won (PostgreSQL waits for its commit).
        """
        insert = self._db.insert(named_values).values(key=key, value=value)
        with self._db.write() as connection:
            connection.execute(insert.on_conflict_do_nothing(index_elements=[named_values.c.key]))
            stored = connection.scalar(
                select(named_values.c.value).where(named_values.c.key == key)
            )
        if stored is None:  # only if someone deleted it in between; values are never deleted
            return value
        return str(stored)
