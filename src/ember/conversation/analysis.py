"""Running every measurement and extraction over one parsed transcript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from ember.conversation import metrics
from ember.conversation.benchmarks import Benchmark, CallFigures, Thresholds, evaluate
from ember.conversation.clauses import commitment_units
from ember.conversation.commitments import Commitment, find_commitments, reported
from ember.conversation.metrics import Moment
from ember.conversation.next_steps import NextStep, extract_next_steps
from ember.conversation.problems import Point, closing_points, stated_problems
from ember.conversation.qualification import Coverage, qualification
from ember.conversation.report import to_dict
from ember.conversation.roles import ProspectRole, prospect_roles
from ember.conversation.sides import SideAssignment, assign_sides
from ember.conversation.transcript import Transcript
from ember.conversation.utterances import Utterance, flag_questions, split_segments
from ember.vocabulary import Side

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SpeakerTalk:
    name: str
    side: Side
    talk_s: float


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything measured about one call. `to_dict()` gives the versioned JSON."""

    format: str
    timing_estimated: bool
    call_date: datetime
    duration_s: float
    sides: SideAssignment
    speakers: tuple[SpeakerTalk, ...]
    rep_talk_ratio: float | None
    longest_rep_monologue_s: float
    longest_rep_monologue_start_s: float | None
    longest_prospect_story_s: float
    longest_prospect_story_start_s: float | None
    questions: tuple[Utterance, ...]
    rep_questions: int
    prospect_questions: int
    rep_questions_per_min: float
    interactivity_per_min: float
    patience_s: float | None
    engaging_moments: tuple[Moment, ...]
    small_talk_s: float
    small_talk: tuple[Utterance, ...]
    purposeless_openers: tuple[Utterance, ...]
    next_steps: tuple[NextStep, ...]
    commitments: tuple[Commitment, ...]
    qualification: dict[str, Coverage]
    prospect_roles: tuple[ProspectRole, ...]
    problems: tuple[Point, ...]
    closing_points: tuple[Point, ...]
    benchmarks: tuple[Benchmark, ...]
    source: str | None = field(default=None)
    # How the file was read and what was left out (encoding, older Teams times, lists capped).
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)


def analyze_transcript(
    transcript: Transcript,
    *,
    reps: tuple[str, ...] = (),
    known_reps: tuple[str, ...] = (),
    prospects: tuple[str, ...] = (),
    call_date: datetime,
    thresholds: Thresholds,
    source: str | None = None,
) -> Analysis:
    t = thresholds
    segments = transcript.segments
    units = flag_questions(split_segments(segments), timed=not transcript.timing_estimated)
    assignment = assign_sides(transcript, units, reps, known_reps, prospects)
    sides = assignment.sides
    duration = transcript.duration
    minutes = duration / 60 if duration > 0 else 0.0

    talk = metrics.talk_time(segments)
    total_talk = sum(talk.values())
    rep_talk = sum(v for s, v in talk.items() if sides.get(s) is Side.REP)
    all_turns = metrics.turns(segments, t.backchannel_s, t.turn_gap_s)
    rep_turn = metrics.longest_turn(all_turns, sides, Side.REP)
    story = metrics.longest_turn(all_turns, sides, Side.PROSPECT)
    questions = [u for u in units if u.question]
    rep_q = sum(1 for u in questions if sides.get(u.speaker) is Side.REP)
    moments = metrics.engaging_moments(
        all_turns, units, sides, story_s=t.story_s,
        burst_turns=t.burst_turns, burst_max_turn_s=t.burst_max_turn_s,
    )
    small_s, small = metrics.small_talk(units, t.small_talk_window_s)
    openers = metrics.purposeless_openers(units, sides, t.opener_window_s)
    # Undertakings that ran on into another sentence are read on their own.
    said = commitment_units(segments, units)
    commitments = find_commitments(said, sides)
    steps = extract_next_steps(said, sides, call_date, commitments)
    quals = qualification(units, sides)
    has_rep = any(side is Side.REP for side in sides.values())

    notes = list(transcript.notes)
    cap = _Cap(t.max_items, notes)
    figures = CallFigures(
        duration_s=duration,
        rep_talk_ratio=rep_talk / total_talk if total_talk and has_rep else None,
        longest_rep_monologue_s=rep_turn.duration if rep_turn else 0.0,
        monologue_is_story=bool(rep_turn and metrics.tells_customer_story(units, rep_turn)),
        rep_questions=rep_q,
        rep_questions_per_min=rep_q / minutes if minutes else 0.0,
        engaging_moments=len(moments),
        next_steps=len(steps),
        purposeless_openers=len(openers),
        qualification_covered=sum(c.covered for c in quals.values()),
        side_reason=assignment.reason,
    )
    return Analysis(
        format=transcript.format,
        timing_estimated=transcript.timing_estimated,
        call_date=call_date,
        duration_s=duration,
        sides=assignment,
        speakers=tuple(
            SpeakerTalk(s, sides[s], talk.get(s, 0.0)) for s in transcript.speakers
        ),
        rep_talk_ratio=figures.rep_talk_ratio,
        longest_rep_monologue_s=figures.longest_rep_monologue_s,
        longest_rep_monologue_start_s=rep_turn.start if rep_turn else None,
        longest_prospect_story_s=story.duration if story else 0.0,
        longest_prospect_story_start_s=story.start if story else None,
        questions=cap("questions", questions),
        rep_questions=rep_q,
        prospect_questions=sum(1 for u in questions if sides.get(u.speaker) is Side.PROSPECT),
        rep_questions_per_min=figures.rep_questions_per_min,
        interactivity_per_min=metrics.interactivity(segments, duration),
        patience_s=None if transcript.timing_estimated
        else metrics.patience(segments, sides, t.patience_max_pause_s),
        engaging_moments=cap("engaging moments", moments),
        small_talk_s=small_s,
        small_talk=cap("small-talk sentences", small),
        purposeless_openers=cap("purposeless openers", openers),
        next_steps=cap("next steps", steps),
        commitments=cap("commitments", reported(commitments, {s.unit for s in steps})),
        qualification=quals,
        prospect_roles=cap("prospect roles", prospect_roles(units, sides)),
        problems=cap("problems", stated_problems(units, sides)),
        closing_points=cap("closing points", closing_points(units, sides, t.closing_window_s, t.closing_count)),
        benchmarks=tuple(evaluate(figures, t)),
        source=source,
        notes=tuple(notes),
    )


class _Cap:
    """Keeps the first ``limit`` items of a list and notes how many more were found, so a huge
    or machine-made transcript cannot flood the report or the database."""

    def __init__(self, limit: int, notes: list[str]) -> None:
        self.limit, self.notes = max(0, limit), notes

    def __call__(self, what: str, items: Sequence[T]) -> tuple[T, ...]:
        if len(items) > self.limit:
            self.notes.append(f"{len(items)} {what} found; only the first {self.limit} are listed")
        return tuple(items[: self.limit])
