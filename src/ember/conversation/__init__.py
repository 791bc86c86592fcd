"""Call analysis for sales conversations, usable without a database.

Public API (stable; other Ember code and `ember analyze` use only this)::

    from ember.conversation import analyze_file, analyze_text, parse_transcript

    analysis = analyze_file(
        "call.vtt",
        fmt=None,                   # None: detect; or vtt, srt, whisper, assemblyai,
                                    # deepgram, gong, otter, text (aliases: zoom, teams)
        reps=("Dana",),             # names that are on our side (--rep)
        prospects=(),               # names on the prospect's side (--prospect)
        known_reps=("Dana Whitfield", "Lee Park"),  # the team's users
        call_date=datetime(2024, 5, 8, 14, 0),      # resolves "next Tuesday at 3"
        thresholds=Thresholds(),    # benchmark and measurement knobs
    )
    analysis.next_steps             # tuple[NextStep]: type, owner, due, due_phrase, quote, start_s
    analysis.to_dict()              # the versioned JSON (docs/analysis.md)

    analyze_text(text, filename_hint="call.vtt", ...)  # same, from a string
    analyze_file_calls("gong.json")  # one Analysis per call in a file holding several
    parse_transcript(text, fmt=None, filename_hint=None) -> Transcript
    decode_transcript(raw_bytes) -> (text, notes)  # UTF-8, UTF-16 or Windows-1252

Errors in the input raise `TranscriptError`, whose message names the line or
JSON field, what was wrong and what was expected. Analysis code does no I/O;
only `analyze_file` reads the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ember.conversation.analysis import Analysis, analyze_transcript
from ember.conversation.benchmarks import Benchmark, Thresholds, Verdict
from ember.conversation.detect import detect_format, resolve_format
from ember.conversation.errors import TranscriptError
from ember.conversation.formats import FORMAT_NAMES, PARSERS
from ember.conversation.formats.gong import parse_gong_calls
from ember.conversation.next_steps import NextStep
from ember.conversation.report import SCHEMA_VERSION
from ember.conversation.transcript import Segment, Transcript
from ember.textfiles import NotText, decode_bytes

__all__ = [
    "DEFAULT_MAX_BYTES",
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
    "analyze_file_calls",
    "analyze_parsed",
    "analyze_text",
    "decode_transcript",
    "parse_transcript",
    "parse_transcripts",
    "read_transcript_file",
]

_DEFAULT_THRESHOLDS = Thresholds()
# A transcript of a long call is a few megabytes; more is not a transcript we can use.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def parse_transcript(
    text: str, *, fmt: str | None = None, filename_hint: str | None = None
) -> Transcript:
    """Parse transcript text in the given (or detected) format."""
    name = resolve_format(fmt) if fmt else detect_format(text, filename_hint)
    return PARSERS[name](text)


def parse_transcripts(
    text: str, *, fmt: str | None = None, filename_hint: str | None = None
) -> list[Transcript]:
    """Every call in the text: one for most files, one per call for a Gong file holding several."""
    name = resolve_format(fmt) if fmt else detect_format(text, filename_hint)
    return parse_gong_calls(text) if name == "gong" else [PARSERS[name](text)]


def decode_transcript(raw: bytes, source: str | None = None) -> tuple[str, tuple[str, ...]]:
    """Text of a transcript file in UTF-8, UTF-16 or Windows-1252, and a note when it was not UTF-8."""
    try:
        text, encoding = decode_bytes(raw, source or "the file")
    except NotText as error:
        raise TranscriptError(f"{error}, not a transcript",
                              expected="a transcript exported as VTT, SRT, JSON or text", source=source) from None
    notes = () if encoding.codec in ("utf-8", "utf-8-sig") else (f"the file was read as {encoding.describe()}",)
    return text, notes


def read_transcript_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, tuple[str, ...]]:
    """The decoded text of a transcript file; its size is checked before it is read."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise TranscriptError(f"the file is {size / 1048576:.1f} MB, more than the {max_bytes / 1048576:.0f} MB "
                                  "a transcript may have", expected="a smaller file (split long recordings)",
                                  source=str(path))
        raw = path.read_bytes()
    except OSError as error:
        raise TranscriptError(f"cannot read file ({error.strerror})", source=str(path)) from error
    return decode_transcript(raw, str(path))


def analyze_text(
    text: str,
    *,
    filename_hint: str | None = None,
    fmt: str | None = None,
    reps: Iterable[str] = (),
    known_reps: Iterable[str] = (),
    prospects: Iterable[str] = (),
    call_date: datetime | None = None,
    thresholds: Thresholds = _DEFAULT_THRESHOLDS,
    notes: tuple[str, ...] = (),
) -> Analysis:
    """Analyse transcript text (the first call of a file holding several). `call_date` defaults to now."""
    try:
        transcript = parse_transcript(text, fmt=fmt, filename_hint=filename_hint)
    except TranscriptError as error:
        raise (error.with_source(filename_hint) if filename_hint else error) from None
    return analyze_parsed(transcript, source=filename_hint, reps=reps, known_reps=known_reps, prospects=prospects,
                          call_date=call_date, thresholds=thresholds, notes=notes)


def analyze_parsed(
    transcript: Transcript,
    *,
    source: str | None = None,
    reps: Iterable[str] = (),
    known_reps: Iterable[str] = (),
    prospects: Iterable[str] = (),
    call_date: datetime | None = None,
    thresholds: Thresholds = _DEFAULT_THRESHOLDS,
    notes: tuple[str, ...] = (),
) -> Analysis:
    if notes:
        transcript = replace(transcript, notes=(*notes, *transcript.notes))
    return analyze_transcript(
        transcript,
        reps=tuple(reps),
        known_reps=tuple(known_reps),
        prospects=tuple(prospects),
        call_date=call_date or datetime.now().replace(second=0, microsecond=0),
        thresholds=thresholds,
        source=source,
    )


def analyze_file(
    path: str | Path,
    *,
    fmt: str | None = None,
    reps: Iterable[str] = (),
    known_reps: Iterable[str] = (),
    prospects: Iterable[str] = (),
    call_date: datetime | None = None,
    thresholds: Thresholds = _DEFAULT_THRESHOLDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Analysis:
    """Analyse a transcript file. `call_date` defaults to the file's modification time."""
    return analyze_file_calls(path, fmt=fmt, reps=reps, known_reps=known_reps, prospects=prospects,
                              call_date=call_date, thresholds=thresholds, max_bytes=max_bytes, first_only=True)[0]


def analyze_file_calls(
    path: str | Path,
    *,
    fmt: str | None = None,
    reps: Iterable[str] = (),
    known_reps: Iterable[str] = (),
    prospects: Iterable[str] = (),
    call_date: datetime | None = None,
    thresholds: Thresholds = _DEFAULT_THRESHOLDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    first_only: bool = False,
) -> list[Analysis]:
    """One analysis per call in the file (a Gong file may hold several)."""
    path = Path(path)
    text, notes = read_transcript_file(path, max_bytes)
    if call_date is None:
        call_date = datetime.fromtimestamp(path.stat().st_mtime).replace(second=0, microsecond=0)
    try:
        parsed = ([parse_transcript(text, fmt=fmt, filename_hint=str(path))] if first_only
                  else parse_transcripts(text, fmt=fmt, filename_hint=str(path)))
    except TranscriptError as error:
        raise error.with_source(str(path)) from None
    return [analyze_parsed(t, source=str(path) if len(parsed) == 1 else f"{path}#{t.part}", reps=reps,
                           known_reps=known_reps, prospects=prospects, call_date=call_date, thresholds=thresholds,
                           notes=notes) for t in parsed]
