"""Speed of talk timing from a recording against decoding it with ffmpeg, on the same file in one run.

    python bench/audio_speed.py [--minutes 60] [--rate 16000] [--repeat 3]

A two-voice stereo call is synthesised with espeak-ng and sox (a minute of
turns, repeated to the length asked), written as a 16-bit WAV. Timed, best of
``--repeat``: ``ffmpeg`` decoding the file to raw samples (discarded), and
``ember``'s whole analysis of the recording (decode, voice activity on both
channels, the call figures). The goal: at most 2x ffmpeg's time.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conversation.audio_support import Line, synthesize

from ember.conversation.recording import analyze_recording

MINUTE = [
    Line("rep", 0.5, "Thanks for joining. How do you follow up with leads today?"),
    Line("prospect", 5.0, "Mostly by memory, which means a lot of them go cold after the first call."),
    Line("rep", 11.0, "What did that cost you last quarter?"),
    Line("prospect", 14.0, "Two renewals at least. Nobody called them back, and we only noticed in the review."),
    Line("rep", 21.0, "I see. Here is how other teams handle it: every reply pauses the sequence and the rep "
                      "sees it first thing in the morning."),
    Line("prospect", 30.0, "That would help. Who else uses it?"),
    Line("rep", 33.5, "A logistics firm your size. They doubled their connect rate in two months."),
    Line("prospect", 40.0, "Interesting. Can you send numbers?"),
    Line("rep", 43.0, "Yes, by Friday. Shall we book thirty minutes next week to go through them?"),
    Line("prospect", 50.0, "Tuesday at ten works for me."),
]


def _best(repeat: int, run: object) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--rate", type=int, default=16000, choices=(8000, 16000))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        sys.exit("install ffmpeg (Debian package) for this benchmark")
    with tempfile.TemporaryDirectory() as folder:
        one = Path(folder) / "minute.wav"
        synthesize(MINUTE, one)
        data, rate = soundfile.read(str(one), dtype="int16", always_2d=True)
        minute = np.zeros((60 * rate, 2), dtype=np.int16)
        minute[: min(len(data), len(minute))] = data[: len(minute)]
        call = np.tile(minute, (int(args.minutes), 1))
        path = Path(folder) / "call.wav"
        if args.rate != rate:
            raw = Path(folder) / "raw.wav"
            soundfile.write(str(raw), call, rate, subtype="PCM_16")
            subprocess.run(["sox", str(raw), "-r", str(args.rate), str(path)], check=True)
        else:
            soundfile.write(str(path), call, rate, subtype="PCM_16")
        size_mb = path.stat().st_size / 1e6
        decode = [ffmpeg, "-nostdin", "-v", "error", "-i", str(path), "-f", "s16le", "-acodec", "pcm_s16le", "-"]
        ffmpeg_s = _best(args.repeat, lambda: subprocess.run(decode, stdout=subprocess.DEVNULL, check=True))
        found: list[object] = []
        ember_s = _best(args.repeat, lambda: found.append(analyze_recording(path)))
    analysis = found[-1]
    print(f"{args.minutes:g}-minute stereo WAV at {args.rate} Hz ({size_mb:.0f} MB)")
    print(f"  ffmpeg decode:      {ffmpeg_s:6.2f} s")
    print(f"  ember analysis:     {ember_s:6.2f} s")
    print(f"  ratio ember/ffmpeg: {ember_s / ffmpeg_s:6.2f}x   (target: at most 2x)")
    print(f"  rep talk ratio {analysis.rep_talk_ratio:.2f}, patience {analysis.patience_s} s")  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
