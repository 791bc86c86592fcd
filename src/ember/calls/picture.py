"""The picture of a call: who talked when, as shapes the call page draws in SVG.

Pure: it reads the parsed transcript and the stored analysis and returns
coordinates in a fixed view box (the page scales it to any width). Nothing here
knows about HTML; the template only draws what is computed here.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

from ember.conversation import Segment
from ember.conversation.report import clock

WIDTH = 1000.0  # view box width; the left gutter holds the speaker names
GUTTER = 150.0
LANE_H = 26.0
LANE_GAP = 8.0
TOP = 34.0  # room for the marks row (questions, monologue, moments) above the lanes
AXIS_H = 22.0
JOIN_GAP_S = 1.0  # speech of one speaker with pauses shorter than this is drawn as one bar

METRIC_NAMES = {
    "rep_talk_ratio": "Rep's share of the talking",
    "longest_rep_monologue_s": "Longest rep monologue",
    "rep_questions": "Questions the rep asked",
    "rep_questions_per_minute": "Rep questions per minute",
    "engaging_moments": "Engaging moments",
    "next_steps": "Next steps agreed",
    "purposeless_openers": "Openers with no purpose",
    "qualification_covered": "Qualification areas covered",
}


@dataclass(frozen=True)
class Lane:
    name: str
    side: str
    y: float
    talk_s: float
    share: float  # of all talk


@dataclass(frozen=True)
class Bar:
    x: float
    w: float
    y: float
    side: str
    speaker: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Mark:
    x: float
    w: float  # 0 for a point in time
    kind: str  # question | monologue | story | moment | step
    label: str
    start_s: float
    anchor: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Block:
    """A stretch of the readable transcript: one speaker's consecutive segments."""

    anchor: str
    speaker: str
    side: str
    start_s: float
    text: str


@dataclass(frozen=True)
class Picture:
    width: float
    height: float
    lanes: list[Lane]
    bars: list[Bar]
    marks: list[Mark]
    ticks: list[Tick]
    blocks: list[Block]
    duration_s: float
    lanes_bottom: float

    def anchor(self, start_s: float | None) -> str:
        """The transcript block a moment of the call falls in."""
        return anchor_of(self.blocks, start_s)


def anchor_of(blocks: list[Block], start_s: float | None) -> str:
    if not blocks:
        return "transcript"
    at = bisect_right([b.start_s for b in blocks], (start_s or 0.0) + 0.01) - 1
    return blocks[max(0, at)].anchor


def _blocks(segments: tuple[Segment, ...], sides: dict[str, str]) -> list[Block]:
    blocks: list[Block] = []
    for seg in segments:
        if blocks and blocks[-1].speaker == seg.speaker:
            last = blocks[-1]
            blocks[-1] = Block(last.anchor, last.speaker, last.side, last.start_s, f"{last.text} {seg.text}".strip())
        else:
            blocks.append(Block(f"t{len(blocks)}", seg.speaker, sides.get(seg.speaker, "unknown"), seg.start,
                                seg.text.strip()))
    return blocks


def _bars(segments: tuple[Segment, ...], lane_y: dict[str, float], sides: dict[str, str],
          x_of: Any) -> list[Bar]:
    joined: dict[str, list[list[float]]] = {}
    for seg in segments:
        spans = joined.setdefault(seg.speaker, [])
        if spans and seg.start - spans[-1][1] < JOIN_GAP_S:
            spans[-1][1] = max(spans[-1][1], seg.end)
        else:
            spans.append([seg.start, seg.end])
    bars = []
    for speaker, spans in joined.items():
        for start, end in spans:
            x = x_of(start)
            bars.append(Bar(x, max(1.0, x_of(end) - x), lane_y[speaker], sides.get(speaker, "unknown"), speaker,
                            start, end))
    return bars


def _ticks(duration: float, x_of: Any) -> list[Tick]:
    steps = (30, 60, 120, 300, 600, 900, 1800)
    step = next((s for s in steps if duration / s <= 8), 3600)
    return [Tick(x_of(float(t)), clock(t)) for t in range(0, int(duration) + 1, step)]


def _marks(analysis: dict[str, Any], blocks: list[Block], x_of: Any) -> list[Mark]:
    marks: list[Mark] = []

    def add(kind: str, start: float | None, length: float, label: str) -> None:
        if start is None:
            return
        x = x_of(start)
        marks.append(Mark(x, max(0.0, x_of(start + length) - x) if length else 0.0, kind, label, start,
                          anchor_of(blocks, start)))

    for moment in analysis.get("engaging_moments", []):
        add("moment", moment["start_s"], (moment["end_s"] or 0) - (moment["start_s"] or 0),
            f"Engaging moment at {clock(moment['start_s'])}: {moment['reason']}")
    if analysis.get("longest_rep_monologue_s"):
        length = analysis["longest_rep_monologue_s"]
        add("monologue", analysis.get("longest_rep_monologue_start_s"), length,
            f"Longest rep monologue: {length:.0f} s from {clock(analysis.get('longest_rep_monologue_start_s'))}")
    if analysis.get("longest_prospect_story_s"):
        length = analysis["longest_prospect_story_s"]
        add("story", analysis.get("longest_prospect_story_start_s"), length,
            f"Longest prospect story: {length:.0f} s from {clock(analysis.get('longest_prospect_story_start_s'))}")
    for q in analysis.get("question_list", []):
        add("question", q["start_s"], 0, f"Question by {q['speaker']} at {clock(q['start_s'])}: {q['text']}")
    for step in analysis.get("next_steps", []):
        add("step", step["start_s"], 0, f"Next step at {clock(step['start_s'])}: {step['quote']}")
    return marks


def build(segments: tuple[Segment, ...], analysis: dict[str, Any]) -> Picture:
    speakers = analysis.get("speakers") or [{"name": s, "side": "unknown", "talk_s": 0.0}
                                            for s in dict.fromkeys(seg.speaker for seg in segments)]
    sides = {s["name"]: s["side"] for s in speakers}
    end = max((s.end for s in segments), default=0.0)
    duration = max(end, 1.0)
    span = WIDTH - GUTTER - 10

    def x_of(t: float) -> float:
        return round(GUTTER + max(0.0, min(t, duration)) / duration * span, 1)

    total_talk = sum(s["talk_s"] or 0 for s in speakers) or 1.0
    lanes = [Lane(s["name"], s["side"], TOP + i * (LANE_H + LANE_GAP), s["talk_s"] or 0.0,
                  (s["talk_s"] or 0.0) / total_talk) for i, s in enumerate(speakers)]
    lane_y = {lane.name: lane.y for lane in lanes}
    for seg in segments:  # a speaker the analysis did not list still gets a lane
        if seg.speaker not in lane_y:
            lane_y[seg.speaker] = TOP + len(lanes) * (LANE_H + LANE_GAP)
            lanes.append(Lane(seg.speaker, "unknown", lane_y[seg.speaker], 0.0, 0.0))
    bottom = TOP + len(lanes) * (LANE_H + LANE_GAP)
    blocks = _blocks(segments, sides)
    return Picture(WIDTH, bottom + AXIS_H, lanes, _bars(segments, lane_y, sides, x_of), _marks(analysis, blocks, x_of),
                   _ticks(duration, x_of), blocks, duration, bottom)


def metric_value(metric: str, value: float | int | None) -> str:
    """A benchmark's figure as a person reads it."""
    if value is None:
        return "—"
    if metric == "rep_talk_ratio":
        return f"{value:.0%}"
    if metric.endswith("_s"):
        return f"{value:.0f} s"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return f"{value:.0f}"
