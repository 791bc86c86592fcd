"""Time-based call metrics. Definitions are in docs/analysis.md; no I/O here."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from itertools import pairwise

from ember.conversation.text import is_backchannel
from ember.conversation.transcript import Segment
from ember.conversation.utterances import Utterance
from ember.vocabulary import Side


@dataclass(frozen=True, slots=True)
class Turn:
    """Consecutive speech of one speaker; others' backchannels do not end it."""

    speaker: str
    start: float
    end: float
    first_segment: int
    last_segment: int

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Moment:
    start: float
    end: float
    reason: str


def talk_time(segments: tuple[Segment, ...]) -> dict[str, float]:
    talk: dict[str, float] = {}
    for seg in segments:
        talk[seg.speaker] = talk.get(seg.speaker, 0.0) + seg.duration
    return talk


def turns(segments: tuple[Segment, ...], backchannel_s: float, max_gap_s: float) -> list[Turn]:
    """Merge a speaker's consecutive segments into turns.

    Another speaker's short backchannel ("mm-hmm", "right" under
    `backchannel_s`) is skipped rather than ending the turn; a silence longer
    than `max_gap_s` does end it.
    """
    result: list[Turn] = []
    current: Turn | None = None
    for index, seg in enumerate(segments):
        if current and seg.speaker != current.speaker and is_backchannel(
            seg.text, seg.duration, backchannel_s
        ):
            continue
        if current and seg.speaker == current.speaker and seg.start - current.end <= max_gap_s:
            current = Turn(current.speaker, current.start, max(current.end, seg.end),
                           current.first_segment, index)
            continue
        if current:
            result.append(current)
        current = Turn(seg.speaker, seg.start, seg.end, index, index)
    if current:
        result.append(current)
    return result


def longest_turn(all_turns: list[Turn], sides: dict[str, Side], side: Side) -> Turn | None:
    own = [t for t in all_turns if sides.get(t.speaker) is side]
    return max(own, key=lambda t: t.duration, default=None)


def interactivity(segments: tuple[Segment, ...], duration_s: float) -> float:
    """Speaker switches (consecutive segments by different speakers) per minute."""
    if duration_s <= 0:
        return 0.0
    switches = sum(1 for a, b in pairwise(segments) if a.speaker != b.speaker)
    return switches / (duration_s / 60)


def patience(segments: tuple[Segment, ...], sides: dict[str, Side], max_pause_s: float) -> float | None:
    """Median pause before the rep speaks after the prospect stops.

    Overlaps count as a zero pause; pauses longer than `max_pause_s` are left
    out (a silence that long is something else: a screen share, a dropout).
    """
    pauses: list[float] = []
    for a, b in pairwise(segments):
        if sides.get(a.speaker) is Side.PROSPECT and sides.get(b.speaker) is Side.REP:
            gap = max(0.0, b.start - a.end)
            if gap <= max_pause_s:
                pauses.append(gap)
    return statistics.median(pauses) if pauses else None


def engaging_moments(
    all_turns: list[Turn],
    units: list[Utterance],
    sides: dict[str, Side],
    *,
    story_s: float,
    burst_turns: int,
    burst_max_turn_s: float,
) -> list[Moment]:
    """Stretches where the prospect is visibly engaged (see docs/analysis.md)."""
    found: list[Moment] = []
    for turn in all_turns:
        if sides.get(turn.speaker) is Side.PROSPECT and turn.duration >= story_s:
            found.append(Moment(turn.start, turn.end, f"prospect spoke for {turn.duration:.0f} s"))
    for unit in units:
        if unit.question and sides.get(unit.speaker) is Side.PROSPECT:
            found.append(Moment(unit.start, unit.end, "prospect asked a question"))
    found.extend(_bursts(all_turns, sides, burst_turns, burst_max_turn_s))
    return _merge(found, join_s=15.0)


