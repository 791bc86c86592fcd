"""Which text encoding a file people exported from another tool is in, and what we assumed.

CRM exports and transcripts arrive as UTF-8 (with or without a byte-order
mark), as UTF-16 with a mark (Excel's "Unicode text", some Windows tools) or
as Windows-1252 (Excel's plain "CSV" on Windows). The order of trust: a
byte-order mark, then a complete UTF-8 check, then charset-normalizer's guess
on a sample. Western code pages are easily confused by any detector, so when
the guess is a Latin-alphabet code page and the bytes read as Windows-1252,
Windows-1252 wins: it is what spreadsheet programs write. Files that are not
text at all (PDF, Word, Excel, images, audio) are named, so the user hears
"this is a PDF" rather than a decoding error.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

_SAMPLE = 1 << 20  # bytes looked at by the detector
_CHUNK = 1 << 20  # bytes read at a time while checking a whole file

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with a byte-order mark"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)

# Leading bytes of files people pick by mistake instead of a text export.
_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (a Word, Excel or PowerPoint file is one)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document (.doc or .xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"ID3", "an MP3 audio file"),
    (b"RIFF", "a WAV or AVI media file"),
    (b"OggS", "an Ogg audio file"),
    (b"fLaC", "a FLAC audio file"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"SQLite format 3", "an SQLite database"),
)


class NotText(ValueError):
    """The file is not text in any encoding we read; the message says what it seems to be."""


@dataclass(frozen=True, slots=True)
class Encoding:
    codec: str  # the Python codec that reads the file
    label: str  # what the user is told
    assumed: bool  # True when guessed, not marked in the file or proven by a full check

    def describe(self) -> str:
        return f"{self.label} (assumed)" if self.assumed else self.label


UTF8 = Encoding("utf-8", "UTF-8", False)


def _bom(head: bytes) -> Encoding | None:
    for mark, codec, label in _BOMS:
        if head.startswith(mark):
            return Encoding(codec, label, False)
    return None


def binary_kind(head: bytes) -> str | None:
    """What a file that is not text seems to be, from its first bytes; None for text."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[4:8] == b"ftyp":
        return "an MP4 or M4A media file"
    if b"\x00" in head[:4096] and _bom(head) is None and not _looks_utf16(head[:4096]):
        return "a binary file"
    return None


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a mark: mostly ASCII, so every other byte is NUL."""
    if len(head) < 4:
        return False
    odd, even = head[1::2], head[0::2]
    return odd.count(0) > 0.9 * len(odd) or even.count(0) > 0.9 * len(even)


def _latin_only(text: str) -> bool:
    for char in text:
        if ord(char) > 127 and char.isalpha() and not unicodedata.name(char, "").startswith("LATIN"):
            return False
    return True


def _guess(sample: bytes) -> Encoding:
    best = from_bytes(sample).best()
    guessed = best.encoding if best is not None else None
    if guessed and guessed.startswith("utf"):
        return Encoding(guessed, guessed.upper().replace("_", "-"), True)
    try:
        western = sample.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and (guessed is None or _latin_only(str(best))):
        return Encoding("cp1252", "Windows-1252", True)
    if guessed:
        return Encoding(guessed, guessed.replace("_", "-"), True)
    return Encoding("latin-1", "Latin-1", True)


def _decodes(path: Path, codec: str) -> bool:
    decoder = codecs.getincrementaldecoder(codec)("strict")
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def sniff_file(path: Path) -> Encoding:
    """The encoding of a file of any size, reading it in chunks (memory stays flat)."""
    with path.open("rb") as handle:
        sample = handle.read(_SAMPLE)
    kind = binary_kind(sample)
    if kind:
        raise NotText(f"{path.name} is {kind}, not a text file")
    marked = _bom(sample)
    if marked is not None:
        return marked
    if _decodes(path, "utf-8"):
        return UTF8
    guessed = _guess(sample)
    if _decodes(path, guessed.codec):
        return guessed
    return Encoding("latin-1", "Latin-1", True)  # every byte is a Latin-1 character


def decode_bytes(raw: bytes, name: str = "the file") -> tuple[str, Encoding]:
    """Text and encoding of a file already in memory (a transcript, an upload)."""
    kind = binary_kind(raw[:_SAMPLE])
    if kind:
        raise NotText(f"{name} is {kind}, not a text file")
    encoding = _bom(raw)
    if encoding is None:
        try:
            return raw.decode("utf-8"), UTF8
        except UnicodeDecodeError:
            encoding = _guess(raw[:_SAMPLE])
    try:
        text = raw.decode(encoding.codec)
    except UnicodeDecodeError:
        encoding = Encoding("latin-1", "Latin-1", True)
        text = raw.decode("latin-1")
    return text.removeprefix("\ufeff"), encoding
