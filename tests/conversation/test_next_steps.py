"""Commitments and next steps as a rep reads them: who acts, by when, said once."""

from __future__ import annotations

from datetime import datetime

import pytest

from ember.conversation import analyze_text
from ember.conversation.dates import find_due_phrase, resolve

# A Tuesday morning.
CALL = datetime(2026, 3, 10, 10, 0)


def report(lines: str, rep: str = "Dana") -> dict:
    return analyze_text(lines, reps=(rep,), call_date=CALL).to_dict()  # type: ignore[no-any-return]


def steps(lines: str) -> list[tuple[str, str | None, str | None]]:
    return [(s["type"], s["owner"], s["due"]) for s in report(lines)["next_steps"]]


def test_a_request_and_its_acceptance_are_one_step_with_the_acceptors_date() -> None:
    found = report(
        "Marco: Can you send a revised proposal by Friday?\n"
        "Dana: Sure, I'll have it to you Thursday.\n"
    )["next_steps"]
    assert [(s["type"], s["owner"], s["due"]) for s in found] == [("documents", "rep", "2026-03-12")]
    assert found[0]["quote"] == "Sure, I'll have it to you Thursday."


def test_can_you_send_me_is_the_reps_step_whoever_asks() -> None:
    assert steps("Marco: Can you send me the security pack?\nDana: Of course.\n") == [
        ("documents", "rep", None)]
    assert steps("Dana: Could you introduce me to your CFO?\nMarco: Sure, happy to.\n") == [
        ("introduction", "prospect", None)]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("Dana: I'll get the revised numbers over to you by Thursday.\n",
         [("pricing", "rep", "2026-03-12")]),
        ("Dana: I'll bring our security lead along next Tuesday.\n",
         [("introduction", "rep", "2026-03-17")]),
        ("Dana: So that is the plan.\nMarco: Could we loop in our IT director on that call?\n",
         [("introduction", "prospect", None)]),
        ("Dana: Does that work?\n"
         "Marco: Our CFO would have to sign off first, so I'll run it by her this week.\n",
         [("authority", "prospect", "2026-03-13")]),
        ("Dana: I'll send you a quote for the fourteen clinics tomorrow.\n",
         [("pricing", "rep", "2026-03-11")]),
        ("Dana: We can open a thirty-day sandbox for your team on Monday.\n",
         [("trial", "rep", "2026-03-16")]),
    ],
)
def test_plain_commitments_of_every_kind_are_steps(lines: str, expected: list[tuple]) -> None:
    assert steps(lines) == expected


def test_a_declined_offer_is_no_step() -> None:
    lines = ("Dana: Would it be useful if I sent over a case study?\n"
             "Marco: I don't think so, thanks. My inbox is a disaster already.\n"
             "Dana: Could we put a quick check-in on the calendar for the fall?\n"
             "Marco: I'd rather not commit to anything.\n")
    assert steps(lines) == []


def test_actions_on_the_call_and_hypotheticals_are_no_steps() -> None:
    lines = ("Dana: Great, let me share my screen and I'll start there.\n"
             "Dana: If things change, I'll reach out.\n"
             "Dana: I'd love to hear how your team books loads today.\n")
    assert steps(lines) == []


def test_a_recap_does_not_repeat_the_steps() -> None:
    lines = ("Dana: I'll email you the contract tomorrow.\n"
             "Marco: Great, and I'll ask our CFO to sign it on Friday.\n"
             "Dana: To recap: I send the contract tomorrow and you get the signature Friday.\n")
    assert steps(lines) == [("documents", "rep", "2026-03-11"), ("authority", "prospect", "2026-03-13")]


def test_two_undertakings_in_one_sentence_are_two_steps() -> None:
    found = steps("Dana: I'll send you the sign-up link now, and I'll book a call for Friday.\n")
    assert found == [("trial", "rep", None), ("meeting", "rep", "2026-03-13")]


def test_an_agreed_date_in_the_answer_dates_the_proposal() -> None:
    lines = ("Dana: Would Thursday or Friday work better for the review?\n"
             "Marco: Friday, ideally in the morning.\n")
    assert steps(lines) == [("meeting", "rep", "2026-03-13")]


