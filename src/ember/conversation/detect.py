"""Guess a transcript's format from its name and first bytes."""

from __future__ import annotations

import json
import re

from ember.conversation.errors import TranscriptError
from ember.conversation.formats import ALIASES, FORMAT_NAMES
from ember.conversation.formats.otter import read_header as otter_header

_SRT_TIMING = re.compile(r"^\s*\d{1,2}:\d{1,2}:\d{1,2},\d{1,3}\s*-->")
_HOW = "a transcript exported as VTT, SRT, JSON or text from your meeting or recording tool"


def resolve_format(name: str) -> str:
    """Canonical format name for what the user typed; error for unknown ones."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in FORMAT_NAMES:
        raise TranscriptError(
            f"unknown format {name!r}", expected="one of " + ", ".join(FORMAT_NAMES)
        )
    return key


def detect_format(text: str, filename: str | None = None) -> str:
    """The parser name for this content. Content wins over the file extension. Content
    that is no transcript at all (a table, a web page, an empty file) is said so in one sentence."""
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("WEBVTT"):
        return "vtt"
    if head.startswith(("{", "[")):
        return _json_kind(text)
    lines = [line for line in head.splitlines()[:6] if line.strip()]
    if len(lines) >= 2 and lines[0].strip().isdigit() and "-->" in lines[1]:
        return "srt"
    if lines and _SRT_TIMING.match(lines[0]):
        return "srt"
    if lines and otter_header(lines[0].strip()) and (":" not in lines[0].split()[0] or "**" in lines[0]):
        return "otter"
    suffix = (filename or "").lower().rsplit(".", 1)[-1]
    if suffix in ("vtt", "srt"):
        return suffix
    _refuse_non_transcript(lines)
    return "text"


def _refuse_non_transcript(lines: list[str]) -> None:
    if not lines:
        raise TranscriptError("the file is empty, not a transcript", expected=_HOW)
    first = lines[0].strip().lower()
    if first.startswith(("<!doctype html", "<html", "<?xml")):
        raise TranscriptError("the file is a web page or XML document, not a transcript", expected=_HOW, line=1)
    if len(lines) >= 2 and _looks_like_table(lines):
        raise TranscriptError("the file is a table (CSV), not a transcript", expected=_HOW, line=1)


def _looks_like_table(lines: list[str]) -> bool:
    """Every line cut into the same number (3 or more) of fields by one separator."""
    for separator in (",", ";", "\t"):
        counts = {line.count(separator) for line in lines}
        if len(counts) == 1 and min(counts) >= 2 and ": " not in lines[0]:
            return True
    return False


def _json_kind(text: str) -> str:
    try:
        root = json.loads(text)
    except json.JSONDecodeError:
        # Let the whisper parser report the exact line of the syntax error.
        return "whisper"
    if not isinstance(root, dict):
        raise TranscriptError(
            "the JSON file is a list, not a transcript", expected="a transcript JSON object", line=1
        )
    if "callTranscripts" in root:
        return "gong"
    if isinstance(root.get("results"), dict):
        return "deepgram"
    if "utterances" in root or "audio_url" in root or ("words" in root and "segments" not in root):
        return "assemblyai"
    if "segments" in root:
        return "whisper"
    raise TranscriptError(
        "the JSON file is not a transcript Ember knows",
        expected="Whisper segments, AssemblyAI utterances, Deepgram results or Gong "
        "callTranscripts",
        line=1,
    )
