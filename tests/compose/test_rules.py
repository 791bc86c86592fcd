"""Follow-up writing as pure functions: facts in, text out, placeholders where facts are missing."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from ember.compose import rules
from ember.compose.defaults import DEFAULT_PROOF_POINTS, default_source
from ember.compose.facts import Person, Story, facts_from_analysis, facts_from_notes, parse_keywords, you_form
from ember.compose.sandbox import PURPOSELESS
from ember.conversation import analyze_text

CALL = Path(__file__).parents[1] / "calls" / "discovery_call.vtt"
STORIES = tuple(Story(title, text, industry, parse_keywords(keywords))
                for _, title, industry, keywords, text in DEFAULT_PROOF_POINTS)


@pytest.fixture(scope="module")
def analysis() -> dict:  # type: ignore[type-arg]
    return analyze_text(CALL.read_text(), filename_hint=CALL.name, reps=("Dana Whitfield",),
                        call_date=datetime(2026, 3, 4, 15, 0)).to_dict()


def _input(analysis: dict | None = None, **overrides) -> rules.ComposeInput:  # type: ignore[no-untyped-def,type-arg]
    values = dict(contact_name="Marco Ruiz", first_name="Marco", company="Harbor Foods", rep_name="Dana Whitfield",
                  rep_email="dana@acme.example", today=date(2026, 3, 5), preferred_channel="email",
                  call=facts_from_analysis(analysis) if analysis else None, last_conversation=date(2026, 3, 4),
                  people=(Person("Marco Ruiz", "Sales Operations Lead", "unknown"),), stories=STORIES)
    values.update(overrides)
    return rules.ComposeInput(**values)  # type: ignore[arg-type]


def _write(name: str, inp: rules.ComposeInput):  # type: ignore[no-untyped-def]
    return rules.compose(default_source(name), inp)


def test_note_thanks_lists_dated_next_steps_and_the_preferred_channel(analysis) -> None:
    note = _write("note", _input(analysis))
    assert note.subject and "Marco" in note.subject
    assert "Thank you" in note.text and "Wednesday 4 March" in note.text
    assert "the pricing sheet and a case study from me, Friday 6 March" in note.text
    assert "a demo with Elena, Tuesday 10 March, 15:00" in note.text
    assert "I'll be in touch by email on Thursday 5 March, 09:00" in note.text  # the earliest promise of the rep
    assert note.placeholders == []
    quotes = {fact["quote"]: fact["start_s"] for fact in note.facts}
    assert quotes["absolutely i'll send the pricing sheet and a case study by friday"] == 145.23
    assert all(isinstance(start, float) for start in quotes.values())


def test_opener_reheats_with_their_problem_the_plan_an_idea_and_a_permission_question(analysis) -> None:
    opener = _write("opener", _input(analysis))
    text = opener.text
    assert "you keep losing track of leads after the first call" in text  # their words, said back to them
    assert "The plan since then was a demo with Elena, Tuesday 10 March, 15:00" in text
    assert "new idea" in text and "distributor" in text  # a matching story as the new idea
    assert text.rstrip().endswith("?")
    assert not PURPOSELESS.search(text)
    problem = next(f for f in opener.facts if "spreadsheets" in f["quote"])
    assert problem["start_s"] == 20.86


def test_brief_brings_closing_points_roles_gaps_colleagues_and_stories(analysis) -> None:
    brief = _write("brief", _input(analysis))
    text = brief.text
    assert "mobile access matters a lot" in text and "[2:42]" in text  # how the call ended
    assert "Marco Ruiz (Sales Operations Lead): influencer" in text  # the analysis's role, with evidence
    assert "power: everyone reached so far" in text  # nobody who decides reached yet
    assert "technical lead:" in text and "it lead sam" in text  # an IT lead is coming
    assert "executive:" in text and "vp of sales elena makes the final call" in text
    assert "Sample story: a distributor that stopped losing leads" in text
    assert "field sales team" in text  # "on the road" matched the mobile story
    assert brief.placeholders == []


def test_missing_facts_become_placeholders_never_invented_content() -> None:
    empty = _input(None, first_name=None, company=None, preferred_channel=None, last_conversation=None,
                   people=(), stories=())
    opener = _write("opener", empty)
    assert "[[their main problem, in their words]]" in opener.placeholders
    assert "[[what was to happen since the last call]]" in opener.placeholders
    assert "[[your new idea for them]]" in opener.placeholders
    assert opener.facts == []
    note = _write("note", empty)
    assert {"[[the next steps you agreed]]", "[[how they want to hear from you]]",
            "[[when you will be in touch next]]"} <= set(note.placeholders)
    for placeholder in note.placeholders:
        assert placeholder in note.text or placeholder in (note.subject or "")


@pytest.mark.parametrize(("situation", "expected"), [
    ("post-meeting", "what success could look like for Harbor Foods"),
    ("nudge", "still a priority for Harbor Foods?"),
    ("referral", "Ana Lopez suggested we talk"),
    ("trigger", "looked at the pricing page twice"),
])
def test_subject_lines_fit_the_situation(analysis, situation: str, expected: str) -> None:
    inp = _input(analysis, referrer="Ana Lopez", trigger="looked at the pricing page twice")
    email = _write(rules.template_name("email", situation), inp)
    assert email.subject and expected in email.subject
    assert not PURPOSELESS.search(email.subject + email.text)


def test_referral_and_trigger_without_the_fact_ask_the_rep_to_fill_it(analysis) -> None:
    referral = _write("email-referral", _input(analysis))
    trigger = _write("email-trigger", _input(analysis))
    assert "[[who referred them]]" in (referral.subject or "")
    assert "[[what they just did]]" in trigger.placeholders


def test_voicemail_and_email_refer_to_each_other(analysis) -> None:
    inp = _input(analysis)
    voicemail, email = _write("voicemail", inp), _write("voicemail-email", inp)
    assert "email" in voicemail.text.lower() and "right after this message" in voicemail.text
    assert "voicemail" in email.text.lower() and "voicemail" in (email.subject or "").lower()


def test_no_default_template_just_touches_base(analysis) -> None:
    for name in rules.TEMPLATE_NAMES:
        for inp in (_input(analysis), _input(None)):
            out = _write(name, inp)
            assert not PURPOSELESS.search(out.text + (out.subject or "")), name


def test_notes_stand_in_when_there_is_no_transcript() -> None:
    call = facts_from_notes(["Reached Marco. Their biggest problem is manual reporting every Friday.",
                             "He will send the security questionnaire by Friday. Wants a demo next week."])
    opener = _write("opener", _input(None, call=call))
    assert "manual reporting every Friday" in opener.text
    assert call.source == "notes" and opener.facts and all(f["start_s"] is None for f in opener.facts)


def test_next_steps_said_twice_are_one_promise(analysis) -> None:
    steps = rules.build_context(_input(analysis))["next_steps"]
    pricing = [s for s in steps if "pricing sheet" in s["what"]]
    assert len(pricing) == 1 and "Friday 6 March" in pricing[0]["what"]


def test_you_form_only_changes_pronouns() -> None:
    assert you_form("we keep losing track of our leads") == "you keep losing track of your leads"
    assert you_form("so i am stuck") == "you are stuck"


def test_every_default_template_passes_its_own_save_check() -> None:
    for name in rules.TEMPLATE_NAMES:
        assert rules.problems_with_template(name, default_source(name)) == [], name


@pytest.mark.parametrize(("source", "where", "what"), [
    ("Hi {{ first_nmae }}, {{ problem }}?", "template opener", "first_nmae"),
    ("Hi {{ first_name }\n", "template opener, line 1", "unexpected"),
    ("Hi {{ first_name }},\n{% if problem %}\nno end\n", "template opener", "endif"),
    ("Hi {{ first_name }}, just touching base!", "template opener, line 1", "touching base"),
    ("Hi {{ first_name }}, {{ problem.no_such_thing }}", "template opener", "fails when rendered"),
    ("{{ ''.__class__.__mro__ }}", "template opener", "fails when rendered"),
])
def test_bad_templates_are_refused_with_where_and_what(source: str, where: str, what: str) -> None:
    problems = rules.problems_with_template("opener", source)
    assert problems, source
    assert problems[0].where.startswith(where)
    assert what in problems[0].what or what in problems[0].fix


def test_an_email_template_needs_a_subject_line() -> None:
    problems = rules.problems_with_template("email-nudge", "Hi {{ first_name }}")
    assert problems[0].what == "an email template must start with a subject line"


def test_a_trigger_subject_says_what_they_did_as_a_person_would(analysis) -> None:
    inp = _input(analysis, trigger="visited a case study (/case-studies/monday-reporting)")
    email = _write("email-trigger", inp)
    assert email.subject == "Marco, since you visited a case study"
    assert "/case-studies" not in email.subject + email.text and "you visited a case study." in email.text


def test_filled_drafts_have_no_doubled_stops_or_capitals_mid_sentence() -> None:
    from ember.compose.sandbox import tidy

    assert tidy("you told me that Our reports take a day.. Then") == "you told me that our reports take a day. Then"
    assert tidy("Is it still a priority?.") == "Is it still a priority?"
    assert tidy("Wait... really.") == "Wait... really."
    assert tidy("you said that Harbor Foods needs it") == "you said that Harbor Foods needs it"  # names keep capitals


def test_a_step_of_no_known_kind_is_listed_in_the_words_said_not_as_an_empty_next_step() -> None:
    from ember.compose.facts import Step, step_summary

    summary = step_summary(Step("other", "prospect", None, "next week", "I'll check with our legal team.", 12.0))
    assert "a next step" not in summary
    assert summary == '"you\'ll check with your legal team", next week'