def test_the_calls_own_agenda_is_no_step() -> None:
    lines = ("Dana: Thanks for joining. Today I'd like to walk you through three things: how leads "
             "come in, how they're routed, and the reporting.\n"
             "Marco: Sounds good.\n"
             "Dana: We'll cover routing first, then reporting, and we'll finish with pricing and next "
             "steps.\n"
             "Marco: Routing is what we care about.\n"
             "Dana: Then we'll look at the reporting, and after that I'll hand over to your questions.\n"
             "Dana: I'll send you the price sheet after the call.\n")
    assert steps(lines) == [("pricing", "rep", "2026-03-10")]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # Without a subject, as terse reps say it.
        ("Dana: Got it. Sending you a two-minute video tonight.\n",
         [("documents", "rep", "2026-03-10T17:00")]),
        ("Dana: Expect a calendar hold from me for you and your boss next week.\n",
         [("meeting", "rep", "2026-03-16")]),
        ("Dana: Then there'll be a two-page summary in your inbox by Thursday morning.\n",
         [("documents", "rep", "2026-03-12T09:00")]),
        # Present tense for the future, as many non-native speakers say it.
        ("Dana: I prepare for you the offer with the price for three plants, you receive it in "
         "the beginning of next week.\n", [("pricing", "rep", "2026-03-16")]),
        # Fillers and a false start.
        ("Marco: Can I filter by tier?\n"
         "Dana: Uh, yeah, I think so. Actually, let me, um, let me double-check that with product "
         "and, uh, get back to you, like, tomorrow?\n", [("email", "rep", "2026-03-11")]),
        # An approval the prospect needs, said without a date.
        ("Dana: What did the team think?\nMarco: They loved it. But our CFO would have to sign "
         "off first.\n", [("authority", "prospect", None)]),
        ("Dana: Where did legal land?\nMarco: Once legal is settled I can sign.\n",
         [("authority", "prospect", None)]),
        # A second action without a subject is the same person's, the same step.
        ("Dana: I'll have legal update the order form and send you a fresh copy by Monday.\n",
         [("documents", "rep", "2026-03-16")]),
    ],
)
def test_commitments_said_in_other_styles_are_steps(lines: str, expected: list[tuple]) -> None:
    assert steps(lines) == expected


@pytest.mark.parametrize(
    "lines",
    [
        "Dana: Every Friday? That's hours.\n",
        "Marco: Okay. That's above what I can approve myself.\n",
        "Marco: Not at all. I've read your response. It's thorough, I'll grant you that.\n",
        "Dana: Perfect, I'll wait for your call.\n",
    ],
)
def test_look_alikes_of_commitments_are_no_steps(lines: str) -> None:
    assert steps(lines) == []


def test_the_day_the_prospect_counters_with_dates_the_step() -> None:
    assert steps("Dana: Should I call you on Thursday, then?\n"
                 "Marco: Make it Friday, Thursday is packed.\n") == [("meeting", "rep", "2026-03-13")]
    assert steps("Dana: Let's get a demo on the calendar with your COO. Is Thursday afternoon "
                 "possible?\nMarco: He's traveling Thursday. Monday the sixteenth?\n"
                 "Dana: Monday the sixteenth at two, I'll send the invite now.\n") == [
        ("demo", "rep", "2026-03-16")]


def test_commitments_list_every_kind_with_a_score() -> None:
    found = report(
        "Dana: Let's meet next Tuesday at 3.\n"
        "Marco: Can you send me the pricing sheet before then?\n"
        "Dana: Absolutely, I'll send it by Friday.\n"
        "Dana: Happy to walk your CFO through it too.\n"
    )["commitments"]
    assert [c["kind"] for c in found] == ["proposal", "request", "commit", "offer"]
    assert all(0.0 <= c["score"] <= 1.0 and c["side"] in ("rep", "prospect") for c in found)
    assert found[1]["speaker"] == "Marco" and found[1]["text"].startswith("Can you send me")


def test_a_question_cut_across_two_cues_counts_once() -> None:
    vtt = ("WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\nDana: So how does a new customer get\n\n"
           "2\n00:00:03.050 --> 00:00:05.000\nDana: onboarded today, from signature to value?\n\n"
           "3\n00:00:06.000 --> 00:00:08.000\nMarco: Honestly it is a mess. Sales closes.\n")
    result = analyze_text(vtt, reps=("Dana",), call_date=CALL).to_dict()
    assert result["questions"]["rep"] == 1
    assert result["question_list"][0]["text"] == (
        "So how does a new customer get onboarded today, from signature to value?")
    assert result["question_list"][0]["start_s"] == 1.0


