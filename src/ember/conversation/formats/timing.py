"""Cue timing lines as the tools really write them, put in the form webvtt-py reads.

Besides ``00:01:02.500 --> 00:01:05.000`` the files people export hold:

- older Microsoft Teams files: ``0:0:6.90 --> 0:0:7.500``, fields without
  zero padding and the fraction an unpadded count of milliseconds (6.90 is
  6.090 s: the next cue, 0:0:7.80, starts at 7.080 s, not 7.8 s);
- ``MM:SS.mmm`` without hours, and SRT's comma before the milliseconds;
- cues without an end (``00:00:05.000 -->``): they end where the next cue
  starts, the last one after the time its words take to say.

Each timing line is rewritten in place, so line numbers stay those of the
file and the caption parser does the rest. A line with ``-->`` that is no
timing at all is reported with its number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ember.conversation.errors import TranscriptError

_STAMP = r"(?:\d+:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?"
_TIMING = re.compile(rf"^\s*(?P<start>{_STAMP})\s*-->\s*(?:(?P<end>{_STAMP})(?P<rest>\s.*)?)?\s*$")
# A minute or second field of one digit: the old Teams way of writing times.
_UNPADDED = re.compile(r":\d(?:[.,:]|$)")
WORDS_PER_SECOND = 2.5
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Timings:
    lines: list[str]  # the file's lines, timing lines rewritten
    numbers: list[int]  # 1-based numbers of the timing lines
    notes: tuple[str, ...]


def _seconds(stamp: str, fraction_is_ms: bool) -> float:
    whole, _, fraction = stamp.replace(",", ".").partition(".")
    seconds = 0.0
    for part in whole.split(":"):
        seconds = seconds * 60 + int(part)
    if fraction:
        seconds += int(fraction) / 1000 if fraction_is_ms else float("0." + fraction)
    return seconds


def _stamp(seconds: float, mark: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}{mark}{rest % 1000:03d}"


def _spoken_s(lines: list[str], after: int) -> float:
    words = 0
    for line in lines[after:]:
        if not line.strip():
            break
        words += len(_TAG.sub(" ", line).split())
    return max(1.0, words / WORDS_PER_SECOND)


def normalise_timings(lines: list[str], mark: str, expected: str) -> Timings:
    """Rewrite every timing line as ``HH:MM:SS<mark>mmm --> HH:MM:SS<mark>mmm``."""
    found: list[tuple[int, re.Match[str]]] = []
    for number, line in enumerate(lines, start=1):
        if "-->" not in line:
            continue
        match = _TIMING.match(line)
        if not match:
            raise TranscriptError(f"cue timing {line.strip()!r} not understood", expected=expected, line=number)
        found.append((number, match))
    teams = any(_UNPADDED.search(m[key]) for _, m in found for key in ("start", "end") if m[key])
    starts = [_seconds(m["start"], teams) for _, m in found]
    out = list(lines)
    open_ended = 0
    for index, (number, match) in enumerate(found):
        start = starts[index]
        if match["end"]:
            end = _seconds(match["end"], teams)
        else:
            open_ended += 1
            following = starts[index + 1] if index + 1 < len(found) else None
            end = following if following is not None and following > start else start + _spoken_s(lines, number)
        out[number - 1] = f"{_stamp(start, mark)} --> {_stamp(end, mark)}{match['rest'] or ''}"
    notes: list[str] = []
    if teams:
        notes.append("cue times are in the older Teams form (0:0:6.90): the part after the dot was read as "
                     "milliseconds")
    if open_ended:
        notes.append(f"{open_ended} cue(s) had no end time: each was taken to end where the next cue starts")
    return Timings(out, [number for number, _ in found], tuple(notes))
