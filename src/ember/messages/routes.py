from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from ember.api.deps import CurrentActor, Db
from ember.messages import service
from ember.models import MessageVariant
from ember.vocabulary import MessagePhase, MessageSituation

router = APIRouter(prefix="/api/messages", tags=["messages"])


class VariantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    situation: MessageSituation
    phase: MessagePhase | None = None
    attempt: int | None = Field(default=None, ge=1, le=50)
    subject: str | None = Field(default=None, max_length=200)
    body: str = Field(min_length=1, max_length=5000)
    pairs_with: str | None = None


class VariantCreate(VariantIn):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,79}$")


class VariantOut(BaseModel):
    key: str
    situation: str
    phase: str | None
    attempt: int | None
    subject: str | None
    body: str
    pairs_with: str | None = Field(description="The key of the message sent with this one (voicemail + email)")
    active: bool
    shared: bool = Field(description="Shared by every team (kept by admins); false: the caller's team's own copy")


def variant_dict(row: MessageVariant) -> dict[str, Any]:
    return {"key": row.key, "situation": row.situation, "phase": row.phase, "attempt": row.attempt,
            "subject": row.subject, "body": row.body, "pairs_with": row.pairs_with_key, "active": row.is_active,
            "shared": row.team_id is None}


def _out(row: MessageVariant) -> VariantOut:
    return VariantOut.model_validate(variant_dict(row))


@router.get("")
def list_variants(db: Db, actor: CurrentActor) -> list[VariantOut]:
    """The message library the caller's team draws from: the shared variants, with the team's own copies
    ("shared": false) in their place. A manager's change writes the team's copy; an admin's, the shared one."""
    return [_out(row) for row in service.list_variants(db, actor)]


@router.post("", status_code=201)
def create_variant(db: Db, actor: CurrentActor, body: VariantCreate) -> VariantOut:
    row = service.save_variant(db, actor, key=body.key, situation=body.situation.value,
                               phase=body.phase.value if body.phase else None, body=body.body, attempt=body.attempt,
                               subject=body.subject, pairs_with=body.pairs_with, create=True)
    return _out(row)


@router.put("/{key}")
def edit_variant(db: Db, actor: CurrentActor, key: str, body: VariantIn) -> VariantOut:
    row = service.save_variant(db, actor, key=key, situation=body.situation.value,
                               phase=body.phase.value if body.phase else None, body=body.body, attempt=body.attempt,
                               subject=body.subject, pairs_with=body.pairs_with, create=False)
    return _out(row)


@router.post("/{key}/active")
def set_active(db: Db, actor: CurrentActor, key: str, active: bool) -> VariantOut:
    return _out(service.set_active(db, actor, key, active))
