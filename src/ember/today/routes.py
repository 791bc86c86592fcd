from __future__ import annotations

from fastapi import APIRouter

from ember.api.deps import CurrentActor, Db
from ember.today.service import QueueItem, queue_for

router = APIRouter(prefix="/api", tags=["today"])


@router.get("/today")
def today(db: Db, actor: CurrentActor, rep: str | None = None) -> list[QueueItem]:
    """The Today queue of the caller, or (managers) of a rep on their team."""
    return queue_for(db, actor, rep)
