"""The audit trail is written by the database session itself.

Whoever acts is named on the session (`act_as`) by the interface that knows it:
the API and the pages after authentication, the CLI after `--as`. Every flush
then records the audited changes it carries, on its own connection, so an entry
exists exactly when its change was committed, and no service can forget to
write one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import LoaderCallableStatus, Session, UOWTransaction

from ember.audit import repository, rules
from ember.models import AuditEntry
from ember.models.base import utcnow
from ember.users.access import Actor

ACTOR_KEY = "ember.actor"
COMMAND_LINE = "command line"
TARGET_TYPES = sorted({*rules.AUDITED.values(), *rules.DELETIONS_AUDITED.values(), "setting"})


def act_as(session: Session, actor: Actor) -> None:
    """Name who is acting in this session; the trail credits them with what it writes."""
    session.info[ACTOR_KEY] = actor


def _values(state: Any) -> dict[str, Any]:
    """Each column's value; one a new record was never given is None (not SQLAlchemy's "no value" marker,
    which would be written down as the number 4)."""
    values = {attr.key: state.attrs[attr.key].loaded_value for attr in state.mapper.column_attrs}
    return {key: None if value is LoaderCallableStatus.NO_VALUE else value for key, value in values.items()}


def _before_after(state: Any) -> dict[str, tuple[Any, Any]]:
    pairs = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.has_changes():
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            pairs[attr.key] = (before, after)
    return pairs


def _target_id(state: Any) -> str:
    # A record just inserted has its key on the object but no identity yet while the flush runs.
    identity = state.identity or state.mapper.primary_key_from_instance(state.obj())
    return ",".join(str(part) for part in identity if part is not None)


def pending_changes(session: Session) -> list[rules.Change]:
    """The audited changes this flush carries (other tables cost one name lookup each)."""
    found: list[rules.Change | None] = []
    for action, objects in ((rules.Action.CREATED, session.new), (rules.Action.CHANGED, session.dirty),
                            (rules.Action.DELETED, session.deleted)):
        for obj in objects:
            state = inspect(obj)
            table = state.mapper.local_table.name
            if rules.kind_of(table, action) is None:
                continue
            if action is rules.Action.CREATED:
                found.append(rules.created(table, _target_id(state), _values(state)))
            elif action is rules.Action.DELETED:
                found.append(rules.deleted(table, _target_id(state), _values(state)))
            elif session.is_modified(obj, include_collections=False):
                found.append(rules.changed(table, _target_id(state), _values(state), _before_after(state)))
    return [change for change in found if change is not None]


def _record(session: Session, _context: UOWTransaction) -> None:
    changes = pending_changes(session)
    if not changes:
        return
    actor: Actor | None = session.info.get(ACTOR_KEY)
    at = utcnow()
    repository.add_entries(session.connection(), [_row(change, actor, at) for change in changes])


def _row(change: rules.Change, actor: Actor | None, at: datetime) -> dict[str, Any]:
    return {"at": at, "actor_id": actor.id if actor else None,
            "actor_label": actor.email if actor else COMMAND_LINE, "action": change.action.value,
            "target_type": change.target_type, "target_id": change.target_id,
            "target_label": change.target_label, "changes": change.changes}


def entries(session: Session, **filters: Any) -> list[AuditEntry]:
    return repository.entries(session, **filters)


# Once per process, for every session: an audited change cannot bypass the trail.
if not event.contains(Session, "after_flush", _record):
    event.listen(Session, "after_flush", _record)
