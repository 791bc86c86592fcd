from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from ember.api.deps import CurrentActor, Db
from ember.users import repository
from ember.users.access import can_see_owner, require_manager

router = APIRouter(prefix="/api", tags=["users"])


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: str
    team_id: int | None
    timezone: str


@router.get("/me", response_model=UserOut)
def me(db: Db, actor: CurrentActor) -> UserOut:
    user = repository.user_by_email(db, actor.email)
    return UserOut.model_validate(user)


@router.get("/users", response_model=list[UserOut])
def list_users(db: Db, actor: CurrentActor) -> list[UserOut]:
    """Managers see their team, admins everyone; reps manage no one."""
    require_manager(actor)
    return [UserOut.model_validate(u) for u in repository.all_users(db) if can_see_owner(actor, u)]
