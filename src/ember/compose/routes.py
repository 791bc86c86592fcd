"""HTTP API for follow-up writing and its templates."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ember.api.deps import CurrentActor, Db
from ember.compose import service, stories
from ember.compose.schemas import (
    ComposedOut,
    ComposeIn,
    StoryIn,
    StoryOut,
    TemplateIn,
    TemplateListed,
    TemplateOut,
)
from ember.ids import RecordId
from ember.models import ProofPoint

router = APIRouter(prefix="/api", tags=["compose"])


def _story(row: ProofPoint) -> StoryOut:
    return StoryOut.model_validate(stories.story_dict(row))


@router.post("/compose", response_model_exclude_unset=True)
def compose(request: Request, db: Db, actor: CurrentActor, data: ComposeIn) -> ComposedOut:
    """Write a follow-up from the last analysed call (or the rep's notes): text, facts used, placeholders."""
    composed = service.compose(db, actor, kind=data.kind, contact_id=data.contact_id, situation=data.situation,
                               nudge_after_days=request.app.state.settings.cadence.nudge_after_days)
    return ComposedOut.model_validate(composed.to_dict())


@router.get("/templates")
def list_templates(db: Db, actor: CurrentActor) -> list[TemplateListed]:
    """The follow-up templates as the caller's team writes with them: ``wording`` says whose applies (team,
    shared or shipped); ``edited``: changed at the caller's level (a manager's team, an admin's shared)."""
    return [TemplateListed.model_validate(template) for template in service.list_templates(db, actor)]


@router.get("/templates/{name}")
def read_template(db: Db, actor: CurrentActor, name: str) -> TemplateOut:
    """A template's wording for the caller's team, what resetting goes back to (``default``) and the
    variables it may use."""
    return TemplateOut.model_validate(service.get_template(db, actor, name))


@router.put("/templates/{name}")
def save_template(db: Db, actor: CurrentActor, name: str, data: TemplateIn) -> TemplateOut:
    """A manager replaces her team's copy of a template, an admin the wording every team shares; unknown
    variables and syntax errors are refused here."""
    service.save_template(db, actor, name, data.body)
    return TemplateOut.model_validate(service.get_template(db, actor, name))


@router.get("/stories")
def list_stories(db: Db, actor: CurrentActor) -> list[StoryOut]:
    """Customer stories and proof points the caller's team's briefs and openers pick from: shared ones
    (``shared``: true; a manager's edit makes her team's copy) and the team's own."""
    return [_story(row) for row in stories.list_stories(db, actor)]


@router.post("/stories", status_code=201)
def add_story(db: Db, actor: CurrentActor, data: StoryIn) -> StoryOut:
    return _story(stories.save_story(db, actor, story_id=None, **data.model_dump()))


@router.put("/stories/{story_id}")
def edit_story(db: Db, actor: CurrentActor, story_id: RecordId, data: StoryIn) -> StoryOut:
    return _story(stories.save_story(db, actor, story_id=story_id, **data.model_dump()))


@router.delete("/stories/{story_id}", status_code=204)
def delete_story(db: Db, actor: CurrentActor, story_id: RecordId) -> Response:
    stories.delete_story(db, actor, story_id)
    return Response(status_code=204)
