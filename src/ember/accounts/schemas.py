from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ember import validation
from ember.validation import Country, Email, TimeZone


class AccountFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    _required = field_validator('name', mode="before")(validation.not_null)
    _external_id = field_validator("external_id", mode="before")(validation.empty_as_none)

    name: str | None = Field(default=None, min_length=1, max_length=200)
    domain: str | None = Field(default=None, max_length=253, pattern=r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
    country: Country | None = None
    timezone: TimeZone | None = None
    industry: str | None = Field(default=None, max_length=100)
    size: int | None = Field(default=None, ge=0)
    owner_email: Email | None = None
    external_id: str | None = Field(default=None, max_length=100)


class AccountCreate(AccountFields):
    name: str = Field(min_length=1, max_length=200)


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    domain: str | None
    country: str | None
    timezone: str | None
    industry: str | None
    size: int | None
    owner_id: int | None
    external_id: str | None
    created_at: datetime
