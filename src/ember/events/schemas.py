"""What the events API answers: how many events a delivery brought, and the trigger rules."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AcceptedOut(BaseModel):
    source: str = Field(description="The event source the delivery was checked against")
    accepted: int = Field(description="Events new to Ember (each is acted on once)")
    duplicates: int = Field(description="Events received before: a retry, counted and not acted on again")
    skipped: list[str] = Field(description="Events left out, each with why (a type Ember does not use, say)")


class RuleOut(BaseModel):
    id: int
    name: str
    event_type: str
    url_pattern: str | None
    min_count: int
    window_hours: int
    audience: str
    active: bool
    team_id: int | None = Field(description="The team the rule belongs to; null for every team")
