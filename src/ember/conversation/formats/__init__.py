"""Transcript format parsers. Each takes the file's text and returns a Transcript."""

from __future__ import annotations

from collections.abc import Callable

from ember.conversation.formats.assemblyai import parse_assemblyai
from ember.conversation.formats.deepgram import parse_deepgram
from ember.conversation.formats.gong import parse_gong
from ember.conversation.formats.otter import parse_otter
from ember.conversation.formats.plain import parse_plain
from ember.conversation.formats.srt import parse_srt
from ember.conversation.formats.vtt import parse_vtt
from ember.conversation.formats.whisper import parse_whisper
from ember.conversation.transcript import Transcript

Parser = Callable[[str], Transcript]

PARSERS: dict[str, Parser] = {
    "vtt": parse_vtt,
    "srt": parse_srt,
    "whisper": parse_whisper,
    "assemblyai": parse_assemblyai,
    "deepgram": parse_deepgram,
    "gong": parse_gong,
    "otter": parse_otter,
    "text": parse_plain,
}

# Names people will type for the same thing.
ALIASES: dict[str, str] = {
    "zoom": "vtt",
    "teams": "vtt",
    "webvtt": "vtt",
    "whisperx": "whisper",
    "plain": "text",
    "txt": "text",
}

FORMAT_NAMES = tuple(PARSERS)

__all__ = ["ALIASES", "FORMAT_NAMES", "PARSERS", "Parser"]
