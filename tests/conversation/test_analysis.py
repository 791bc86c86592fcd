"""What a user sees in the analysis: sides, metrics, questions, next steps, findings."""

from __future__ import annotations

from datetime import datetime

import pytest

from ember.conversation import Thresholds, analyze_file, analyze_text
from ember.conversation.questions import is_question

from .conftest import CALL_DATE, FIXTURES


def analysis(name: str = "call.srt", **kwargs: object) -> dict:
    return analyze_file(FIXTURES / name, call_date=CALL_DATE, **kwargs).to_dict()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "sentence",
    ["how many reps are on the team", "is there a budget set aside for this year",
     "do you use a crm today", "can you walk me through your process",
     "what about the security review", "and you sign the contracts is that right",
     "so what does your renewal look like"],
)
def test_questions_found_without_question_marks(sentence: str) -> None:
    assert is_question(sentence)


@pytest.mark.parametrize(
    "sentence",
    ["we have twelve reps and two managers", "what we need is fewer spreadsheets",
     "i'll send the pricing sheet by friday", "when i joined we had three reps"],
)
def test_statements_are_not_questions(sentence: str) -> None:
    assert not is_question(sentence)


def test_rep_named_on_the_command_line_wins() -> None:
    result = analysis("assemblyai.json", reps=("Speaker B",))
    sides = {s["name"]: s["side"] for s in result["speakers"]}
    assert sides == {"Speaker A": "prospect", "Speaker B": "rep"}
    assert result["side_confidence"] == 1.0 and result["side_method"] == "named"


def test_known_users_and_first_names_match() -> None:
    result = analysis(known_reps=("dana",))
    assert result["side_method"] == "known_users"
    assert result["speakers"][0] == {"name": "Dana Whitfield", "side": "rep", "talk_s": 73.5}


def test_heuristic_sides_report_a_lower_confidence() -> None:
    result = analysis("zoom.vtt")
    assert result["speakers"][0]["side"] == "rep"
    assert result["side_method"] == "heuristic" and 0.5 <= result["side_confidence"] < 1


def test_talk_monologue_and_story_metrics() -> None:
    result = analysis()
    assert result["duration_s"] == pytest.approx(180.4, abs=0.5)
    talk = {s["name"]: s["talk_s"] for s in result["speakers"]}
    assert result["rep_talk_ratio"] == pytest.approx(
        talk["Dana Whitfield"] / sum(talk.values()), abs=0.01)
    # Marco's story goes on across Dana's "Mm-hmm": two cues (32 s + 8 s), one 42 s story.
    assert result["longest_prospect_story_s"] == pytest.approx(42.0, abs=0.5)
    assert result["longest_rep_monologue_s"] == pytest.approx(26.5, abs=1)
    assert result["questions"]["rep"] >= 3 and result["questions"]["prospect"] == 2
    assert result["patience_s"] == pytest.approx(0.6, abs=0.01)
    assert result["interactivity_per_min"] > 5
    assert result["small_talk_s"] > 10


def test_next_tuesday_at_3_resolves_against_the_call_date() -> None:
    steps = analysis()["next_steps"]
    meeting = next(s for s in steps if "next Tuesday at 3" in s["quote"])
    assert meeting["due"] == "2024-05-14T15:00"
    assert meeting["due_phrase"] == "next Tuesday at 3"
    assert meeting["owner"] == "rep" and 133.26 <= meeting["start_s"] < 139.8


def test_next_step_types_and_owners() -> None:
    steps = {(s["type"], s["owner"], s["due"]) for s in analysis()["next_steps"]}
    # "Can you send me the pricing sheet before then?" / "Absolutely, I'll send
    # the pricing sheet and a case study by Friday.": one step, the rep's, Friday.
    assert ("pricing", "rep", "2024-05-10") in steps
    assert ("introduction", "prospect", None) in steps       # I'll introduce you to Sam
    assert ("documents", "rep", "2024-05-09T09:00") in steps  # email you a summary tomorrow morning
    assert len(steps) == 4


def test_a_budget_quote_naming_the_cfo_is_budget_evidence_not_decision_makers() -> None:
    result = analyze_text(
        "Dana: What budget do you have for this?\n"
        "Marco: Our CFO has set aside forty thousand dollars for the year.\n"
        "Dana: And who signs off on it?\n"
        "Marco: The CFO makes the final decision.\n",
        reps=("Dana",), call_date=datetime(2026, 3, 10, 10, 0)).to_dict()
    quotes = {area: [e["quote"] for e in found["evidence"]]
              for area, found in result["qualification"].items()}
    assert "Our CFO has set aside forty thousand dollars for the year." in quotes["budget"]
    assert quotes["decision_makers"] == ["And who signs off on it?",
                                         "The CFO makes the final decision."]
    assert result["qualification"]["budget"]["covered"]


def test_qualification_roles_problems_and_closing_points() -> None:
    result = analysis()
    assert all(area["covered"] for area in result["qualification"].values())
    assert result["qualification"]["budget"]["evidence"][0]["start_s"] > 0
    role = result["prospect_roles"][0]
    assert role["speaker"] == "Marco Ruiz" and role["role"] == "influencer"
    assert "recommend" in role["quote"]
    assert any("spreadsheets" in p["quote"] for p in result["problems"])
    assert "mobile access" in result["closing_points"][-1]["quote"]
    assert all("bye" not in p["quote"].lower() for p in result["closing_points"])


def test_purposeless_opener_is_flagged() -> None:
    text = ("Rep: Hi Sam, I'm just checking in to see if you had any questions.\n"
            "Sam: Not really, I think we're all set.\n")
    result = analyze_text(text, reps=("Rep",), call_date=CALL_DATE).to_dict()
    assert result["purposeless_openers"][0]["quote"].startswith("Hi Sam, I'm just checking in")
    verdict = next(b for b in result["benchmarks"] if b["metric"] == "purposeless_openers")
    assert verdict["verdict"] == "warn"
    assert result["timing_estimated"] and result["patience_s"] is None


def test_json_has_the_documented_keys() -> None:
    result = analysis()
    for key in ["schema_version", "format", "timing_estimated", "side_confidence", "duration_s",
                "speakers", "rep_talk_ratio", "longest_rep_monologue_s",
                "longest_prospect_story_s", "questions", "question_list",
                "interactivity_per_min", "patience_s", "engaging_moments", "next_steps",
                "commitments", "qualification", "prospect_roles", "problems", "closing_points",
                "purposeless_openers", "benchmarks"]:
        assert key in result
    assert set(result["qualification"]) == {"problem", "decision_makers", "timeline", "budget"}
    assert result["schema_version"] == "1.0"


def test_engaging_moments_have_reasons() -> None:
    moments = analysis()["engaging_moments"]
    assert any("prospect spoke for" in m["reason"] for m in moments)
    assert any("asked a question" in m["reason"] for m in moments)
    assert all(m["end_s"] >= m["start_s"] for m in moments)


def test_call_date_default_is_now_for_text() -> None:
    result = analyze_text("A: let's meet tomorrow at 10 to review the proposal\nB: sure\n")
    due = datetime.fromisoformat(result.to_dict()["next_steps"][0]["due"])
    assert due.hour == 10 and due.date() > datetime.now().date()


def test_custom_thresholds_change_verdicts() -> None:
    strict = Thresholds(next_steps_good=10, next_steps_bad=7)
    result = analyze_file(FIXTURES / "call.srt", call_date=CALL_DATE, thresholds=strict).to_dict()
    verdict = next(b for b in result["benchmarks"] if b["metric"] == "next_steps")
    assert verdict["verdict"] == "bad"
