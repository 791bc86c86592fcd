"""Trigger rules over HTTP. Everyone may read them; managers and admins change them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ember.api.deps import CurrentActor, Db
from ember.events import rule_service
from ember.events.rule_service import RuleInput
from ember.ids import RecordId

router = APIRouter(prefix="/api/rules", tags=["rules"])


class RuleCreate(BaseModel):
    name: str = Field(max_length=100)
    event_type: str = Field(description="page_view, newsletter_subscribe, podcast_subscribe, webinar_rsvp, "
                                        "content_share, demo_use, email_reply or email_click")
    url_pattern: str | None = Field(None, description="globs such as */pricing*, several separated by commas")
    min_count: int = 1
    window_hours: int = 24 * 7
    audience: str = Field("any", description="nurture, stalled or any")


class RuleChange(BaseModel):
    name: str | None = None
    url_pattern: str | None = None
    min_count: int | None = None
    window_hours: int | None = None
    audience: str | None = None
    active: bool | None = None


@router.get("")
def list_rules(db: Db, actor: CurrentActor) -> list[dict[str, Any]]:
    return [rule_service.rule_dict(rule) for rule in rule_service.list_rules(db, actor)]


@router.post("", status_code=201)
def add_rule(db: Db, actor: CurrentActor, body: RuleCreate) -> dict[str, Any]:
    return rule_service.rule_dict(rule_service.add_rule(db, actor, RuleInput(**body.model_dump())))


@router.patch("/{rule_id}")
def change_rule(db: Db, actor: CurrentActor, rule_id: RecordId, body: RuleChange) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    return rule_service.rule_dict(rule_service.update_rule(db, actor, rule_id, changes))
