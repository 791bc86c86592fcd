"""The desk's trigger rules: add, edit, switch off and on, delete; and preview which recent events a rule
would have matched before saving it.

A manager changes their team's rules; an admin also the rules every team shares.
A form that does not validate comes back as typed with the error on it, and
nothing is stored; a preview never stores anything.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ember.api.deps import Db
from ember.errors import EmberError, InvalidInput, NotFound, Problem
from ember.events import rule_desk
from ember.events import service as event_service
from ember.events.rules import SIGNAL_TYPES, Audience
from ember.events.service import RuleInput
from ember.models import TriggerRule
from ember.users.access import Actor
from ember.web.desk import DeskUser, checked_form, done, failed
from ember.web.settings_pages import desk, sections_for

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form()]
TEMPLATE = "settings/rules.html"
NEW_RULE = {"window_hours": "168", "min_count": "1", "audience": "any"}


def _number(value: str, where: str, default: int) -> int:
    """A whole number typed in a form field; an InvalidInput naming the field otherwise."""
    text = value.strip()
    if not text:
        return default
    if not text.lstrip("-").isdigit():
        raise InvalidInput(f"{where.replace('_', ' ')} is not a number", [Problem(
            where, f"{text!r} is not a whole number", "type digits only, e.g. 3")])
    return int(text)


def _input(form: dict[str, str]) -> RuleInput:
    return RuleInput(form["name"], form["event_type"], form["url_pattern"].strip() or None,
                     _number(form["min_count"], "min_count", 1), _number(form["window_hours"], "window_hours", 168),
                     form["audience"])


def _context(db: Db, actor: Actor, editing: int | None = None) -> dict[str, Any]:
    rules = [{**event_service.rule_dict(r), "shipped": r.default_key is not None}
             for r in event_service.list_rules(db, actor)]
    return {"section": "rules", "rules": rules,
            "event_types": [t.value for t in SIGNAL_TYPES], "audiences": [a.value for a in Audience],
            "editing": editing, "preview_days": rule_desk.PREVIEW_DAYS, "zone": actor.timezone}


def _form_of(rule: TriggerRule) -> dict[str, str]:
    return {"name": rule.name, "event_type": rule.event_type, "url_pattern": rule.url_pattern or "",
            "min_count": str(rule.min_count), "window_hours": str(rule.window_hours), "audience": rule.audience}


@router.get("/settings/rules")
def rules_page(request: Request, db: Db, actor: DeskUser, edit: int | None = None) -> Response:
    form = _form_of(event_service.editable_rule(db, actor, edit)) if edit is not None else NEW_RULE
    return desk(request, TEMPLATE, actor, form=form, **_context(db, actor, edit))


def _submit(request: Request, db: Db, actor: Actor, form: dict[str, str], action: str,
            rule_id: int | None) -> Response:
    """Preview, add or save: one path, so a preview is exactly what saving would store."""
    try:
        data = _input(form)
        if action == "preview":
            preview = rule_desk.preview_rule(db, actor, data, datetime.now(UTC))
            return desk(request, TEMPLATE, actor, form=form, preview=preview, **_context(db, actor, rule_id))
        if rule_id is None:
            rule = event_service.add_rule(db, actor, data)
            said = f"Rule “{rule.name}” added: it applies from the next event on."
        else:
            rule = event_service.update_rule(db, actor, rule_id, {**data.__dict__, "url_pattern": data.url_pattern
                                                                  or ""})
            said = f"Rule “{rule.name}” saved: it applies from the next event on."
    except EmberError as exc:
        if isinstance(exc, NotFound):
            raise
        db.rollback()
        return failed(request, db, TEMPLATE, exc, sections=sections_for(actor, request), form=form,
                      **_context(db, actor, rule_id))
    return done(request, said, f"/settings/rules#rule-{rule.id}")


def _typed(name: str, event_type: str, url_pattern: str, min_count: str, window_hours: str,
           audience: str) -> dict[str, str]:
    return {"name": name, "event_type": event_type, "url_pattern": url_pattern, "min_count": min_count,
            "window_hours": window_hours, "audience": audience}


@router.post("/settings/rules")
def add_rule(request: Request, db: Db, actor: DeskUser, name: FormText = "", event_type: FormText = "",
             url_pattern: FormText = "", min_count: FormText = "1", window_hours: FormText = "168",
             audience: FormText = "any", action: FormText = "save", csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    form = _typed(name, event_type, url_pattern, min_count, window_hours, audience)
    return _submit(request, db, actor, form, action, None)


@router.post("/settings/rules/{rule_id}")
def edit_rule(request: Request, db: Db, actor: DeskUser, rule_id: int, name: FormText = "",
              event_type: FormText = "", url_pattern: FormText = "", min_count: FormText = "1",
              window_hours: FormText = "168", audience: FormText = "any", action: FormText = "save",
              csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    event_service.editable_rule(db, actor, rule_id)  # 404 or 403 before anything else
    form = _typed(name, event_type, url_pattern, min_count, window_hours, audience)
    return _submit(request, db, actor, form, action, rule_id)


@router.post("/settings/rules/{rule_id}/active")
def toggle_rule(request: Request, db: Db, actor: DeskUser, rule_id: int, active: FormText = "",
                csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    rule = event_service.update_rule(db, actor, rule_id, {"active": active == "1"})
    return done(request, f"Rule “{rule.name}” {'enabled' if rule.is_active else 'disabled'}.",
                f"/settings/rules#rule-{rule.id}")


@router.post("/settings/rules/{rule_id}/delete")
def delete_rule(request: Request, db: Db, actor: DeskUser, rule_id: int, csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    try:
        name = rule_desk.delete_rule(db, actor, rule_id)
    except InvalidInput as exc:
        db.rollback()
        return failed(request, db, TEMPLATE, exc, sections=sections_for(actor, request), form=NEW_RULE,
                      **_context(db, actor))
    return done(request, f"Rule “{name}” deleted.", "/settings/rules")
