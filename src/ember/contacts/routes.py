from __future__ import annotations

from fastapi import APIRouter, Query, Response

from ember.api.deps import CurrentActor, Db
from ember.contacts import service
from ember.contacts.schemas import ContactCreate, ContactFields, ContactOut
from ember.ids import MAX_ID, RecordId
from ember.vocabulary import ContactStatus

router = APIRouter(prefix="/api/contacts", tags=["contacts"])


@router.get("", response_model=list[ContactOut])
def list_contacts(
    db: Db, actor: CurrentActor, status: ContactStatus | None = None, q: str | None = None,
    limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=MAX_ID),
) -> list[ContactOut]:
    rows = service.list_contacts(db, actor, status=status, search=q, limit=limit, offset=offset)
    return [ContactOut.model_validate(row) for row in rows]


@router.post("", response_model=ContactOut, status_code=201)
def create_contact(db: Db, actor: CurrentActor, body: ContactCreate) -> ContactOut:
    return ContactOut.model_validate(service.create_contact(db, actor, body))


@router.get("/{contact_id}", response_model=ContactOut)
def get_contact(db: Db, actor: CurrentActor, contact_id: RecordId) -> ContactOut:
    return ContactOut.model_validate(service.get_contact(db, actor, contact_id))


@router.patch("/{contact_id}", response_model=ContactOut)
def update_contact(db: Db, actor: CurrentActor, contact_id: RecordId, body: ContactFields) -> ContactOut:
    return ContactOut.model_validate(service.update_contact(db, actor, contact_id, body))


@router.delete("/{contact_id}", status_code=204)
def delete_contact(db: Db, actor: CurrentActor, contact_id: RecordId) -> Response:
    service.delete_contact(db, actor, contact_id)
    return Response(status_code=204)
