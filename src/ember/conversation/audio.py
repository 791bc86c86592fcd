"""Talk timing from a call recording, with no transcript: who spoke when, per channel.

Most dialers record each party on their own channel. Voice activity on each
channel (webrtcvad) gives the stretches of speech of that side; those become
segments the usual time metrics read (talk time, ratio, longest monologue,
longest customer story, interactivity, patience). A mono recording has no
sides to tell apart: it needs a transcript for that.

Decoding: soundfile for WAV/FLAC/OGG at a rate the detector takes, ffmpeg for
everything else (MP3, M4A, other rates), which it resamples to 16 kHz.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile
import webrtcvad

from ember.conversation.errors import TranscriptError
from ember.conversation.transcript import Segment, Transcript, sort_segments
from ember.vocabulary import Side

AUDIO_SUFFIXES = frozenset({".wav", ".mp3", ".m4a", ".flac", ".ogg", ".opus", ".aac", ".wma", ".webm"})
VAD_RATES = (8000, 16000, 32000, 48000)
FRAME_MS = 30
REP, PROSPECT = "Rep", "Prospect"


@dataclass(frozen=True)
class VoiceSettings:
    aggressiveness: int = 2  # webrtcvad mode 0..3: higher drops more noise (and more soft speech)
    join_gap_s: float = 0.5  # pauses inside a sentence shorter than this do not split it
    min_speech_s: float = 0.25  # shorter bursts (a click, a cough) are not speech
    # Frames far below the channel's loudness are silence without asking the detector: fast on long calls.
    silence_db: float = 45.0


@dataclass(frozen=True)
class Recording:
    rate: int
    samples: np.ndarray  # int16, shape (frames, channels), interleaved as decoded: no copy per channel

    @property
    def channel_count(self) -> int:
        return int(self.samples.shape[1])

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate


def is_audio(path: str | Path) -> bool:
    return Path(path).suffix.lower() in AUDIO_SUFFIXES


def decode(path: str | Path) -> Recording:
    """The recording's channels as 16-bit samples at a rate voice detection takes."""
    path = Path(path)
    if not path.exists():
        raise TranscriptError("no such file", source=str(path))
    try:
        info = soundfile.info(str(path))
    except (RuntimeError, soundfile.LibsndfileError):
        info = None
    if info is not None and info.samplerate in VAD_RATES:
        data = soundfile.read(str(path), dtype="int16", always_2d=True)[0]
        return Recording(info.samplerate, data)
    return _ffmpeg(path)


def _ffmpeg(path: Path) -> Recording:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise TranscriptError("this audio format needs ffmpeg, which is not installed (WAV and FLAC at 8, 16, 32 "
                              "or 48 kHz need nothing)", source=str(path))
    channels = _channel_count(ffmpeg, path)
    run = subprocess.run([ffmpeg, "-nostdin", "-v", "error", "-i", str(path), "-f", "s16le", "-acodec", "pcm_s16le",
                          "-ar", "16000", "-ac", str(channels), "-"], capture_output=True, check=False)
    if run.returncode != 0:
        message = run.stderr.decode(errors="replace").strip().splitlines()
        raise TranscriptError(f"cannot decode the recording: {message[-1] if message else 'ffmpeg failed'}",
                              source=str(path))
    return Recording(16000, np.frombuffer(run.stdout, dtype="<i2").reshape(-1, channels))


def _channel_count(ffmpeg: str, path: Path) -> int:
    probe = shutil.which("ffprobe")
    if probe is None:
        return 2
    run = subprocess.run([probe, "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=channels",
                          "-of", "csv=p=0", str(path)], capture_output=True, text=True, check=False)
    try:
        return max(1, min(int(run.stdout.strip().splitlines()[0]), 8))
    except (ValueError, IndexError) as exc:
        raise TranscriptError("no audio stream found in the file", source=str(path)) from exc


_CHUNK_FRAMES = 2000  # a minute of frames at a time keeps the float copy small on long calls


def _frame_energy(frames: np.ndarray) -> np.ndarray:
    """RMS of every frame of every channel, shape (frames, channels), from every fourth sample: plenty
    for telling silence from sound, and four times less work on a long call."""
    energy = np.empty((frames.shape[0], frames.shape[2]), dtype=np.float32)
    for start in range(0, frames.shape[0], _CHUNK_FRAMES):
        chunk = frames[start:start + _CHUNK_FRAMES, ::4].astype(np.float32)
        energy[start:start + _CHUNK_FRAMES] = np.sqrt(np.einsum("fsc,fsc->fc", chunk, chunk) / chunk.shape[1])
    return energy + 1e-3


def speech_spans(recording: Recording, settings: VoiceSettings) -> list[list[tuple[float, float]]]:
    """(start, end) seconds of speech on each channel."""
    rate = recording.rate
    frame = rate * FRAME_MS // 1000
    count = len(recording.samples) // frame
    if count == 0:
        return [[] for _ in range(recording.channel_count)]
    frames = recording.samples[: count * frame].reshape(count, frame, recording.channel_count)
    energy = _frame_energy(frames)
    spans = []
    for channel in range(recording.channel_count):
        loud = float(np.percentile(energy[:, channel], 99))
        # Frames far below the channel's loud speech are silence: only the rest go to the detector.
        candidate = 20 * np.log10(energy[:, channel] / loud) > -settings.silence_db
        vad = webrtcvad.Vad(settings.aggressiveness)
        voiced = np.zeros(count, dtype=bool)
        for index in np.flatnonzero(candidate):
            voiced[index] = vad.is_speech(frames[index, :, channel].tobytes(), rate)
        spans.append(_spans(voiced, FRAME_MS / 1000, settings))
    return spans


def _spans(voiced: np.ndarray, frame_s: float, settings: VoiceSettings) -> list[tuple[float, float]]:
    edges = np.flatnonzero(np.diff(np.concatenate(([0], voiced.astype(np.int8), [0]))))
    spans: list[tuple[float, float]] = []
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        begin, finish = float(start * frame_s), float(end * frame_s)
        if spans and begin - spans[-1][1] < settings.join_gap_s:
            spans[-1] = (spans[-1][0], finish)
        else:
            spans.append((begin, finish))
    return [(a, b) for a, b in spans if b - a >= settings.min_speech_s]


def timing_transcript(recording: Recording, *, source: str, rep_channel: int = 1,
                      settings: VoiceSettings | None = None) -> Transcript:
    """Segments of speech per side from a two-channel recording (``rep_channel`` 1 = left)."""
    if recording.channel_count < 2:
        raise TranscriptError("a mono recording cannot tell the rep from the prospect: give a two-channel "
                              "recording (most dialers can record each party on its own channel) or a transcript "
                              "of the call with it (ember analyze call.vtt --recording call.wav)", source=source)
    if rep_channel not in (1, 2):
        raise TranscriptError(f"--rep-channel {rep_channel}: use 1 (left) or 2 (right)", source=source)
    settings = settings or VoiceSettings()
    spans = speech_spans(recording, settings)
    segments = [Segment(REP, a, b, "") for a, b in spans[rep_channel - 1]]
    segments += [Segment(PROSPECT, a, b, "") for a, b in spans[2 - rep_channel]]
    if not segments:
        raise TranscriptError("no speech found in the recording", source=source)
    notes = (f"timing from the recording's voice activity (channel {rep_channel} is the rep); no words, so "
             "questions, next steps and other findings from speech need a transcript",)
    return Transcript(sort_segments(segments), "audio", declared_sides={REP: Side.REP, PROSPECT: Side.PROSPECT},
                      notes=notes)
