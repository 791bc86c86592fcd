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
    """The follow-up templates as the caller's team writes with them: ``wording`` says whose applies (team,
    shared or shipped); ``edited``: changed at the caller's level (a manager's team, an admin's shared)."""
    return service.list_templates(db, actor)


@router.get("/templates/{name}")
def read_template(db: Db, actor: CurrentActor, name: str) -> dict[str, Any]:
    """A template's wording for the caller's team, what resetting goes back to (``default``) and the
    variables it may use."""
    return service.get_template(db, actor, name)


@router.put("/templates/{name}")
def save_template(db: Db, actor: CurrentActor, name: str, data: TemplateIn) -> dict[str, Any]:
    """A manager replaces her team's copy of a template, an admin the wording every team shares; unknown
    variables and syntax errors are refused here."""
    service.save_template(db, actor, name, data.body)
    return service.get_template(db, actor, name)


@router.get("/stories")
def list_stories(db: Db, actor: CurrentActor) -> list[dict[str, Any]]:
    """Customer stories and proof points the caller's team's briefs and openers pick from: shared ones
    (``shared``: true; a manager's edit makes her team's copy) and the team's own."""
    return [stories.story_dict(row) for row in stories.list_stories(db, actor)]


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
