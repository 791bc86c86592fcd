"""Speed of `ember analyze` against reading the same VTT with webvtt-py alone.

    python bench/analyze_speed.py [--batch 1000] [--jobs 2]

Generates a 60-minute two-speaker Zoom-style VTT, times (in one run, warm,
median of several interleaved repeats, CPU time of this process) webvtt-py
reading it and the full analysis, and prints the ratio with a new call in
each repeat (nothing cached from an earlier run, as in a batch of different
calls; goal: at most 10x), the same for a call whose cues a recorder without
punctuation cut by length (its sentences are found again by the
sentence-end model), and for the same file read again (the detectors'
per-sentence caches answer). Then analyses a batch of generated calls with a
process pool, as `ember analyze --jobs N` does, and prints calls per second
(wall clock; goal: at least 20 with two workers).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path

import webvtt

from ember.cli.analyze import _Job, _run_one
from ember.conversation import Thresholds, analyze_file

REP_LINES = [
    "so tell me how your team handles renewals today",
    "what happens when a lead goes quiet after the first call",
    "one of our customers had the same problem and they went from weekly chaos to a clear queue",
    "that makes sense and how many people are involved in that decision",
    "i'll send you the case study by friday",
    "let's meet next tuesday at 3 with your manager",
    "is there a budget set aside for this project",
    "we help sales teams keep every promise they make on a call",
]
PROSPECT_LINES = [
    "right now it all lives in spreadsheets and honestly things fall through the cracks",
    "our biggest problem is that nobody knows what was promised",
    "mm-hmm",
    "yeah",
    "i would recommend it but our vp makes the final call",
    "we want to go live by the end of next quarter",
    "how long does it usually take to roll out",
    "can you send me the pricing sheet",
]


NOUNS = ["accounts", "leads", "reps", "deals", "renewals", "tickets", "calls", "customers",
         "regions", "partners", "stores", "contracts"]


def vary(text: str, rng: random.Random) -> str:
    """Make most sentences unique, as in a real call; short replies stay as they are."""
    if len(text.split()) <= 2 or rng.random() < 0.2:
        return text
    return f"{text} with about {rng.randint(2, 900)} {rng.choice(NOUNS)}"


def clock(seconds: float) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:06.3f}"


def make_call(minutes: int, seed: int, *, cut_by_length: bool = False) -> str:
    """A call of one cue per sentence, or (`cut_by_length`) of two or three
    sentences per turn cut into cues of 6 to 10 words wherever they fall, as
    recorders without punctuation write them (the sentence-end model then
    re-cuts them)."""
    rng = random.Random(seed)
    lines, t, number = ["WEBVTT", ""], 0.0, 1
    while t < minutes * 60:
        for speaker, pool in (("Dana Whitfield", REP_LINES), ("Marco Ruiz", PROSPECT_LINES)):
            text = vary(rng.choice(pool), rng)
            if cut_by_length:
                text = " ".join([text, *(vary(rng.choice(pool), rng)
                                         for _ in range(rng.randint(1, 2)))])
            words = text.split()
            size = rng.randint(6, 10) if cut_by_length else len(words)
            for first in range(0, len(words), size):
                cue = " ".join(words[first : first + size])
                length = max(0.8, len(cue.split()) / 2.6)
                lines += [str(number), f"{clock(t)} --> {clock(t + length)}", f"{speaker}: {cue}",
                          ""]
                number += 1
                t += length + 0.05
            t += rng.uniform(0.2, 1.2)
    return "\n".join(lines)


def best_of(fn: Callable[[], object], repeats: int) -> float:
    # CPU time of this process: the cores are shared, and waiting for them
    # would otherwise count against whichever side happened to wait.
    times = []
    for _ in range(repeats):
        began = time.process_time()
        fn()
        times.append(time.process_time() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    when = datetime(2024, 5, 8, 10, 0)
    with tempfile.TemporaryDirectory() as tmp:
        call = Path(tmp) / "hour.vtt"
        call.write_text(make_call(60, 1), encoding="utf-8")
        cold_began = time.perf_counter()
        analyze_file(call, call_date=when)  # first run: imports, model, dateparser
        cold = time.perf_counter() - cold_began
        # Interleaved, so that load from other processes hits both alike.
        reads, fulls = [], []
        for _ in range(args.repeats):
            reads.append(best_of(lambda: webvtt.read(str(call)).captions, 1))
            fulls.append(best_of(lambda: analyze_file(call, call_date=when), 1))
        read, full = statistics.median(reads), statistics.median(fulls)
        cues = len(webvtt.read(str(call)).captions)
        print(f"60-minute call, {cues} cues")
        print(f"webvtt-py read only: {read * 1000:8.1f} ms")
        print(f"full analysis:       {full * 1000:8.1f} ms  (first, cold run {cold:.2f} s)")
        print(f"ratio, same file again: {full / read:.2f}x")
        # The same, with a different call each time: nothing is cached from
        # an earlier run of the same sentences, as in a batch of real calls.
        for cut, label in ((False, "new call each repeat"),
                           (True, "new call each repeat, cues cut by length")):
            reads, fulls = [], []
            for repeat in range(args.repeats):
                fresh = Path(tmp) / f"fresh{repeat}.vtt"
                fresh.write_text(make_call(60, 1000 + repeat, cut_by_length=cut), encoding="utf-8")
                reads.append(best_of(lambda path=fresh: webvtt.read(str(path)).captions, 1))
                fulls.append(best_of(lambda path=fresh: analyze_file(path, call_date=when), 1))
            read, full = statistics.median(reads), statistics.median(fulls)
            print(f"{label}: read {read * 1000:.1f} ms, full {full * 1000:.1f} ms,"
                  f" ratio {full / read:.2f}x (goal <= 10x)")

        paths = []
        for index in range(args.batch):
            path = Path(tmp) / f"call{index:04d}.vtt"
            path.write_text(make_call(random.Random(index).choice([15, 30, 45]), index), "utf-8")
            paths.append(str(path))
        began = time.perf_counter()
        with ProcessPoolExecutor(args.jobs) as pool:
            job = _Job(None, (), (), when, True, Thresholds(), 20 * 1024 * 1024)
            results = list(pool.map(_run_one, paths, [job] * len(paths), chunksize=8))
        elapsed = time.perf_counter() - began
        failed = sum(1 for r in results if r[3])
        print(f"batch: {len(paths)} calls (15-45 min) with {args.jobs} workers in {elapsed:.1f} s"
              f" = {len(paths) / elapsed:.1f} calls/s ({failed} failed; goal >= 20)")


if __name__ == "__main__":
    main()
