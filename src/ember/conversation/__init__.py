"""Call analysis for sales conversations, usable without a database.

Public API (stable; other Ember code and `ember analyze` use only this)::

    from ember.conversation import analyze_file, analyze_text, parse_transcript

    analysis = analyze_file(
        "call.vtt",
        fmt=None,                   # None: detect; or vtt, srt, whisper, assemblyai,
                                    # deepgram, gong, otter, text (aliases: zoom, teams)
        reps=("Dana",),             # names that are on our side (--rep)
        known_reps=("Dana Whitfield", "Lee Park"),  # the team's users
        call_date=datetime(2024, 5, 8, 14, 0),      # resolves "next Tuesday at 3"
        thresholds=Thresholds(),    # benchmark and measurement knobs
    )
    analysis.next_steps             # tuple[NextStep]: type, owner, due, due_phrase, quote, start_s
    analysis.to_dict()              # the versioned JSON (docs/analysis.md)

    analyze_text(text, filename_hint="call.vtt", ...)  # same, from a string
    parse_transcript(text, fmt=None, filename_hint=None) -> Transcript

Errors in the input raise `TranscriptError`, whose message names the line or
JSON field, what was wrong and what was expected. Analysis code does no I/O;
only `analyze_file` reads the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from ember.conversation.analysis import SCHEMA_VERSION, Analysis, analyze_transcript
from ember.conversation.benchmarks import Benchmark, Thresholds, Verdict
from ember.conversation.detect import detect_format, resolve_format
from ember.conversation.errors import TranscriptError
from ember.conversation.formats import FORMAT_NAMES, PARSERS
from ember.conversation.next_steps import NextStep
from ember.conversation.transcript import Segment, Transcript

__all__ = [
    "FORMAT_NAMES",
    "SCHEMA_VERSION",
    "Analysis",
    "Benchmark",
    "NextStep",
    "Segment",
    "Thresholds",
    "Transcript",
    "TranscriptError",
    "Verdict",
    "analyze_file",
    "analyze_text",
    "parse_transcript",
]

_DEFAULT_THRESHOLDS = Thresholds()


def parse_transcript(
    text: str, *, fmt: str | None = None, filename_hint: str | None = None
) -> Transcript:
    """Parse transcript text in the given (or detected) format."""
    name = resolve_format(fmt) if fmt else detect_format(text, filename_hint)
    return PARSERS[name](text)


def analyze_text(
    text: str,
    *,
    filename_hint: str | None = None,
    fmt: str | None = None,
    reps: Iterable[str] = (),
    known_reps: Iterable[str] = (),
    call_date: datetime | None = None,
    thresholds: Thresholds = _DEFAULT_THRESHOLDS,
) -> Analysis:
    """Analyse transcript text. `call_date` defaults to now."""
    try:
        transcript = parse_transcript(text, fmt=fmt, filename_hint=filename_hint)
    except TranscriptError as error:
        raise (error.with_source(filename_hint) if filename_hint else error) from None
    return analyze_transcript(
        transcript,
        reps=tuple(reps),
        known_reps=tuple(known_reps),
        call_date=call_date or datetime.now().replace(second=0, microsecond=0),
        thresholds=thresholds,
        source=filename_hint,
    )


def analyze_file(
    path: str | Path,
    *,
    fmt: str | None = None,
    reps: Iterable[str] = (),
    known_reps: Iterable[str] = (),
    call_date: datetime | None = None,
    thresholds: Thresholds = _DEFAULT_THRESHOLDS,
) -> Analysis:
    """Analyse a transcript file. `call_date` defaults to the file's modification time."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise TranscriptError(f"cannot read file ({error.strerror})", source=str(path)) from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise TranscriptError("not UTF-8 text", expected="a UTF-8 encoded file", line=line,
                              source=str(path)) from error
    if call_date is None:
        call_date = datetime.fromtimestamp(path.stat().st_mtime).replace(second=0, microsecond=0)
    return analyze_text(text, filename_hint=str(path), fmt=fmt, reps=reps,
                        known_reps=known_reps, call_date=call_date, thresholds=thresholds)
