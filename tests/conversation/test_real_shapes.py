"""Transcripts in the shapes the tools really write (fixtures of our own in those shapes), each checked
for what a user reads in the report: talk seconds per speaker, questions, sides and notes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ember.conversation import TranscriptError, analyze_file, analyze_file_calls, analyze_text, parse_transcript
from ember.conversation.detect import detect_format

from .conftest import CALL_DATE, FIXTURES
from .test_cli import app


def result(name: str, **kwargs: object) -> dict:
    return analyze_file(FIXTURES / name, call_date=CALL_DATE, **kwargs).to_dict()  # type: ignore[arg-type]


def talk(data: dict) -> dict[str, float]:
    return {s["name"]: s["talk_s"] for s in data["speakers"]}


def test_older_teams_times_read_the_fraction_as_milliseconds() -> None:
    data = result("teams_old.vtt")
    # 0:0:5.90 --> 0:0:9.80 is 5.090 s to 9.080 s; 0:0:15.0 --> 0:0:22.5 is 15.000 s to 22.005 s.
    assert talk(data) == {"Whitfield, Dana": 15.1, "Ruiz, Marco": 11.0}
    assert data["side_method"] == "heuristic" and data["questions"]["rep"] == 1
    assert any("older Teams form" in note for note in data["notes"])
    assert result("teams_old.vtt", reps=("Dana",))["side_method"] == "named"  # "Last, First" names match


def test_minutes_seconds_cues_and_a_sentence_split_over_cues() -> None:
    data = result("zoom_split_cues.vtt", reps=("Dana",))
    assert [q["text"] for q in data["question_list"]] == [
        "So how many reps do you have on the team today?",
        "And what happens when a lead goes quiet for a week?",
    ]
    assert data["questions"]["rep"] == 2
    assert talk(data) == {"Dana Whitfield": 12.0, "Marco Ruiz": 14.5}


def test_cues_without_an_end_end_where_the_next_begins() -> None:
    data = result("open_ended.vtt", reps=("Dana",))
    # 1.0-4.0 and the last cue: its 9 words at 2.5 words a second (9.5-13.1).
    assert talk(data) == {"Dana Whitfield": 6.6, "Marco Ruiz": 5.5}
    assert "3 cue(s) had no end time" in data["notes"][0]


@pytest.mark.parametrize("name", ["deepgram_diarised_words.json", "assemblyai_words_only.json"])
def test_words_without_utterances_become_turns_and_talk_time_is_the_words_own(name: str) -> None:
    raw = json.loads((FIXTURES / name).read_text())
    words = raw["words"] if "words" in raw else raw["results"]["channels"][0]["alternatives"][0]["words"]
    scale = 1000 if "words" in raw else 1
    per_speaker: dict[str, float] = {}
    for word in words:
        per_speaker[str(word["speaker"])] = per_speaker.get(str(word["speaker"]), 0) + (
            word["end"] - word["start"]) / scale
    transcript = parse_transcript((FIXTURES / name).read_text())
    assert len(transcript.segments) == 5  # a 1.5 s and a 2 s pause split two speakers' turns
    data = result(name)
    assert sorted(talk(data).values()) == pytest.approx(sorted(per_speaker.values()), abs=0.06)
    assert data["questions"]["rep"] + data["questions"]["prospect"] == 1


def test_unlabelled_speakers_are_not_graded_until_named() -> None:
    data = result("deepgram_diarised_words.json")
    assert data["side_method"] == "unlabelled" and not data["sides_known"]
    graded = {b["metric"]: b for b in data["benchmarks"]}
    assert graded["rep_talk_ratio"]["verdict"] == "unknown"
    assert graded["rep_talk_ratio"]["reason"].startswith("speakers not labelled")
    assert graded["next_steps"]["verdict"] != "unknown"  # counting next steps needs no sides
    named = result("deepgram_diarised_words.json", prospects=("Speaker 1",))
    assert named["side_method"] == "named" and named["sides_known"]
    assert {s["name"]: s["side"] for s in named["speakers"]} == {"Speaker 0": "rep", "Speaker 1": "prospect"}
    assert {b["metric"]: b["verdict"] for b in named["benchmarks"]}["rep_talk_ratio"] != "unknown"


def test_one_unlabelled_speaker_is_not_graded_as_the_rep() -> None:
    data = result("assemblyai_unlabelled.json")
    assert data["side_method"] == "single_speaker" and data["speakers"][0]["side"] == "unknown"
    assert data["rep_talk_ratio"] is None
    assert all(b["verdict"] == "unknown" for b in data["benchmarks"] if b["metric"].startswith("rep_"))


def test_gong_file_with_two_calls_reads_each_with_its_parties() -> None:
    first, second = analyze_file_calls(FIXTURES / "gong_two_calls.json", call_date=CALL_DATE)
    assert first.source and first.source.endswith("#7782342274025937895")
    assert {s.name: str(s.side) for s in first.speakers} == {"Dana Whitfield": "rep", "Priya Nair": "prospect"}
    assert {s.name: str(s.side) for s in second.speakers} == {"Sam Cole": "rep", "Tom Berger": "prospect"}
    assert second.rep_questions == 1 and second.sides.method == "declared"
    single = result("gong_two_calls.json")  # one analysis (as for `ember call add`): the first, and why
    assert "holds 2 calls; this is the first" in single["notes"][0]


def test_analyze_command_reports_every_gong_call() -> None:
    out = CliRunner().invoke(app, ["analyze", str(FIXTURES / "gong_two_calls.json"), "--json"])
    assert out.exit_code == 0, out.output
    assert [len(a["speakers"]) for a in json.loads(out.stdout)] == [2, 2]


def test_otter_markdown_bold_names_time_only_headers_and_signature() -> None:
    text = (FIXTURES / "otter_markdown.txt").read_text()
    assert detect_format(text, "call.md") == "otter"
    transcript = parse_transcript(text)
    assert transcript.speakers == ["Dana Whitfield", "Marco Ruiz"]
    assert [s.speaker for s in transcript.segments] == ["Dana Whitfield", "Marco Ruiz", "Marco Ruiz",
                                                        "Dana Whitfield", "Marco Ruiz"]
    assert "otter.ai" not in transcript.segments[-1].text
    assert result("otter_markdown.txt", reps=("Dana",))["questions"]["rep"] == 1


@pytest.mark.parametrize("codec", ["utf-16", "cp1252", "utf-8-sig"])
def test_transcripts_in_other_encodings(tmp_path: Path, codec: str) -> None:
    text = (FIXTURES / "teams_old.vtt").read_text().replace("Marco", "Marcó")
    path = tmp_path / "call.vtt"
    path.write_bytes(text.encode(codec))
    data = analyze_file(path, call_date=CALL_DATE).to_dict()
    assert "Ruiz, Marcó" in talk(data)
    if codec == "cp1252":
        assert "the file was read as Windows-1252 (assumed)" in data["notes"]


@pytest.mark.parametrize(("content", "sentence"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "is a PDF document, not a text file, not a transcript"),
    (b"PK\x03\x04\x14\x00\x06\x00", "is a ZIP archive"),
    (b"", "the file is empty, not a transcript"),
    (b"First Name,Last Name,Email\nAna,Reyes,ana@acme.example\n", "the file is a table (CSV), not a transcript"),
    (b"<!DOCTYPE html>\n<html><body>Hi</body></html>\n", "the file is a web page"),
    (b'[{"a": 1}]', "the JSON file is a list, not a transcript"),
    (b'{"name": "settings", "debug": true}', "the JSON file is not a transcript Ember knows"),
])
def test_files_that_are_not_transcripts_get_one_clear_sentence(tmp_path: Path, content: bytes,
                                                               sentence: str) -> None:
    path = tmp_path / "call.txt"
    path.write_bytes(content)
    with pytest.raises(TranscriptError) as caught:
        analyze_file(path)
    message = str(caught.value)
    assert sentence in message and "\n" not in message
    out = CliRunner().invoke(app, ["analyze", str(path)])
    assert out.exit_code == 2 and sentence in out.stderr and "Traceback" not in out.output


def test_transcript_size_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.vtt"
    path.write_text("WEBVTT\n\n" + "00:00:01.000 --> 00:00:02.000\nA: hi\n\n" * 2000)
    with pytest.raises(TranscriptError, match="more than the 0 MB"):
        analyze_file(path, max_bytes=1000)


def test_lists_are_capped_with_a_note() -> None:
    from ember.conversation import Thresholds

    lines = "\n".join(f"Dana: question number {i}, how many reps do you have?\nMarco: twelve." for i in range(30))
    data = analyze_text(lines, reps=("Dana",), thresholds=Thresholds(max_items=5), call_date=CALL_DATE).to_dict()
    assert len(data["question_list"]) == 5 and data["questions"]["rep"] == 30
    assert "30 questions found; only the first 5 are listed" in data["notes"]
