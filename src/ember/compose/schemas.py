"""What the writing API takes and answers: follow-ups, their templates, the story library."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ember.ids import RecordId


class ComposeIn(BaseModel):
    kind: str = Field(description="note, opener, brief, email or voicemail (the voicemail + email pair)")
    contact_id: RecordId
    situation: str | None = Field(None, description="for emails: post-meeting, nudge, referral or trigger; "
                                                    "default: chosen from the contact's history")


class StoryIn(BaseModel):
    kind: str = Field("story", description="story (a customer's result) or proof (a figure, an award)")
    title: str = Field(max_length=200)
    text: str = Field(max_length=5000)
    industry: str | None = Field(None, max_length=100)
    problem_keywords: str | None = Field(None, max_length=300, description="comma-separated words that match "
                                         "the prospect's problems")


class TemplateIn(BaseModel):
    body: str = Field(max_length=50_000)


class FactOut(BaseModel):
    quote: str = Field(description="The words from the call (or the notes) the text relies on")
    start_s: float | None = Field(description="Where in the call they were said; null for notes")


class ComposedEmail(BaseModel):
    subject: str | None
    text: str
    facts: list[FactOut]
    placeholders: list[str]


class ComposedOut(BaseModel):
    """A written follow-up. ``situation``, ``subject`` and ``email`` appear only where they apply."""

    kind: str
    template: str
    situation: str | None = None
    subject: str | None = None
    text: str
    facts: list[FactOut]
    placeholders: list[str] = Field(description="Gaps the rep fills in before sending, such as [date]")
    email: ComposedEmail | None = Field(None, description="The email sent with a voicemail")
    meeting_at: str | None = Field(description="The meeting agreed, as an instant an invite would book")


class TemplateListed(BaseModel):
    name: str
    edited: bool = Field(description="Changed at the caller's level: a manager's team copy, an admin's shared wording")
    wording: Literal["team", "shared", "shipped"] = Field(
        description="Whose wording applies: the caller's team's copy, the shared wording (an admin's), or Ember's")
    updated_at: datetime | None
    email: bool = Field(description="The template writes an email (it has a subject line)")


class TemplateOut(BaseModel):
    name: str
    edited: bool = Field(description="Changed at the caller's level: a manager's team copy, an admin's shared wording")
    wording: Literal["team", "shared", "shipped"] = Field(
        description="Whose wording applies: the caller's team's copy, the shared wording (an admin's), or Ember's")
    body: str = Field(description="The wording the caller's team writes with")
    default: str = Field(description="What resetting goes back to: for a team the shared wording, else Ember's")
    variables: dict[str, str] = Field(description="Each variable the template may use, and what it holds")


class StoryOut(BaseModel):
    id: int
    kind: str
    title: str
    industry: str | None
    problem_keywords: str | None
    text: str
    shared: bool = Field(description="Shared by every team (kept by admins); false: the caller's team's own or copy")
