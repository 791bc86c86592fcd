from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from ember.api.deps import CurrentActor, Db
from ember.steps import service
from ember.steps.service import StepView

router = APIRouter(prefix="/api/steps", tags=["next steps"])


class StepChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    due_at: datetime
    confirm_past: bool = False  # a date before today is refused unless this says it is meant


def _one(request: Request, db: Db, actor: CurrentActor, step_id: int) -> StepView:
    step = service.get_step(db, actor, step_id)
    return service.view(step, None, None, request.app.state.settings.today.next_step_default_days)


@router.get("")
def list_steps(request: Request, db: Db, actor: CurrentActor, rep: str | None = None,
               status: str | None = "open") -> list[StepView]:
    """Next steps of the caller (or, for managers, of a rep on their team); status open, done, cancelled or empty
    for all. An undated step shows the default due date (due_is_default)."""
    days = request.app.state.settings.today.next_step_default_days
    return service.list_steps(db, actor, rep_email=rep, status=status or None, default_days=days)


@router.get("/{step_id}")
def get_step(request: Request, db: Db, actor: CurrentActor, step_id: int) -> StepView:
    return _one(request, db, actor, step_id)


@router.post("/{step_id}/done")
def mark_done(request: Request, db: Db, actor: CurrentActor, step_id: int) -> StepView:
    """Mark a next step done: it leaves Today."""
    service.set_status(db, actor, step_id, "done")
    return _one(request, db, actor, step_id)


@router.post("/{step_id}/cancel")
def cancel(request: Request, db: Db, actor: CurrentActor, step_id: int) -> StepView:
    """Cancel a next step that will not happen: it leaves Today."""
    service.set_status(db, actor, step_id, "cancel")
    return _one(request, db, actor, step_id)


@router.post("/{step_id}/reopen")
def reopen(request: Request, db: Db, actor: CurrentActor, step_id: int) -> StepView:
    service.set_status(db, actor, step_id, "reopen")
    return _one(request, db, actor, step_id)


@router.patch("/{step_id}")
def change(request: Request, db: Db, actor: CurrentActor, step_id: int, body: StepChange) -> StepView:
    """Give a next step a new due date; a day before today needs confirm_past."""
    service.redate(db, actor, step_id, body.due_at, confirm_past=body.confirm_past)
    return _one(request, db, actor, step_id)
