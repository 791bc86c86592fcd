from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class SidesIn(BaseModel):
    """Speakers of a recorded call on our side and on the prospect's; everyone else goes to the other side."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    rep: list[str] = Field(default_factory=list, max_length=20)
    prospect: list[str] = Field(default_factory=list, max_length=20)


class SpeakerOut(BaseModel):
    name: str
    side: str
    talk_s: float | None


class BenchmarkOut(BaseModel):
    metric: str
    verdict: str = Field(description="good, warn, bad, or unknown (not graded)")
    reason: str


class GradedBenchmark(BaseModel):
    metric: str
    value: int | float | None
    target: str
    verdict: str = Field(description="good, warn, bad, or unknown (not graded)")
    reason: str


class QuestionCounts(BaseModel):
    rep: int
    prospect: int
    rep_per_minute: float | None


class QuestionOut(BaseModel):
    speaker: str
    side: str | None
    start_s: float | None
    text: str


class MomentOut(BaseModel):
    start_s: float | None
    end_s: float | None
    reason: str


class QuoteOut(BaseModel):
    speaker: str
    side: str | None
    quote: str
    start_s: float


class NextStepOut(BaseModel):
    type: str
    owner: str | None
    due: str | None = Field(description="A date, or a date and time, in ISO 8601; null when none was said")
    due_phrase: str | None
    quote: str
    start_s: float
    speaker: str
    kind: str


class CommitmentOut(BaseModel):
    speaker: str
    side: str | None
    start_s: float
    text: str
    kind: str
    score: float


class CoverageOut(BaseModel):
    covered: bool
    evidence: list[QuoteOut]


class RoleEvidenceOut(BaseModel):
    role: str
    quote: str
    start_s: float


class ProspectRoleOut(BaseModel):
    speaker: str
    role: str
    quote: str | None
    start_s: float | None
    evidence: list[RoleEvidenceOut]


class AnalysisOut(BaseModel):
    """One call's analysis: the versioned JSON that ``ember analyze --json`` prints too (docs/analysis.md).
    Fields a later minor version adds pass through."""

    model_config = ConfigDict(extra="allow")

    schema_version: str
    source: str | None
    format: str
    timing_estimated: bool
    call_date: str
    side_method: str
    side_confidence: float
    sides_known: bool
    side_reason: str | None
    notes: list[str]
    duration_s: float | None
    speakers: list[SpeakerOut]
    rep_talk_ratio: float | None
    longest_rep_monologue_s: float | None
    longest_rep_monologue_start_s: float | None
    longest_prospect_story_s: float | None
    longest_prospect_story_start_s: float | None
    questions: QuestionCounts
    question_list: list[QuestionOut]
    interactivity_per_min: float | None
    patience_s: float | None
    engaging_moments: list[MomentOut]
    small_talk_s: float | None
    small_talk: list[QuoteOut]
    purposeless_openers: list[QuoteOut]
    next_steps: list[NextStepOut]
    commitments: list[CommitmentOut]
    qualification: dict[str, CoverageOut] = Field(description="Each qualification area: covered, and the quotes")
    prospect_roles: list[ProspectRoleOut]
    problems: list[QuoteOut]
    closing_points: list[QuoteOut]
    benchmarks: list[GradedBenchmark]


class TouchRef(BaseModel):
    id: int
    label: str | None


class CallRecorded(BaseModel):
    call_id: int
    touch: TouchRef
    next_steps: int = Field(description="How many next steps were stored from the call")
    analysis: AnalysisOut


class CallOut(BaseModel):
    id: int
    touch_id: int
    format: str | None
    source: str | None
    duration_s: float | None
    analysed_at: datetime | None
    analysis: AnalysisOut | None


class SidesOut(BaseModel):
    call_id: int
    side_method: str
    sides_known: bool
    speakers: list[SpeakerOut]
    next_steps: int
    benchmarks: list[BenchmarkOut]
