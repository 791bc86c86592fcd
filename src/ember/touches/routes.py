from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ember.api.deps import CurrentActor, Db
from ember.contacts.service import get_contact
from ember.ids import RecordId
from ember.settings.cadence import CadenceSettings
from ember.team_settings.effective import settings_for
from ember.touches import repository, service
from ember.touches.schemas import TouchIn, TouchLogged, TouchOut, logged_dict
from ember.users.access import Actor

router = APIRouter(prefix="/api", tags=["touches"])


def _planning(request: Request, db: Db, actor: Actor) -> CadenceSettings:
    """The cadence of the user's team (the desk may have changed it)."""
    return settings_for(db, request.app.state.settings, actor.team_id).cadence.planning()


@router.post("/touches", status_code=201)
def log_touch(request: Request, db: Db, actor: CurrentActor, body: TouchIn) -> TouchLogged:
    """Log a touch; the answer carries its label (FTC #n / follow-up #n) and the plan it caused."""
    logged = service.log_touch(
        db, actor, contact_id=body.contact_id, channel=body.channel.value, outcome=body.outcome,
        occurred_at=body.occurred_at, deal_id=body.deal_id, notes=body.notes, variant_key=body.variant,
        callback_at=body.callback_at, confirm_date=body.confirm_date, settings=_planning(request, db, actor),
    )
    return TouchLogged.model_validate(logged_dict(logged))


@router.get("/contacts/{contact_id}/touches")
def list_touches(db: Db, actor: CurrentActor, contact_id: RecordId) -> list[TouchOut]:
    get_contact(db, actor, contact_id)
    return [TouchOut(id=t.id, label=t.label, channel=t.channel, outcome=t.outcome, deal_id=t.deal_id,
                     occurred_at=t.occurred_at.isoformat(), notes=t.notes)
            for t in repository.touches_of_contact(db, contact_id)]


@router.delete("/touches/{touch_id}", status_code=204)
def delete_touch(request: Request, db: Db, actor: CurrentActor, touch_id: RecordId) -> Response:
    service.delete_touch(db, actor, touch_id, settings=_planning(request, db, actor))
    return Response(status_code=204)
