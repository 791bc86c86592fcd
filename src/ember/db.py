"""Engines and sessions for SQLite (default) and PostgreSQL.

SQLite gets WAL and enforced foreign keys on every connection, so both engines
behave alike for the rules that matter (cascades, uniqueness, concurrency).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import URL, Connection, Engine, Executable, Row, create_engine, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import Insert

from ember import json_fast

_engines: dict[str, Engine] = {}
T = TypeVar("T")


def _prepare_sqlite(url: str) -> None:
    path = url.removeprefix("sqlite:///")
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


BUSY_TIMEOUT_MS = 30_000
# SQLite's own wait for a busy write lock sleeps longer and longer (1, 2, 5, 10, ... 100 ms), so
# a waiting writer often wakes long after the lock was freed, and a writer that comes back at once
# (a worker with a backlog) takes it again first. The writer that answers requests polls instead.
PROMPT_BUSY_TIMEOUT_MS = 1
PROMPT_POLL_S = 0.0005


def _sqlite_setup(busy_timeout_ms: int) -> Callable[..., None]:
    def on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    return on_connect


def make_engine(url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    # JSON columns (event payloads, stored tracking batches) are read and written on the intake's
    # and the worker's hot paths: orjson does it several times faster than the standard library.
    json_options: dict[str, Any] = {"json_serializer": json_fast.dumps, "json_deserializer": json_fast.loads}
    if url.startswith("sqlite"):
        _prepare_sqlite(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
                               **json_options)
        event.listen(engine, "connect", _sqlite_setup(busy_timeout_ms))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **json_options)


def one_write_lock(url: str | URL) -> bool:
    """Whether every writer of this database queues for one lock (an SQLite file), where other
    databases lock rows."""
    url = make_url(url)
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


def prompt_engine(engine: Engine) -> Engine:
    """An engine on the same database for a writer that answers requests: on SQLite its connections
    give up on a busy write lock at once, for :func:`retry_while_locked` to poll every half
    millisecond; on other databases (row locks, no single write lock) the engine itself."""
    url = engine.url
    if not one_write_lock(url):
        return engine
    prompt = make_engine(url.render_as_string(hide_password=False), busy_timeout_ms=PROMPT_BUSY_TIMEOUT_MS)
    # Its transactions take the write lock as they begin: the driver would take it at the first
    # write, once the statement's parameters (a stored batch's JSON) were made, and every poll
    # while the worker holds the lock would make them again.
    event.listen(prompt, "connect", _driver_leaves_transactions_to_us)
    event.listen(prompt, "begin", _begin_immediate)
    return prompt


def _driver_leaves_transactions_to_us(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _begin_immediate(connection: Connection) -> None:
    # Waits for the lock on the driver's connection: a refusal there is a cheap exception, where
    # one through SQLAlchemy costs far more (wrapped, logged to its events) at every half millisecond.
    driver = connection.connection.driver_connection
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while driver is not None and time.monotonic() < deadline:
        try:
            driver.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                break
        time.sleep(PROMPT_POLL_S)
    connection.exec_driver_sql("BEGIN IMMEDIATE")  # once more, to fail as SQLAlchemy reports it


def retry_while_locked(action: Callable[[], T], *, patience_s: float = BUSY_TIMEOUT_MS / 1000) -> T:
    """``action`` (one whole transaction), again while SQLite says the database is locked, as long as
    a plain connection would have waited."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            return action()
        except OperationalError as exc:
            if "locked" not in str(exc.orig) or time.monotonic() > deadline:
                raise
        time.sleep(PROMPT_POLL_S)


def get_engine(url: str) -> Engine:
    """One engine per URL for the life of the process."""
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One use case, one transaction: commit on success, roll back on error."""
    with session_factory(engine)() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def insert_or_ignore(session: Session, table: Any) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL alike: safe when two
    workers insert the same unique row at once."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing()  # type: ignore[no-any-return]


def read_many(session: Session, query: Executable) -> Sequence[Row[*tuple[Any, ...]]]:
    """Run a read of many plain rows (counts and keys, no objects) on the session's connection: the
    ORM's per-row loading costs several microseconds a row, seconds on the team numbers' reads.
    The rows are fetched at once (iterated, a result asks the driver for one row at a time).
    Pending changes are flushed first, as the session would before a query."""
    session.flush()
    return session.connection().execute(query).all()


def typed_rows(record: Callable[..., T], rows: Iterable[Any]) -> list[T]:
    """Result rows as named records, matched by column label: a column added to a query
    without a field to hold it (or a field no column fills) fails at once instead of
    shifting what every reader gets."""
    keys = getattr(rows, "keys", None)
    if keys is None:  # rows already read: match each by name
        return [record(**row._mapping) for row in rows]
    # Matched once per result, then read by position: a queue of a few hundred rows stays as
    # cheap as reading tuples.
    pick = _column_order(record, tuple(keys()))
    return [record(*pick(row)) for row in rows]


@lru_cache(maxsize=256)
def _column_order(record: Callable[..., Any], columns: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    names = [field.name for field in fields(record)]  # type: ignore[arg-type]
    if sorted(names) != sorted(columns):
        raise TypeError(f"{getattr(record, '__name__', record)} holds {', '.join(names)}; "
                        f"the query gives {', '.join(columns)}")
    order = [columns.index(name) for name in names]
    if order == list(range(len(order))):
        return tuple
    if len(order) == 1:
        return lambda row: (row[order[0]],)
    return itemgetter(*order)
