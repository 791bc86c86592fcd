"""HTTP API for follow-up writing and its templates."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from ember.api.deps import CurrentActor, Db
from ember.compose import service

router = APIRouter(prefix="/api", tags=["compose"])


class ComposeIn(BaseModel):
    kind: str = Field(description="note, opener, brief, email or voicemail (the voicemail + email pair)")
    contact_id: int
    situation: str | None = Field(None, description="for emails: post-meeting, nudge, referral or trigger; "
                                                    "default: chosen from the contact's history")


class TemplateIn(BaseModel):
    body: str = Field(max_length=50_000)


@router.post("/compose")
def compose(request: Request, db: Db, actor: CurrentActor, data: ComposeIn) -> dict[str, Any]:
    """Write a follow-up from the last analysed call (or the rep's notes): text, facts used, placeholders."""
    composed = service.compose(db, actor, kind=data.kind, contact_id=data.contact_id, situation=data.situation,
                               nudge_after_days=request.app.state.settings.nudge_after_days)
    return composed.to_dict()


@router.get("/templates")
def list_templates(db: Db, actor: CurrentActor) -> list[dict[str, Any]]:
    """The follow-up templates, and whether the team edited each one."""
    return service.list_templates(db)


@router.get("/templates/{name}")
def read_template(db: Db, actor: CurrentActor, name: str) -> dict[str, Any]:
    """A template's current wording, the shipped default and the variables it may use."""
    return service.get_template(db, name)


@router.put("/templates/{name}")
def save_template(db: Db, actor: CurrentActor, name: str, data: TemplateIn) -> dict[str, Any]:
    """Managers replace a template's wording; unknown variables and syntax errors are refused here."""
    service.save_template(db, actor, name, data.body)
    return service.get_template(db, name)
