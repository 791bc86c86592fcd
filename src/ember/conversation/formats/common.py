"""Helpers shared by the text-based format parsers."""

from __future__ import annotations

import re

# "Samson Zhang: so what we want..." — a name of up to five words before the
# first colon. Digits are allowed (MRDA ids like "fe016", "Speaker 1"); a URL
# or a time ("10:30") is not a name, hence the leading letter and no "/".
_PREFIX = re.compile(r"^\s*([^\W\d_][\w.'’@&()\- ]{0,59}?)\s*:\s+(.*)$", re.DOTALL)
# Labels that look like "Name:" but introduce a note rather than speech.
_NOT_NAMES = frozenset({"note", "notes", "http", "https", "re", "subject", "ps"})


def clean(text: str) -> str:
    """Collapse whitespace (cue text often wraps over several lines)."""
    # str.split() splits on exactly the characters \s matches, and is faster.
    return " ".join(text.split())


def split_speaker(text: str) -> tuple[str | None, str]:
    """Split a "Name: words" prefix; (None, text) when there is none."""
    match = _PREFIX.match(text)
    if not match:
        return None, text
    name = match.group(1).strip()
    if len(name.split()) > 5 or name.lower() in _NOT_NAMES:
        return None, text
    return name, match.group(2)


def clock_to_seconds(value: str) -> float:
    """'1:02:03', '02:03', '02:03.5' or '00:00:01,000' to seconds."""
    parts = value.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds
