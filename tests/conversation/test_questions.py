"""The rep's questions as a manager reads them: counted once each, however
the recorder cut the cues and whether or not it wrote punctuation."""

from __future__ import annotations

from ember.conversation import analyze_text
from ember.conversation.boundaries import opens_question, sentence_ends

from .conftest import CALL_DATE


def vtt(*cues: tuple[str, str]) -> str:
    """A Zoom-style VTT, one cue after the other, two seconds each."""
    parts = ["WEBVTT", ""]
    for number, (speaker, text) in enumerate(cues, start=1):
        start = (number - 1) * 2
        parts += [str(number), f"00:00:{start:02d}.000 --> 00:00:{start + 1:02d}.950",
                  f"{speaker}: {text}", ""]
    return "\n".join(parts)


def rep_questions(text: str) -> tuple[int, list[str]]:
    report = analyze_text(text, fmt="vtt", reps=("Dana Whitfield",), call_date=CALL_DATE).to_dict()
    asked = [q["text"] for q in report["question_list"] if q["speaker"] == "Dana Whitfield"]
    return report["questions"]["rep"], asked


def test_an_unpunctuated_question_cut_over_two_cues_counts_once() -> None:
    count, asked = rep_questions(vtt(
        ("Dana Whitfield", "thanks for hopping on marcus so how often does that"),
        ("Dana Whitfield", "double quoting happen on your team"),
        ("Marcus Bell", "honestly a few times a week it is embarrassing"),
    ))
    assert count == 1
    assert asked == ["so how often does that double quoting happen on your team"]


def test_two_unpunctuated_questions_in_one_cue_count_twice() -> None:
    count, asked = rep_questions(vtt(
        ("Dana Whitfield", "thanks for hopping on marcus i know you have"),
        ("Dana Whitfield", "a busy week so i will keep this short got it"),
        ("Dana Whitfield", "what would a good outcome look like by june and who else cares"),
        ("Dana Whitfield", "about fixing that besides you"),
        ("Marcus Bell", "one place where everyone sees every quote and"),
        ("Marcus Bell", "my ops manager priya cares she cleans it up"),
    ))
    assert count == 2
    assert asked == ["what would a good outcome look like by june",
                     "and who else cares about fixing that besides you"]


def test_unpunctuated_cues_that_end_at_sentence_ends_are_kept() -> None:
    # A meeting recorder that cuts at every sentence: its cues are the sentences.
    text = vtt(
        ("Dana Whitfield", "we looked at the numbers last week"),
        ("Dana Whitfield", "do you have the latest export"),
        ("Dana Whitfield", "i think priya sent it"),
        ("Marcus Bell", "yes i can send it again"),
    )
    report = analyze_text(text, fmt="vtt", reps=("Dana Whitfield",), call_date=CALL_DATE)
    assert [q.text for q in report.questions] == ["do you have the latest export"]


def test_a_punctuated_question_cut_mid_sentence_counts_once() -> None:
    count, asked = rep_questions(vtt(
        ("Dana Whitfield", "Thanks for joining. Would next Wednesday at two"),
        ("Dana Whitfield", "work for the two of you?"),
        ("Marcus Bell", "Let me check, but I think so."),
    ))
    assert count == 1
    assert asked == ["Would next Wednesday at two work for the two of you?"]


def test_tag_questions_are_counted_in_both_kinds_of_transcript() -> None:
    punctuated, _ = rep_questions(vtt(
        ("Dana Whitfield", "So the marketing team owns the leads, don't you think?"),
        ("Marcus Bell", "Yes, mostly."),
        ("Dana Whitfield", "You sign the contracts yourself, is that right?"),
        ("Marcus Bell", "Yes I do."),
    ))
    plain, asked = rep_questions(vtt(
        ("Dana Whitfield", "and you sign the contracts yourself is that right"),
        ("Marcus Bell", "yes i do"),
    ))
    assert punctuated == 2
    assert plain == 1
    assert asked == ["and you sign the contracts yourself is that right"]


def test_a_question_inside_a_request_is_one_question() -> None:
    count, _ = rep_questions(vtt(
        ("Dana Whitfield", "i am really sorry that happened can you tell me"),
        ("Dana Whitfield", "what the impact was on your side"),
        ("Marcus Bell", "two days of missed orders"),
    ))
    assert count == 1