@pytest.mark.parametrize(
    ("said", "due"),
    [("next Tuesday at 3", "2026-03-17T15:00"), ("by the end of next week", "2026-03-20"),
     ("on the eighteenth", "2026-03-18"), ("in the next two weeks", "2026-03-24"),
     ("Wednesday next week", "2026-03-18"), ("after this call", "2026-03-10"),
     ("tomorrow morning", "2026-03-11T09:00"), ("by end of day tomorrow", "2026-03-11T17:00"),
     ("at nine thirty on Friday", "2026-03-13T09:30"), ("in May", "2026-05-01"),
     ("first week of April", "2026-04-01"), ("a week from today", "2026-03-17"),
     ("two weeks from now", "2026-03-24"), ("the week after next", "2026-03-23")],
)
def test_spoken_dates_resolve_the_way_sales_calls_mean_them(said: str, due: str) -> None:
    phrase = find_due_phrase(f"I'll send it {said}.")
    assert phrase is not None
    moment, has_time = resolve(phrase, CALL)
    assert moment is not None
    assert (moment.isoformat(timespec="minutes") if has_time else moment.date().isoformat()) == due


@pytest.mark.parametrize("text", ["we have two locations", "the first month felt chaotic",
                                  "we may do it later", "today's call was useful"])
def test_words_that_only_look_like_dates_are_not_dates(text: str) -> None:
    assert find_due_phrase(text) is None


def _unpunctuated_vtt(lines: list[tuple[str, str]], words_per_cue: int = 6) -> str:
    """The lines as a recogniser without punctuation writes them: lower case,
    cues cut every few words wherever they fall."""
    cues, clock = ["WEBVTT", ""], 1.0
    for speaker, text in lines:
        said = text.lower().split()
        for start in range(0, len(said), words_per_cue):
            chunk = said[start : start + words_per_cue]
            end = clock + len(chunk) / 2.5
            cues += [f"00:{int(clock // 60):02d}:{clock % 60:06.3f} --> "
                     f"00:{int(end // 60):02d}:{end % 60:06.3f}", f"{speaker}: {' '.join(chunk)}", ""]
            clock = end + 0.05
        clock += 0.6
    return "\n".join(cues)


def test_undertakings_that_run_on_in_an_unpunctuated_call_are_read_on_their_own() -> None:
    vtt = _unpunctuated_vtt([
        ("Riley", "hi omar you requested a demo on our site happy to help"),
        ("Omar", "yes we are looking at how our three depots share the routing work"),
        ("Riley", "that is within range let us put a proper demo on the calendar with you and your coo"),
        ("Omar", "sure he is free on monday"),
        ("Riley", "monday at two works for us i'll send the invite now"),
        ("Omar", "we need ninety days of help on exit in the contract"),
        ("Riley", "we can accommodate ninety days i shall have our contracts team amend the order form "
                  "and return it to you by wednesday"),
        ("Omar", "good and the numbers can wait until after the summer like july"),
        ("Riley", "july works gonna ping you first week of july then"),
    ])
    result = analyze_text(vtt, reps=("Riley",), call_date=CALL).to_dict()
    found = [(s["type"], s["owner"], (s["due"] or "")[:10]) for s in result["next_steps"]]
    # "happy to help" greets, it offers no demo; the invite is the meeting
    # being arranged, dated by the day agreed; "i shall | have" is one promise.
    assert found == [("demo", "rep", "2026-03-16"), ("documents", "rep", "2026-03-11"),
                     ("email", "rep", "2026-07-01")]
    quotes = [s["quote"] for s in result["next_steps"]]
    assert quotes[1].startswith("i shall have our contracts team amend the order form")
    assert quotes[2] == "gonna ping you first week of july then"


def test_a_title_does_not_cut_the_step_quote() -> None:
    found = report("Dana: Could we arrange a session with Mrs. Adler and the coordinators?\n"
                   "Marco: Yes, that works.\n")["next_steps"]
    assert [s["quote"] for s in found] == [
        "Could we arrange a session with Mrs. Adler and the coordinators?"]
