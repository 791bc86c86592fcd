"""Editing trigger rules. Admins edit everyone's rules (no team); managers their team's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from ember.db import insert_or_ignore
from ember.errors import Forbidden, NotFound, ProblemList
from ember.events import repository
from ember.events.rules import DEFAULT_RULES, SIGNAL_TYPES, Audience
from ember.models import TriggerRule
from ember.users.access import Actor, require_manager
from ember.vocabulary import Role

MAX_WINDOW_HOURS = 24 * 365


@dataclass(frozen=True)
class RuleInput:
    name: str
    event_type: str
    url_pattern: str | None = None
    min_count: int = 1
    window_hours: int = 24 * 7
    audience: str = Audience.ANY.value


def rule_dict(rule: TriggerRule) -> dict[str, Any]:
    return {"id": rule.id, "name": rule.name, "event_type": rule.event_type, "url_pattern": rule.url_pattern,
            "min_count": rule.min_count, "window_hours": rule.window_hours, "audience": rule.audience,
            "active": rule.is_active, "team_id": rule.team_id}


def _validate(data: RuleInput) -> None:
    problems = ProblemList()
    if not data.name.strip() or len(data.name) > 100:
        problems.add("name", "must be 1-100 characters", "give the rule a short name")
    types = [t.value for t in SIGNAL_TYPES]
    if data.event_type not in types:
        problems.add("event_type", f"{data.event_type!r} is not an event type", f"use one of: {', '.join(types)}")
    if data.url_pattern is not None and len(data.url_pattern) > 300:
        problems.add("url_pattern", "is longer than 300 characters", "use shorter globs such as */pricing*")
    if not 1 <= data.min_count <= 1000:
        problems.add("min_count", f"{data.min_count} is out of range", "use a count from 1 to 1000")
    if not 1 <= data.window_hours <= MAX_WINDOW_HOURS:
        problems.add("window_hours", f"{data.window_hours} is out of range",
                     f"use 1 to {MAX_WINDOW_HOURS} hours (a year)")
    if data.audience not in {a.value for a in Audience}:
        problems.add("audience", f"{data.audience!r} is not an audience", "use nurture, stalled or any")
    problems.raise_if_any("the trigger rule is not valid")


def ensure_default_rules(session: Session) -> int:
    """Add the default rules when there are none at all (the migration adds them; a
    database emptied by hand gets them back). Rules are disabled, never deleted, so
    an empty table means nobody chose anything yet."""
    if repository.any_rule(session):
        return 0
    now = datetime.now(UTC)
    rows = [{"name": rule.name, "event_type": rule.event_type.value, "url_pattern": rule.url_pattern,
             "min_count": rule.min_count, "window_hours": rule.window_hours, "audience": rule.audience.value,
             "team_id": None, "is_active": True, "default_key": rule.key, "created_at": now}
            for rule in DEFAULT_RULES]
    session.execute(insert_or_ignore(session, TriggerRule), rows)  # another worker may be seeding too
    return len(rows)


def list_rules(session: Session, actor: Actor) -> list[TriggerRule]:
    ensure_default_rules(session)
    if actor.role is Role.ADMIN:
        return repository.all_rules(session)
    return repository.rules_for_team(session, actor.team_id, active_only=False)


def add_rule(session: Session, actor: Actor, data: RuleInput) -> TriggerRule:
    require_manager(actor)
    _validate(data)
    rule = TriggerRule(team_id=None if actor.role is Role.ADMIN else actor.team_id, name=data.name.strip(),
                       event_type=data.event_type, url_pattern=(data.url_pattern or "").strip() or None,
                       min_count=data.min_count, window_hours=data.window_hours, audience=data.audience)
    session.add(rule)
    session.flush()
    return rule


def _editable(session: Session, actor: Actor, rule_id: int) -> TriggerRule:
    rule = session.get(TriggerRule, rule_id)
    visible = rule is not None and (actor.role is Role.ADMIN or rule.team_id in (None, actor.team_id))
    if rule is None or not visible:
        raise NotFound(f"trigger rule {rule_id} not found; see `ember rules list`")
    require_manager(actor)
    if actor.role is not Role.ADMIN and rule.team_id != actor.team_id:
        raise Forbidden(f"rule {rule_id} applies to every team; ask an admin to change it")
    return rule


def update_rule(session: Session, actor: Actor, rule_id: int, changes: dict[str, Any]) -> TriggerRule:
    rule = _editable(session, actor, rule_id)
    current = RuleInput(rule.name, rule.event_type, rule.url_pattern, rule.min_count, rule.window_hours,
                        rule.audience)
    fields = {k: v for k, v in changes.items()
              if k in RuleInput.__dataclass_fields__ and (v is not None or k == "url_pattern")}
    merged = RuleInput(**{**current.__dict__, **fields})
    _validate(merged)
    for key, value in fields.items():
        setattr(rule, key, value.strip() or None if key == "url_pattern" and isinstance(value, str) else value)
    if "active" in changes and changes["active"] is not None:
        rule.is_active = bool(changes["active"])
    session.flush()
    return rule
