from __future__ import annotations

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
    verdict: str
    reason: str


class SidesOut(BaseModel):
    call_id: int
    side_method: str
    sides_known: bool
    speakers: list[SpeakerOut]
    next_steps: int
    benchmarks: list[BenchmarkOut]
