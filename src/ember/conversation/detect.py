"""Guess a transcript's format from its name and first bytes."""

from __future__ import annotations

import json
import re

from ember.conversation.errors import TranscriptError
from ember.conversation.formats import ALIASES, FORMAT_NAMES
from ember.conversation.formats.otter import HEADER as OTTER_HEADER

_SRT_TIMING = re.compile(r"^\s*\d{1,2}:\d{2}:\d{2},\d{1,3}\s*-->")


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
    """The parser name for this content. Content wins over the file extension."""
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
    if lines and OTTER_HEADER.match(lines[0].strip()) and ":" not in lines[0].split()[0]:
        return "otter"
    suffix = (filename or "").lower().rsplit(".", 1)[-1]
    if suffix in ("vtt", "srt"):
        return suffix
    return "text"


def _json_kind(text: str) -> str:
    try:
        root = json.loads(text)
    except json.JSONDecodeError:
        # Let the whisper parser report the exact line of the syntax error.
        return "whisper"
    if not isinstance(root, dict):
        raise TranscriptError(
            "top level is not an object", expected="a transcript JSON object", line=1
        )
    if "callTranscripts" in root:
        return "gong"
    if isinstance(root.get("results"), dict):
        return "deepgram"
    if "utterances" in root or "audio_url" in root:
        return "assemblyai"
    if "segments" in root:
        return "whisper"
    raise TranscriptError(
        "JSON shape not recognised",
        expected="Whisper segments, AssemblyAI utterances, Deepgram results or Gong "
        "callTranscripts",
        line=1,
    )
