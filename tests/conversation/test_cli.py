"""`ember analyze` as a user runs it: text, --json, several files, errors."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from ember.cli.analyze import analyze

from .conftest import FIXTURES

app = typer.Typer()
app.command("analyze")(analyze)
app.command("noop")(lambda: None)  # two commands, so "analyze" is a subcommand as in ember
runner = CliRunner()


def test_text_report_shows_benchmarks_and_next_steps() -> None:
    result = runner.invoke(app, ["analyze", str(FIXTURES / "zoom.vtt"), "--rep", "Dana",
                                 "--date", "2024-05-08T10:00"])
    assert result.exit_code == 0, result.output
    assert "sides (named, confidence 1.00)" in result.stdout
    assert "[GOOD] rep_talk_ratio" in result.stdout
    assert "due 2024-05-14T15:00 (next tuesday at 3)" in result.stdout


def test_json_output_is_one_object_for_one_file() -> None:
    result = runner.invoke(app, ["analyze", str(FIXTURES / "gong.json"), "--json",
                                 "--date", "2024-05-08T10:00"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["format"] == "gong" and data["side_method"] == "declared"


def test_several_files_with_jobs_keep_their_order(tmp_path: Path) -> None:
    names = ["call.srt", "otter.txt", "assemblyai.json"]
    result = runner.invoke(app, ["analyze", *[str(FIXTURES / n) for n in names],
                                 "--json", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["format"] for d in data] == ["srt", "otter", "assemblyai"]


def test_forced_format(tmp_path: Path) -> None:
    path = tmp_path / "export.data"
    path.write_text((FIXTURES / "otter.txt").read_text())
    result = runner.invoke(app, ["analyze", str(path), "--format", "otter", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["format"] == "otter"


def test_malformed_file_gives_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "broken.vtt"
    bad.write_text("WEBVTT\n\n1\n00:00:01.000 -> 00:00:02.000\nA: hi\n2\n00:00:0x --> 1\n")
    good = FIXTURES / "call.srt"
    result = runner.invoke(app, ["analyze", str(bad), str(good), "--jobs", "1"])
    assert result.exit_code == 2
    assert f"{bad}: line 7: cue timing" in result.stderr
    assert "expected a cue timing like" in result.stderr
    assert "Traceback" not in result.output
    assert "Benchmarks" in result.stdout  # the good file is still reported


def test_missing_file_and_bad_date(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(tmp_path / "nope.vtt")])
    assert result.exit_code == 2 and "nope.vtt: cannot read file" in result.stderr
    result = runner.invoke(app, ["analyze", str(FIXTURES / "zoom.vtt"), "--date", "Tuesday"])
    assert result.exit_code == 2 and "--date" in result.stderr
