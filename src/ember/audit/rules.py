"""What goes into the audit trail and how a change is written down (pure, no I/O).

Audited are the records that decide who may do what and how the team works
(users and their roles, teams, API tokens, trigger rules, templates, the
message library, customer stories, event sources, stored settings), contacts
(added, edited or marked do-not-contact, from the pages, the API or the command
line), and every deletion of a record a rep works with. Imports write contacts
in bulk and are not recorded one by one. Secrets never reach the trail: a changed
password, token or signing secret is recorded as changed, without its value.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

# table name -> what a person calls it
AUDITED = {
    "users": "user", "teams": "team", "api_tokens": "API token", "trigger_rules": "trigger rule",
    "compose_templates": "template", "message_variants": "message variant", "proof_points": "customer story",
    "event_sources": "event source", "contacts": "contact",
}
# Changes people make by hand on records that are otherwise written in bulk (imports, calls).
CHANGES_AUDITED = {"deal_stakeholders": "stakeholder"}
DELETIONS_AUDITED = {
    "contacts": "contact", "accounts": "account", "deals": "deal", "calls": "call", "touches": "touch",
    "next_steps": "next step", "deal_stakeholders": "stakeholder",
}
# Alert channel addresses carry the channel's own credentials (a webhook URL is its key).
SECRET_WORDS = ("password", "secret", "token_hash", "key_hash", "credential", "notify_urls")
HIDDEN = "(hidden)"
# Bookkeeping a user does not decide: using a token is not changing it.
IGNORED_FIELDS = frozenset({"last_used_at", "last_seen_at", "updated_at", "created_at"})
LABEL_FIELDS = ("email", "name", "title", "key", "subject")
MAX_TEXT = 300


class Action(enum.StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    DELETED = "deleted"


@dataclass(frozen=True)
class Change:
    """One audited change, before it is stored."""

    action: Action
    target_type: str
    target_id: str
    target_label: str
    changes: dict[str, list[Any]]


def kind_of(table: str, action: Action) -> str | None:
    """The audited name of a table for this action, or None when the change is not audited."""
    if table in AUDITED:
        return AUDITED[table]
    if "setting" in table:  # stored settings, whatever the table is called
        return "setting"
    if action is Action.CHANGED and table in CHANGES_AUDITED:
        return CHANGES_AUDITED[table]
    if action is Action.DELETED and table in DELETIONS_AUDITED:
        return DELETIONS_AUDITED[table]
    return None


def is_secret(field: str) -> bool:
    return any(word in field for word in SECRET_WORDS)


def shown(field: str, value: Any) -> Any:
    """A value as the trail keeps it: JSON-safe, short, and never a secret."""
    if value is None:
        return None
    if is_secret(field):
        return HIDDEN
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value) if not isinstance(value, Decimal) else format(value, "f")
    if isinstance(value, list | dict) and len(text) <= MAX_TEXT:
        return value
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def _secrecy(values: Mapping[str, Any], field: str) -> str:
    """The name a field's secrecy is judged by: a stored setting keeps its value in a column called
    "value", which is as secret as the setting it names (an SMTP password)."""
    if field == "value" and isinstance(values.get("name"), str):
        return str(values["name"])
    return field


def label(values: Mapping[str, Any]) -> str:
    for name in LABEL_FIELDS:
        if values.get(name):
            return str(values[name])[:MAX_TEXT]
        if name == "name":  # a person without an email address goes by their name, not their title
            person = " ".join(str(values.get(part) or "") for part in ("first_name", "last_name")).strip()
            if person:
                return person[:MAX_TEXT]
    return ""


def created(table: str, target_id: str, values: Mapping[str, Any]) -> Change | None:
    kind = kind_of(table, Action.CREATED)
    if kind is None:
        return None
    name = label(values)
    changes = {field: [None, shown(_secrecy(values, field), value)] for field, value in values.items()
               if field not in IGNORED_FIELDS and field != "id" and value not in (None, "", [], {})
               and not (name and value == name)}  # the record's own name is already in the entry
    return Change(Action.CREATED, kind, target_id, name, changes)


def changed(table: str, target_id: str, values: Mapping[str, Any],
            before_after: Mapping[str, tuple[Any, Any]]) -> Change | None:
    kind = kind_of(table, Action.CHANGED)
    if kind is None:
        return None
    changes = {field: [shown(_secrecy(values, field), old), shown(_secrecy(values, field), new)]
               for field, (old, new) in before_after.items()
               if field not in IGNORED_FIELDS and old != new}
    if not changes:
        return None
    return Change(Action.CHANGED, kind, target_id, label(values), changes)


def deleted(table: str, target_id: str, values: Mapping[str, Any]) -> Change | None:
    kind = kind_of(table, Action.DELETED)
    if kind is None:
        return None
    return Change(Action.DELETED, kind, target_id, label(values), {})
