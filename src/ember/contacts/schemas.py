from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ember import validation
from ember.ids import RecordId
from ember.validation import Country, Email, TimeZone
from ember.vocabulary import ContactStatus, DecisionRole, PreferredChannel


class ContactFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    _required = field_validator("first_name", "last_name", "decision_role", "status",
                                mode="before")(validation.not_null)
    _external_id = field_validator("external_id", mode="before")(validation.empty_as_none)

    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    email: Email | None = None
    phone: str | None = Field(default=None, max_length=50)
    mobile_phone: str | None = Field(default=None, max_length=50)
    other_phone: str | None = Field(default=None, max_length=50)
    title: str | None = Field(default=None, max_length=200)
    linkedin_url: str | None = Field(default=None, max_length=500)
    country: Country | None = None
    timezone: TimeZone | None = None
    decision_role: DecisionRole | None = None
    decision_role_evidence: str | None = None
    preferred_channel: PreferredChannel | None = None
    status: ContactStatus | None = None
    account_id: RecordId | None = None
    owner_email: Email | None = None
    external_id: str | None = Field(default=None, max_length=100)
    do_not_call: bool = False
    do_not_email: bool = False


class ContactCreate(ContactFields):
    email: Email


class ContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    mobile_phone: str | None
    other_phone: str | None
    title: str | None
    linkedin_url: str | None
    country: str | None
    timezone: str | None
    decision_role: str
    decision_role_evidence: str | None
    preferred_channel: str | None
    status: str
    account_id: int | None
    owner_id: int
    external_id: str | None
    do_not_call: bool
    do_not_email: bool
    created_at: datetime
