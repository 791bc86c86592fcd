"""HTTP API for follow-up writing and its templates."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from ember.api.deps import CurrentActor, Db
from ember.compose import service, stories
from ember.ids import RecordId

router = APIRouter(prefix="/api", tags=["compose"])


class ComposeIn(BaseModel):
    kind: str = Field(description="note, opener, brief, email or voicemail (the voicemail + email pair)")
    contact_id: RecordId
    situation: str | None = Field(None, description="for emails: post-meeting, nudge, referral or trigger; "
                                                    "default: chosen from the contact's history")


class StoryIn(BaseModel):
    kind: str = Field("story", description="story (a customer's result) or proof (a figure, an award)")
    title: str = Field(max_length=200)
    text: str = Field(max_length=5000)
    industry: str | None = Field(None, max_length=100)
    problem_keywords: str | None = Field(None, max_length=300, description="comma-separated words that match "
                                         "the prospect's problems")


class TemplateIn(BaseModel):
    body: str = Field(max_length=50_000)


@router.post("/compose")
def compose(request: Request, db: Db, actor: CurrentActor, data: ComposeIn) -> dict[str, Any]:
    """Write a follow-up from the last analysed call (or the rep's notes): text, facts used, placeholders."""
    composed = service.compose(db, actor, kind=data.kind, contact_id=data.contact_id, situation=data.situation,
                               nudge_after_days=request.app.state.settings.cadence.nudge_after_days)
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


@router.get("/stories")
def list_stories(db: Db, actor: CurrentActor) -> list[dict[str, Any]]:
    """Customer stories and proof points that briefs and openers pick from."""
    return [stories.story_dict(row) for row in stories.list_stories(db)]


@router.post("/stories", status_code=201)
def add_story(db: Db, actor: CurrentActor, data: StoryIn) -> dict[str, Any]:
    return stories.story_dict(stories.save_story(db, actor, story_id=None, **data.model_dump()))


@router.put("/stories/{story_id}")
def edit_story(db: Db, actor: CurrentActor, story_id: RecordId, data: StoryIn) -> dict[str, Any]:
    return stories.story_dict(stories.save_story(db, actor, story_id=story_id, **data.model_dump()))


@router.delete("/stories/{story_id}", status_code=204)
def delete_story(db: Db, actor: CurrentActor, story_id: RecordId) -> Response:
    stories.delete_story(db, actor, story_id)
    return Response(status_code=204)