def test_statements_cut_over_cues_are_not_questions() -> None:
    count, _ = rep_questions(vtt(
        ("Dana Whitfield", "i will put together a short walkthrough built around"),
        ("Dana Whitfield", "your lanes and send it over by thursday"),
        ("Marcus Bell", "that would be great"),
    ))
    assert count == 0


def test_sentence_ends_follow_the_words_not_the_cues() -> None:
    tokens = ["got", "it", "what", "would", "a", "good", "outcome", "look", "like"]
    # A cue edge after "what" does not end a sentence; "got it" does.
    assert sentence_ends(tokens, frozenset({2})) == [1, len(tokens) - 1]
    assert opens_question(tokens, 2)
    assert not opens_question(["tell", "me", "what", "the", "impact", "was"], 2)


def test_a_wh_word_with_its_auxiliary_opens_a_question_whatever_follows() -> None:
    tokens = ["i", "saw", "your", "note", "what's", "the", "sticking", "point"]
    assert opens_question(tokens, 4)
    assert not opens_question(["we", "know", "what", "the", "plan", "is"], 2)


def test_a_one_word_reply_before_a_question_is_its_own_sentence() -> None:
    count, asked = rep_questions(vtt(
        ("Dana Whitfield", "understood could we put a quick check-in"),
        ("Dana Whitfield", "on the calendar for the fall"),
        ("Marcus Bell", "sure september works"),
    ))
    assert count == 1
    assert asked == ["could we put a quick check-in on the calendar for the fall"]


def test_an_auxiliary_after_its_subject_does_not_open_a_question() -> None:
    # "i'll | have it to you" and "we can | do that" go on one sentence.
    count, _ = rep_questions(vtt(
        ("Dana Whitfield", "friday is tight with our finance team i'll"),
        ("Dana Whitfield", "have it to you thursday next week we can"),
        ("Dana Whitfield", "do that if you connect one mailbox"),
        ("Marcus Bell", "fine thursday then"),
    ))
    assert count == 0
    assert not opens_question(["i'll", "have", "it", "to", "you"], 1)


def test_a_question_that_puts_its_modal_before_a_noun_is_cut_off() -> None:
    tokens = ["we", "can", "give", "you", "a", "test", "tenant", "for", "that", "would", "two",
              "weeks", "be", "enough", "time"]
    assert sentence_ends(tokens, frozenset({8})) == [8, len(tokens) - 1]
    assert opens_question(["i", "think", "we", "can", "would", "she", "take", "it"], 4)
    assert not opens_question(["the", "team", "did", "the", "demo"], 2)


def test_a_copula_and_an_alternative_do_not_open_new_questions() -> None:
    assert not opens_question(["the", "plan", "is", "i", "get", "the", "answer"], 2)
    assert not opens_question(["is", "it", "you", "or", "does", "it", "go", "up"], 3)
    assert opens_question(["at", "your", "company", "is", "it", "you"], 3)
    assert not opens_question(["look", "at", "how", "others", "do", "it"], 2)


def test_a_question_after_other_words_counts_without_punctuation() -> None:
    count, asked = rep_questions(vtt(
        ("Dana Whitfield", "and the quote can you hold the price until after the visit"),
        ("Marcus Bell", "yes until the end of the month"),
    ))
    assert count == 1
    assert asked == ["and the quote can you hold the price until after the visit"]


def test_not_knowing_whether_is_not_a_question() -> None:
    count, _ = rep_questions(vtt(
        ("Dana Whitfield", "I don't know if it's done by a private company or not."),
        ("Marcus Bell", "It may be."),
    ))
    assert count == 0


def test_a_summary_closed_with_a_check_is_a_question_without_punctuation() -> None:
    count, asked = rep_questions(vtt(
        ("Dana Whitfield", "we could start the pilot on monday with two teams would that work"),
        ("Marcus Bell", "yes monday is fine"),
        ("Dana Whitfield", "you need the export before the board meeting is that true"),
        ("Marcus Bell", "yes it has to be ready by then"),
    ))
    assert count == 2
    assert asked == ["we could start the pilot on monday with two teams would that work",
                     "you need the export before the board meeting is that true"]
