"""Two-voice call recordings made on the spot with espeak-ng and sox, from a script with known turn times."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

RATE = 16000
VOICES = {"rep": "en-us+m3", "prospect": "en-gb+f2"}


@dataclass(frozen=True)
class Line:
    side: str  # rep | prospect
    start: float  # seconds from the start of the call
    text: str


@dataclass(frozen=True)
class Spoken:
    side: str
    start: float
    end: float


def require_tools() -> None:
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing:
        raise RuntimeError(f"install {' and '.join(missing)} (Debian packages espeak-ng, sox) for the audio tests")


def _speech(text: str, voice: str, work: Path, index: int) -> np.ndarray:
    raw, trimmed = work / f"line{index}.wav", work / f"line{index}-16k.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "165", "-w", str(raw), text], check=True, capture_output=True)
    # Resampled, and the silence espeak puts before and after a line cut off, so the
    # script's times are the times of speech.
    subprocess.run(["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(trimmed),
                    "silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"],
                   check=True, capture_output=True)
    data, _ = soundfile.read(str(trimmed), dtype="int16")
    return np.asarray(data, dtype=np.int16)


def synthesize(script: list[Line], path: Path, *, tail_s: float = 1.0, stereo: bool = True) -> list[Spoken]:
    """Write the call to ``path`` (rep on the left channel) and return when each line was really spoken."""
    require_tools()
    work = path.parent / f"{path.stem}-lines"
    work.mkdir(exist_ok=True)
    voices = [(line, _speech(line.text, VOICES[line.side], work, i)) for i, line in enumerate(script)]
    spoken = [Spoken(line.side, line.start, line.start + len(audio) / RATE) for line, audio in voices]
    total = int((max(s.end for s in spoken) + tail_s) * RATE)
    channels = {"rep": np.zeros(total, dtype=np.int16), "prospect": np.zeros(total, dtype=np.int16)}
    for (line, audio), _ in zip(voices, spoken, strict=True):
        begin = int(line.start * RATE)
        channels[line.side][begin:begin + len(audio)] = audio
    if stereo:
        soundfile.write(str(path), np.stack([channels["rep"], channels["prospect"]], axis=1), RATE, subtype="PCM_16")
    else:
        mixed = np.clip(channels["rep"].astype(np.int32) + channels["prospect"], -32768, 32767).astype(np.int16)
        soundfile.write(str(path), mixed, RATE, subtype="PCM_16")
    shutil.rmtree(work, ignore_errors=True)
    return spoken
