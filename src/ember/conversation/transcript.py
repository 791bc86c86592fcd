"""The data model every format parser produces and every metric reads.

A transcript is a flat, time-ordered list of segments. A segment is one
stretch of speech by one speaker as the source tool cut it (a VTT cue, a
Whisper segment, a Gong sentence, an AssemblyAI utterance...). Nothing here
does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ember.vocabulary import Side


@dataclass(frozen=True, slots=True)
class Segment:
    """One stretch of speech. Times are seconds from the start of the recording."""

    speaker: str
    start: float
    end: float
    text: str
    # 1-based line in the source file (text formats) or index in the source
    # array (JSON formats); lets a finding be traced back to the file.
    source_line: int = 0

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)


@dataclass(frozen=True, slots=True)
class Transcript:
    """A parsed call, independent of the format it came from."""

    segments: tuple[Segment, ...]
    format: str
    # True when the source had no timestamps and times were estimated from
    # word counts; time-based metrics are then only indicative.
    timing_estimated: bool = False
    # Sides the source itself declares (Gong "affiliation", dual-channel
    # Deepgram recordings). Empty for most formats.
    declared_sides: dict[str, Side] = field(default_factory=dict)
    # What the reader should know about how the file was read ("read as Windows-1252",
    # "the file holds 3 calls; this is the first"); shown in the report and the JSON.
    notes: tuple[str, ...] = ()
    # Which part of a file holding several calls this is (a Gong call id), else None.
    part: str | None = None

    @property
    def speakers(self) -> list[str]:
        """Speakers in order of first appearance."""
        return list(dict.fromkeys(s.speaker for s in self.segments))

    @property
    def duration(self) -> float:
        if not self.segments:
            return 0.0
        first = min(s.start for s in self.segments)
        last = max(s.end for s in self.segments)
        # Recordings usually start at 0; a transcript starting at 00:01:00
        # still describes a call that began at the recording start, but the
        # silence before the first word is not part of the conversation.
        return max(0.0, last - first)


def sort_segments(segments: list[Segment]) -> tuple[Segment, ...]:
    """Time order, stable for equal starts (Teams cues can arrive out of order)."""
    return tuple(sorted(segments, key=lambda s: (s.start, s.end)))
