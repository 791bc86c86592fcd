"""Every query of the demo: what an existing data set already holds, and fast, memory-flat
insertion of generated rows.

Rows are buffered per table and written with SQLAlchemy Core ``insert()``
executemany in batches. Parents are always written before children (the
buffers flush in foreign-key order), so foreign keys stay enforced during the
load. Ids are assigned here rather than by the database, so children can
point at parents without a round trip; on PostgreSQL the id sequences are
moved past them at the end.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Engine, Numeric, Table, delete, func, insert, select, text
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from ember.models import Base, EventSource, MessageVariant, ProofPoint, Team, TriggerRule, User
from ember.models.base import UTCDateTime

BATCH = 10_000

# Foreign-key order of the tables the generator fills.
ORDER = (
    "teams", "users", "accounts", "contacts", "deals", "deal_stakeholders", "message_variants",
    "touches", "calls", "next_steps", "planned_touches", "nurture_memberships",
    "event_sources", "inbound_events", "trigger_rules", "alerts", "proof_points",
)


# ---- what the database already holds --------------------------------------------------------------

def user_id_with_email(session: Session, email: str) -> int | None:
    return session.scalar(select(User.id).where(User.email == email))


def has_source(session: Session, name: str) -> bool:
    return session.scalar(select(EventSource.id).where(EventSource.name == name)) is not None


def source_names(session: Session) -> set[str]:
    return set(session.scalars(select(EventSource.name)))


def team_id_named(session: Session, name: str) -> int | None:
    return session.scalar(select(Team.id).where(Team.name == name))


def has_trigger_rules(session: Session) -> bool:
    return bool(session.scalar(select(func.count(TriggerRule.id))))


def first_rule_for_url(session: Session, fragment: str) -> int | None:
    """The oldest trigger rule whose URL pattern holds the fragment."""
    return session.scalar(select(TriggerRule.id).where(TriggerRule.url_pattern.like(f"%{fragment}%"))
                          .order_by(TriggerRule.id).limit(1))


def variant_ids_by_key(session: Session) -> dict[str, int]:
    return {key: id_ for key, id_ in session.execute(select(MessageVariant.key, MessageVariant.id))}


def drop_stories(session: Session, titles: list[str]) -> None:
    session.execute(delete(ProofPoint).where(ProofPoint.title.in_(titles)))


# ---- bulk insertion ---------------------------------------------------------------------------------

class Ids:
    """Next free id per table, read once from the database."""

    def __init__(self, connection: Connection) -> None:
        self._next: dict[str, int] = {}
        for name in ORDER:
            table = Base.metadata.tables[name]
            top = connection.execute(select(func.max(table.c.id))).scalar()
            self._next[name] = (top or 0) + 1

    def take(self, table: str) -> int:
        value = self._next[table]
        self._next[table] = value + 1
        return value


class Writer:
    """Buffers rows and writes them in batches, parents first."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.ids = Ids(connection)
        self._rows: dict[str, list[dict[str, Any]]] = {name: [] for name in ORDER}
        self.counts: dict[str, int] = dict.fromkeys(ORDER, 0)
        self._pending = 0

    def add(self, table: str, row: dict[str, Any]) -> int:
        """Buffer a row, giving it the next id; returns that id."""
        row_id = self.ids.take(table)
        row["id"] = row_id
        self.buffer(table, row)
        return row_id

    def buffer(self, table: str, row: dict[str, Any]) -> None:
        """Buffer a row whose id was already taken with ``ids.take``."""
        self._rows[table].append(row)
        self._pending += 1

    @property
    def pending(self) -> int:
        return self._pending

    def flush(self) -> None:
        for name in ORDER:
            rows = self._rows[name]
            if not rows:
                continue
            table: Table = Base.metadata.tables[name]
            for group in _same_keys(rows):
                for start in range(0, len(group), BATCH):
                    self._insert(table, group[start : start + BATCH])
            self.counts[name] += len(rows)
            rows.clear()
        self._pending = 0

    def _insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if self.connection.dialect.name != "sqlite":
            self.connection.execute(insert(table), rows)
            return
        # SQLite: the driver's executemany with values already in SQLAlchemy's
        # storage format. Core would convert each value in Python on every
        # row, which took about a third of the load time (measured).
        columns = list(rows[0])
        pick = itemgetter(*columns)
        adapt = [(i, f) for i, c in enumerate(columns)
                 if (f := _sqlite_adapter(table.c[c].type)) is not None]
        values: list[tuple[Any, ...]] = []
        for row in rows:
            value = list(pick(row)) if len(columns) > 1 else [pick(row)]
            for index, convert in adapt:
                if value[index] is not None:
                    value[index] = convert(value[index])
            values.append(tuple(value))
        sql = (f'INSERT INTO "{table.name}" ({", ".join(columns)}) '
               f'VALUES ({", ".join("?" * len(columns))})')
        self.connection.exec_driver_sql(sql, values)

    def fix_sequences(self) -> None:
        """PostgreSQL: move each id sequence past the ids we chose."""
        if self.connection.dialect.name != "postgresql":
            return
        for name in ORDER:
            self.connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
            ))


def _sqlite_datetime(value: datetime) -> str:
    """The text SQLAlchemy's SQLite DATETIME stores (naive UTC, microseconds)."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]  # drop the "+00:00"


def _sqlite_adapter(kind: TypeEngine[Any]) -> Callable[[Any], Any] | None:
    if isinstance(kind, UTCDateTime):
        return _sqlite_datetime
    if isinstance(kind, JSON):
        return json.dumps
    if isinstance(kind, Numeric):
        return float
    if isinstance(kind, Boolean):
        return int
    return None


def _same_keys(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows grouped by their columns: one executemany needs one shape.

    A column left out stays SQL NULL; writing None into a JSON column would
    store the JSON text 'null' instead.
    """
    first = rows[0].keys()
    if all(row.keys() == first for row in rows):
        return [rows]
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    return list(groups.values())


@contextmanager
def bulk_session(engine: Engine) -> Iterator[Connection]:
    """A connection tuned for a large load (SQLite: fewer syncs, a bigger cache)."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA synchronous=OFF")
            connection.exec_driver_sql("PRAGMA cache_size=-65536")  # 64 MB
            connection.exec_driver_sql("PRAGMA temp_store=MEMORY")
        try:
            yield connection
        finally:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
