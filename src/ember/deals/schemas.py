from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ember import validation
from ember.contacts.schemas import Email
from ember.ids import RecordId
from ember.vocabulary import DealOutcome, DealSource, DealStage, DecisionRole


class DealFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    _required = field_validator('name', 'currency', 'stage', mode="before")(validation.not_null)
    _external_id = field_validator("external_id", mode="before")(validation.empty_as_none)

    name: str | None = Field(default=None, min_length=1, max_length=200)
    account_id: RecordId | None = None
    product: str | None = Field(default=None, max_length=100)
    amount: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    stage: DealStage | None = None
    source: DealSource | None = None
    referred_by_contact_id: RecordId | None = None
    referred_by_name: str | None = Field(default=None, max_length=200)
    closed_at: datetime | None = None
    outcome: DealOutcome | None = None
    outcome_reason: str | None = None
    owner_email: Email | None = None
    external_id: str | None = Field(default=None, max_length=100)


class DealCreate(DealFields):
    name: str = Field(min_length=1, max_length=200)


class StakeholderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact_id: RecordId
    role: DecisionRole = DecisionRole.UNKNOWN
    is_primary: bool = False


class DealOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    account_id: int | None
    owner_id: int
    product: str | None
    amount: Decimal | None
    currency: str
    stage: str
    source: str | None
    referred_by_contact_id: int | None
    referred_by_name: str | None
    created_at: datetime
    closed_at: datetime | None
    outcome: str | None
    outcome_reason: str | None
    qualification: dict[str, Any]
    external_id: str | None
