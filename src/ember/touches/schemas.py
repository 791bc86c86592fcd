from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ember.ids import RecordId
from ember.touches.service import LoggedTouch
from ember.vocabulary import Channel


class TouchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact_id: RecordId
    channel: Channel
    outcome: str = Field(min_length=1, max_length=40)
    occurred_at: datetime | None = None
    deal_id: RecordId | None = None
    notes: str | None = Field(default=None, description="At most 5,000 characters.")
    variant: str | None = None
    callback_at: datetime | None = None
    confirm_date: bool = Field(
        default=False, description="True to log a touch dated before the contact was added (older history).")


def plan_dict(logged: LoggedTouch) -> dict[str, Any] | None:
    plan = logged.planned.decision.plan
    if plan is None:
        return None
    return {
        "channel": plan.channel.value,
        "at": plan.at.isoformat(),  # already in the contact's own time zone
        "label": plan.label.text,
        "purpose": plan.purpose,
        "variant": plan.variant_key,
        "reason": logged.planned.row.reason if logged.planned.row else plan.reason,
    }


def logged_dict(logged: LoggedTouch) -> dict[str, Any]:
    """The shape scripts rely on (documented for `ember touch log --json`)."""
    touch = logged.touch
    return {
        "touch": {"id": touch.id, "label": touch.label, "variant": logged.variant_key,
                  "channel": touch.channel, "outcome": touch.outcome, "occurred_at": touch.occurred_at.isoformat(),
                  "contact_id": touch.contact_id, "deal_id": touch.deal_id},
        "contact_status": logged.contact.status,
        "next": plan_dict(logged),
        "stopped": logged.planned.decision.stop.value if logged.planned.decision.stop else None,
        "why": logged.planned.decision.reason,
    }


class LoggedTouchSummary(BaseModel):
    id: int
    label: str | None = Field(description="FTC #n or follow-up #n")
    variant: str | None
    channel: str
    outcome: str
    occurred_at: str
    contact_id: int
    deal_id: int | None


class PlannedOut(BaseModel):
    channel: str
    at: str = Field(description="ISO 8601, in the contact's own UTC offset")
    label: str
    purpose: str | None
    variant: str | None
    reason: str | None


class TouchLogged(BaseModel):
    """What logging a touch did: the touch, the contact's status, the next plan (or why there is none)."""

    touch: LoggedTouchSummary
    contact_status: str
    next: PlannedOut | None
    stopped: str | None = Field(description="Why the cadence stopped, when it did")
    why: str | None


class TouchOut(BaseModel):
    id: int
    label: str | None
    channel: str
    outcome: str
    deal_id: int | None
    occurred_at: str
    notes: str | None
