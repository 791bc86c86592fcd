"""The nurture list over HTTP, including the CSV a newsletter tool imports."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from ember.api.deps import CurrentActor, Db
from ember.api.schemas import streamed
from ember.ids import MAX_ID, RecordId
from ember.nurture import service
from ember.nurture.service import NurtureEntry

router = APIRouter(prefix="/api/nurture", tags=["nurture"])


class NurtureAdd(BaseModel):
    contact_id: RecordId
    note: str | None = Field(None, max_length=2000)


class NurtureAdded(BaseModel):
    contact_id: int
    status: str = Field(description="The contact's status now: nurture")


@router.get("")
def list_nurture(db: Db, actor: CurrentActor, limit: int = Query(1000, ge=1, le=10000),
                 offset: int = Query(0, ge=0, le=MAX_ID)) -> list[NurtureEntry]:
    """Contacts on the nurture list you may see: they get the newsletter, not calls."""
    return service.list_nurture(db, actor, limit=limit, offset=offset)


@router.get("/export", response_class=StreamingResponse,
            responses=streamed("text/csv", "The nurture list as CSV, one contact with an email per row"))
def export_nurture(db: Db, actor: CurrentActor) -> StreamingResponse:
    """CSV (email, first_name, last_name, company, title, owner, reason, since) for a newsletter tool."""
    lines = list(service.export_lines(db, actor))  # read inside the request's transaction
    return StreamingResponse(iter(lines), media_type="text/csv",
                             headers={"Content-Disposition": 'attachment; filename="nurture.csv"'})


@router.post("", status_code=201)
def add_to_nurture(db: Db, actor: CurrentActor, body: NurtureAdd) -> NurtureAdded:
    contact = service.add_to_nurture(db, actor, body.contact_id, note=body.note)
    return NurtureAdded(contact_id=contact.id, status=contact.status)


@router.delete("/{contact_id}", status_code=204)
def remove_from_nurture(request: Request, db: Db, actor: CurrentActor, contact_id: RecordId) -> Response:
    service.remove_from_nurture(db, actor, contact_id, settings=request.app.state.settings.cadence.planning())
    return Response(status_code=204)
