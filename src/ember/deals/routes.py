from __future__ import annotations

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict

from ember.api.deps import CurrentActor, Db
from ember.deals import service
from ember.deals.schemas import DealCreate, DealFields, DealOut, StakeholderIn
from ember.ids import MAX_ID, RecordId
from ember.vocabulary import DealStage

router = APIRouter(prefix="/api/deals", tags=["deals"])


class StakeholderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    deal_id: int
    contact_id: int
    role: str
    is_primary: bool


@router.get("", response_model=list[DealOut])
def list_deals(
    db: Db, actor: CurrentActor, stage: DealStage | None = None,
    limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=MAX_ID),
) -> list[DealOut]:
    return [DealOut.model_validate(d) for d in service.list_deals(db, actor, stage=stage, limit=limit, offset=offset)]


@router.post("", response_model=DealOut, status_code=201)
def create_deal(db: Db, actor: CurrentActor, body: DealCreate) -> DealOut:
    return DealOut.model_validate(service.create_deal(db, actor, body))


@router.get("/{deal_id}", response_model=DealOut)
def get_deal(db: Db, actor: CurrentActor, deal_id: RecordId) -> DealOut:
    return DealOut.model_validate(service.get_deal(db, actor, deal_id))


@router.patch("/{deal_id}", response_model=DealOut)
def update_deal(db: Db, actor: CurrentActor, deal_id: RecordId, body: DealFields) -> DealOut:
    return DealOut.model_validate(service.update_deal(db, actor, deal_id, body))


@router.delete("/{deal_id}", status_code=204)
def delete_deal(db: Db, actor: CurrentActor, deal_id: RecordId) -> Response:
    service.delete_deal(db, actor, deal_id)
    return Response(status_code=204)


@router.get("/{deal_id}/stakeholders", response_model=list[StakeholderOut])
def list_stakeholders(db: Db, actor: CurrentActor, deal_id: RecordId) -> list[StakeholderOut]:
    return [StakeholderOut.model_validate(s) for s in service.stakeholders(db, actor, deal_id)]


@router.post("/{deal_id}/stakeholders", response_model=StakeholderOut, status_code=201)
def add_stakeholder(db: Db, actor: CurrentActor, deal_id: RecordId, body: StakeholderIn) -> StakeholderOut:
    return StakeholderOut.model_validate(service.add_stakeholder(db, actor, deal_id, body))