def _bursts(all_turns: list[Turn], sides: dict[str, Side], size: int, max_s: float) -> list[Moment]:
    """Runs of `size` or more short turns alternating between the two sides."""
    found: list[Moment] = []
    run: list[Turn] = []
    for turn in all_turns:
        short = turn.duration <= max_s
        alternates = not run or sides.get(run[-1].speaker) is not sides.get(turn.speaker)
        if short and alternates:
            run.append(turn)
            continue
        if len(run) >= size:
            found.append(Moment(run[0].start, run[-1].end, f"quick exchange of {len(run)} turns"))
        run = [turn] if short else []
    if len(run) >= size:
        found.append(Moment(run[0].start, run[-1].end, f"quick exchange of {len(run)} turns"))
    return found


def _merge(moments: list[Moment], join_s: float) -> list[Moment]:
    """Overlapping or nearby signals describe one moment, not several."""
    merged: list[Moment] = []
    for moment in sorted(moments, key=lambda m: m.start):
        if merged and moment.start - merged[-1].end <= join_s:
            last = merged[-1]
            reasons = last.reason if moment.reason in last.reason else f"{last.reason}; {moment.reason}"
            merged[-1] = Moment(last.start, max(last.end, moment.end), reasons)
        else:
            merged.append(moment)
    return merged


_SMALL_TALK = re.compile(
    r"\b(how are you|how's it going|how have you been|weekend|weather|vacation|holiday|"
    r"trip|family|kids|game last night|traffic|coffee|good to see you|nice to meet|"
    r"how was your|hope you're well|sunny|rain|snow|hot out|cold out)\b"
)
_BUSINESS_START = re.compile(
    r"\b(agenda|let's get started|let's dive in|let's jump in|get into it|reason (for|of) "
    r"(the|my) call|purpose of|today i'd like|today we|wanted to walk|kick (it|things) off|"
    r"so today|to get started|the goal|your team|your process|problem|challenge)\b"
)


def small_talk(units: list[Utterance], limit_s: float) -> tuple[float, list[Utterance]]:
    """Seconds of small talk at the start, and the sentences that show it.

    Small talk is the opening stretch, up to the first business sentence (an
    agenda, "let's get started", a question about their process), that
    contains at least one social sentence. Only the first `limit_s` seconds
    are searched.
    """
    evidence: list[Utterance] = []
    if not units:
        return 0.0, evidence
    begin = units[0].start
    for unit in units:
        lowered = unit.text.lower()
        if unit.start - begin > limit_s or _BUSINESS_START.search(lowered):
            return (unit.start - begin if evidence else 0.0), evidence
        if _SMALL_TALK.search(lowered):
            evidence.append(unit)
    return 0.0, evidence


_PURPOSELESS = re.compile(
    r"\b(just )?(touch(ing)? base|check(ing)? in( with you)?|just follow(ing)? up|"
    r"just calling to follow up|circle back|circling back|see if you had any questions|"
    r"just wanted to catch up|just looking to catch up|just reaching out|"
    r"just wanted to see how things|see where things stand)\b"
)


def purposeless_openers(
    units: list[Utterance], sides: dict[str, Side], window_s: float
) -> list[Utterance]:
    """Rep sentences in the opening window that say the call has no purpose."""
    if not units:
        return []
    begin = units[0].start
    return [
        u for u in units
        if u.start - begin <= window_s and sides.get(u.speaker) is Side.REP
        and _PURPOSELESS.search(u.text.lower())
    ]


_STORY = re.compile(
    r"\b(one of our (customers|clients)|a (customer|client) of ours|we worked with|"
    r"for example|case study|they were able to|they saw|they went from|similar company|"
    r"another customer|a company like yours)\b"
)


def tells_customer_story(units: list[Utterance], turn: Turn) -> bool:
    """Whether a rep monologue tells a customer story (a long one is then fine)."""
    return any(
        turn.first_segment <= u.segment <= turn.last_segment and _STORY.search(u.text.lower())
        for u in units
    )
