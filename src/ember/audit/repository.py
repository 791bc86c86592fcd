"""Reading and writing the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from ember.models import AuditEntry


def add_entries(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Written on the flush's own connection, so an entry commits or rolls back with its change."""
    if rows:
        connection.execute(insert(AuditEntry), list(rows))


def entries(session: Session, *, since: datetime | None = None, actor: str | None = None,
            target_type: str | None = None, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if actor:
        query = query.where(AuditEntry.actor_label.ilike(f"%{actor}%"))
    if target_type:
        query = query.where(AuditEntry.target_type == target_type)
    return list(session.scalars(query.limit(limit).offset(offset)))
