"""`ember analyze FILE...`: the call-analysis report, without a database.

Registered by ember.cli.main as `app.command("analyze")(analyze)`.
"""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress

from ember.conversation import Thresholds, TranscriptError, analyze_file_calls
from ember.conversation.audio import is_audio
from ember.conversation.recording import analyze_recording
from ember.conversation.report import render_text
from ember.settings import get_settings

Outcome = tuple[str, list[dict[str, Any]] | None, str | None, str | None]


@dataclass(frozen=True)
class _Job:
    fmt: str | None
    reps: tuple[str, ...]
    prospects: tuple[str, ...]
    call_date: datetime | None
    as_json: bool
    thresholds: Thresholds
    max_bytes: int
    recording: str | None = None  # the recording of the transcript given, for its talk timing
    rep_channel: int = 1


def _run_one(path: str, job: _Job) -> Outcome:
    """Analyse one file in a worker: (path, json per call, text, error). Never raises."""
    try:
        if is_audio(path) or job.recording:
            analyses = [analyze_recording(
                path if is_audio(path) else job.recording or path, transcript=None if is_audio(path) else path,
                rep_channel=job.rep_channel, fmt=job.fmt, reps=job.reps, prospects=job.prospects,
                call_date=job.call_date, thresholds=job.thresholds, max_bytes=job.max_bytes)]
        else:
            analyses = analyze_file_calls(path, fmt=job.fmt, reps=job.reps, prospects=job.prospects,
                                          call_date=job.call_date, thresholds=job.thresholds,
                                          max_bytes=job.max_bytes)
    except TranscriptError as error:
        return path, None, None, error.describe() if error.source else f"{path}: {error}"
    if job.as_json:
        return path, [a.to_dict() for a in analyses], None, None
    return path, None, "\n".join(render_text(a) for a in analyses), None


def _parse_date(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        sys.stderr.write(f"--date: {value!r} is not an ISO date; expected e.g. 2024-05-08T14:00\n")
        raise typer.Exit(2) from None


def analyze(
    files: Annotated[list[Path], typer.Argument(
        help="Transcript files (VTT, SRT, JSON, TXT) or call recordings (WAV, MP3, M4A...: two channels).")],
    rep: Annotated[list[str] | None, typer.Option(
        "--rep", help="A speaker on our side (repeatable); others are the prospect.")] = None,
    prospect: Annotated[list[str] | None, typer.Option(
        "--prospect", help="A speaker on the prospect's side (repeatable); others are ours.")] = None,
    format: Annotated[str | None, typer.Option(
        "--format", help="vtt, srt, whisper, assemblyai, deepgram, gong, otter or text; "
        "detected when left out.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", help="Worker processes for many files (default: all cores).")] = None,
    call_date: Annotated[str | None, typer.Option(
        "--date", help="When the call took place (ISO 8601), for dates like 'next Tuesday'; "
        "default: the file's modification time.")] = None,
    recording: Annotated[Path | None, typer.Option(
        "--recording", help="The call's recording, with one transcript: its talk timing replaces the "
        "transcript's.")] = None,
    rep_channel: Annotated[int, typer.Option(
        "--rep-channel", min=1, max=2, help="In a two-channel recording, the rep's channel: 1 (left) or 2.")] = 1,
) -> None:
    """Analyse sales calls: talk ratio, questions, next steps, benchmarks (recordings: timing alone)."""
    if recording is not None and len(files) != 1:
        sys.stderr.write("--recording goes with exactly one transcript file\n")
        raise typer.Exit(2)
    job = _Job(format, tuple(rep or ()), tuple(prospect or ()), _parse_date(call_date), json_output, _thresholds(),
               get_settings().analysis.max_transcript_bytes, str(recording) if recording else None, rep_channel)
    paths = [str(f) for f in files]
    workers = max(1, jobs or os.cpu_count() or 1)
    if len(paths) == 1 or workers == 1:
        outcomes = [_run_one(p, job) for p in paths]
    else:
        outcomes = _run_parallel(paths, job, workers)
    _print(outcomes, json_output)
    if any(error for _, _, _, error in outcomes):
        raise typer.Exit(2)


def _thresholds() -> Thresholds:
    """Benchmark thresholds, with any overrides from EMBER_ANALYSIS_THRESHOLDS."""
    try:
        return Thresholds().with_overrides(get_settings().analysis.analysis_thresholds)
    except ValueError as exc:
        sys.stderr.write(f"EMBER_ANALYSIS_THRESHOLDS: {exc}\n")
        raise typer.Exit(2) from None


def _run_parallel(paths: list[str], job: _Job, workers: int) -> list[Outcome]:
    results: dict[str, Outcome] = {}
    # Progress goes to stderr so that --json output on stdout stays clean.
    progress_bar = Progress(transient=True, console=Console(stderr=True))
    with progress_bar as progress, ProcessPoolExecutor(workers) as pool:
        task = progress.add_task("Analysing", total=len(paths))
        futures = [pool.submit(_run_one, p, job) for p in paths]
        for future in as_completed(futures):
            outcome = future.result()
            results[outcome[0]] = outcome
            progress.advance(task)
    # Output in the order the files were given, whatever order they finished in.
    return [results[p] for p in paths]


def _print(outcomes: list[Outcome], as_json: bool) -> None:
    good = [o for o in outcomes if o[3] is None]
    for _, _, _, error in outcomes:
        if error:
            sys.stderr.write(error + "\n")
    if as_json:
        analyses = [a for o in good for a in o[1] or []]
        payload: Any = analyses[0] if len(outcomes) == 1 and len(analyses) == 1 else analyses
        if good or len(outcomes) > 1:
            sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return
    sys.stdout.write("\n".join(o[2] or "" for o in good))
