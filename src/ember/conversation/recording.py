"""Analysing a call recording: alone (two channels), or with its transcript.

* two channels alone: timing from voice activity, no words;
* two channels and a transcript: the recording's timing for the timing metrics
  (talk time, ratio, monologue, story, interactivity, patience) and the
  transcript for everything said;
* mono and a transcript: the transcript's own timing (a mono recording cannot
  tell the sides apart);
* mono alone: refused with a message saying what would work.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ember.conversation import DEFAULT_MAX_BYTES, analyze_file, analyze_parsed
from ember.conversation.analysis import Analysis
from ember.conversation.audio import PROSPECT, REP, decode, timing_transcript
from ember.conversation.benchmarks import CallFigures, Thresholds, Verdict, evaluate

_DEFAULT = Thresholds()


def analyze_recording(
    recording: str | Path,
    *,
    transcript: str | Path | None = None,
    rep_channel: int = 1,
    fmt: str | None = None,
    reps: tuple[str, ...] = (),
    prospects: tuple[str, ...] = (),
    call_date: datetime | None = None,
    thresholds: Thresholds = _DEFAULT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Analysis:
    audio = decode(recording)
    if call_date is None:
        call_date = datetime.fromtimestamp(Path(recording).stat().st_mtime).replace(second=0, microsecond=0)
    if transcript is not None and audio.channel_count < 2:
        words = analyze_file(transcript, fmt=fmt, reps=reps, prospects=prospects, call_date=call_date,
                             thresholds=thresholds, max_bytes=max_bytes)
        return replace(words, notes=(*words.notes, f"{Path(recording).name} is mono: it cannot tell the sides "
                                                   "apart, so the timing comes from the transcript"))
    timing = analyze_parsed(timing_transcript(audio, source=str(recording), rep_channel=rep_channel),
                            source=str(recording), reps=(REP,), prospects=(PROSPECT,), call_date=call_date,
                            thresholds=thresholds)
    if transcript is None:
        return without_word_verdicts(timing)
    words = analyze_file(transcript, fmt=fmt, reps=reps, prospects=prospects, call_date=call_date,
                         thresholds=thresholds, max_bytes=max_bytes)
    return with_recording_timing(words, timing, thresholds, Path(recording).name)


# Benchmarks that read what was said: a recording alone cannot judge them.
WORD_METRICS = frozenset({"rep_questions", "rep_questions_per_minute", "next_steps", "purposeless_openers",
                          "qualification_covered"})


def without_word_verdicts(timing: Analysis) -> Analysis:
    return replace(timing, benchmarks=tuple(
        replace(b, value=None, verdict=Verdict.UNKNOWN, reason="needs a transcript: the recording gives timing only")
        if b.metric in WORD_METRICS else b for b in timing.benchmarks))


def with_recording_timing(words: Analysis, timing: Analysis, thresholds: Thresholds, name: str) -> Analysis:
    """The transcript's analysis with the recording's timing figures (and benchmarks judged on them)."""
    figures = CallFigures(
        duration_s=timing.duration_s, rep_talk_ratio=timing.rep_talk_ratio,
        longest_rep_monologue_s=timing.longest_rep_monologue_s,
        monologue_is_story=any(b.metric == "longest_rep_monologue_s" and "customer story" in b.reason
                               and "without" not in b.reason for b in words.benchmarks),
        rep_questions=words.rep_questions,
        rep_questions_per_min=words.rep_questions / (timing.duration_s / 60) if timing.duration_s else 0.0,
        engaging_moments=len(words.engaging_moments), next_steps=len(words.next_steps),
        purposeless_openers=len(words.purposeless_openers),
        qualification_covered=sum(c.covered for c in words.qualification.values()),
        side_reason=words.sides.reason,
    )
    return replace(
        words, timing_estimated=False, duration_s=timing.duration_s, speakers=timing.speakers,
        rep_talk_ratio=timing.rep_talk_ratio, longest_rep_monologue_s=timing.longest_rep_monologue_s,
        longest_rep_monologue_start_s=timing.longest_rep_monologue_start_s,
        longest_prospect_story_s=timing.longest_prospect_story_s,
        longest_prospect_story_start_s=timing.longest_prospect_story_start_s,
        rep_questions_per_min=figures.rep_questions_per_min, interactivity_per_min=timing.interactivity_per_min,
        patience_s=timing.patience_s, benchmarks=tuple(evaluate(figures, thresholds)),
        notes=(*words.notes, f"timing from the recording {name} (voice activity per channel); words from the "
                             "transcript"),
    )
