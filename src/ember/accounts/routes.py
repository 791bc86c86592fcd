from __future__ import annotations

from fastapi import APIRouter, Query

from ember.accounts import service
from ember.accounts.schemas import AccountCreate, AccountFields, AccountOut
from ember.api.deps import CurrentActor, Db
from ember.ids import MAX_ID, RecordId

router = APIRouter(prefix="/api/accounts", tags=["accounts"])


@router.get("", response_model=list[AccountOut])
def list_accounts(
    db: Db, actor: CurrentActor, limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=MAX_ID)
) -> list[AccountOut]:
    return [AccountOut.model_validate(a) for a in service.list_accounts(db, actor, limit=limit, offset=offset)]


@router.post("", response_model=AccountOut, status_code=201)
def create_account(db: Db, actor: CurrentActor, body: AccountCreate) -> AccountOut:
    return AccountOut.model_validate(service.create_account(db, actor, body))


@router.get("/{account_id}", response_model=AccountOut)
def get_account(db: Db, actor: CurrentActor, account_id: RecordId) -> AccountOut:
    return AccountOut.model_validate(service.get_account(db, actor, account_id))


@router.patch("/{account_id}", response_model=AccountOut)
def update_account(db: Db, actor: CurrentActor, account_id: RecordId, body: AccountFields) -> AccountOut:
    return AccountOut.model_validate(service.update_account(db, actor, account_id, body))
