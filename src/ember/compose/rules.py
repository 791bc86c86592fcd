"""Follow-up writing: which template, which facts, and the variables a template sees.

Pure: the service gathers plain data (``ComposeInput``) from the database and
these functions turn it into template variables. A fact that is missing
becomes a visible ``[[placeholder]]`` the rep must fill before sending; it is
never made up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ember.compose.facts import (
    CallFacts,
    FactText,
    Person,
    Point,
    Step,
    Story,
    clean_quote,
    colleagues_to_bring,
    distinct_steps,
    format_date,
    format_due,
    match_stories,
    qualification_gaps,
    step_summary,
    you_form,
)
from ember.compose.sandbox import Rendered, render, template_problems
from ember.errors import InvalidInput, Problem

# A trigger's tracked address ("(/case-studies/monday-reporting)", "(https://...)") is for the rep,
# never for the prospect's inbox: a person says "you read a case study", not where we logged it.
_TRACKED_ADDRESS = re.compile(r"\s*\((?:/|https?://|www\.)[^)]*\)")


def spoken_trigger(summary: str) -> str:
    """What the prospect did, as a person would say it to them: no tracked paths or addresses."""
    return _TRACKED_ADDRESS.sub("", summary).strip().rstrip(".")

KINDS = ("note", "opener", "brief", "email", "voicemail")
SITUATIONS = ("post-meeting", "nudge", "referral", "trigger")
TEMPLATE_NAMES = ("note", "opener", "brief", *(f"email-{s}" for s in SITUATIONS), "voicemail", "voicemail-email")
# Templates that become an email (first line "Subject: ...").
EMAIL_TEMPLATES = frozenset({"note", "voicemail-email", *(f"email-{s}" for s in SITUATIONS)})
# Everything but the rep's own brief reaches the prospect, so "touch base" wording is refused there.
PROSPECT_FACING = frozenset(TEMPLATE_NAMES) - {"brief"}

VARIABLES: dict[str, str] = {
    "first_name": "the contact's first name",
    "contact_name": "the contact's full name",
    "company": "the contact's company",
    "rep_name": "your name",
    "rep_email": "your email address",
    "problem": "their main problem, quoted in their words",
    "problem_you": "the same problem said back to them (\"we keep losing\" becomes \"you keep losing\")",
    "goal": "what they said they want, quoted",
    "next_steps": "list of agreed next steps: .what, .owner (me/you/us), .when (or none), .quote",
    "plan": "the agreed next steps in one line (\"a demo from me, Tuesday 10 March, 15:00 and ...\")",
    "meeting": "the next meeting or demo agreed, with its date, or none",
    "next_contact": "when you will be in touch next",
    "channel": "how they want to hear from you (\"by email\", \"on a video call\")",
    "closing_points": "list of the last points of the call: .speaker, .at (m:ss), .quote",
    "people": "list of stakeholders: .name, .title, .role, .evidence",
    "gaps": "list of open qualification items (text)",
    "colleagues": "list of colleagues to bring: .who, .why, .quote",
    "stories": "list of matching customer stories: .title, .text",
    "story": "the best matching customer story",
    "idea": "a new idea to bring (the best matching story)",
    "referrer": "who referred them",
    "trigger": "what they just did (the latest trigger event)",
    "last_call": "the date of the last conversation, or none",
    "source": "where the facts came from: call, notes or none",
    "situation": "the email situation: post-meeting, nudge, referral or trigger",
}
ALLOWED = frozenset(VARIABLES)

_CHANNEL_WORDS = {
    "call": "by phone", "email": "by email", "video_demo": "on a video call",
    "self_serve_demo": "with a demo you can try on your own", "social": "on LinkedIn", "sms": "by text message",
}
_ROLE_WORDS = {
    "decision_maker": "decision maker", "influencer": "influencer", "info_gatherer": "info gatherer",
    "end_user": "end user", "champion": "champion", "unknown": "role not known yet",
}


def blank(label: str) -> str:
    return f"[[{label}]]"


@dataclass(frozen=True)
class ComposeInput:
    """Everything the rules need about one contact, read by the service."""

    contact_name: str
    rep_name: str
    rep_email: str
    today: date
    first_name: str | None = None
    company: str | None = None
    industry: str | None = None
    preferred_channel: str | None = None
    call: CallFacts | None = None
    last_conversation: date | None = None
    people: tuple[Person, ...] = ()
    qualification: Mapping[str, Any] | None = None  # the deal's; else the call's own
    stories: tuple[Story, ...] = ()
    referrer: str | None = None
    trigger: str | None = None
    next_touch: str | None = None  # "Thursday 12 March, 16:00 by phone", from the cadence plan
    situation: str = "post-meeting"


def template_name(kind: str, situation: str | None) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r}",
                           [Problem("kind", f"{kind!r} is not one of {', '.join(KINDS)}", "pick one of them")])
    if situation is not None and situation not in SITUATIONS:
        raise InvalidInput(f"unknown situation {situation!r}", [Problem(
            "situation", f"{situation!r} is not one of {', '.join(SITUATIONS)}", "pick one of them")])
    return f"email-{situation or 'post-meeting'}" if kind == "email" else kind


def infer_situation(*, has_conversation: bool, days_since_conversation: int | None, nudge_after_days: int,
                    recent_trigger: bool, referred: bool) -> str:
    """The email situation when the rep did not choose one: a fresh trigger first, then silence."""
    if recent_trigger:
        return "trigger"
    if not has_conversation and referred:
        return "referral"
    if days_since_conversation is not None and days_since_conversation >= nudge_after_days:
        return "nudge"
    return "post-meeting"


def _quoted(point: Point | None, shift: bool = False) -> FactText | None:
    if point is None:
        return None
    text = you_form(point.quote) if shift and point.side == "prospect" else clean_quote(point.quote).rstrip(".!? ")
    return FactText.of(text, point.quote, point.start_s)


def relevant_steps(call: CallFacts | None, spoke_on: date | None) -> list[Step]:
    """The commitments worth repeating: one entry per promise, and no vague "other" step
    due the day of the call itself (that is talk about the call, not a next step)."""
    steps = [s for s in (call.steps if call else ())
             if not (s.type == "other" and spoke_on and s.due and s.due[:10] <= spoke_on.isoformat())]
    return distinct_steps(steps)


def _steps(steps: Sequence[Step]) -> list[dict[str, Any]]:
    owners = {"rep": "me", "prospect": "you"}
    return [{"what": FactText.of(step_summary(s), s.quote, s.start_s), "owner": owners.get(s.owner or "", "us"),
             "when": format_due(s.due) or s.due_phrase, "quote": FactText.of(clean_quote(s.quote), s.quote, s.start_s)}
            for s in steps]


def _plan(all_steps: Sequence[Step], limit: int = 3) -> FactText | None:
    """The first few commitments in one line: an opener has seconds, not a list."""
    steps = list(all_steps)[:limit]
    if not steps:
        return None
    parts = [step_summary(s) for s in steps]
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return FactText(text, [(s.quote, s.start_s) for s in steps])


def _meeting(steps: Sequence[Step]) -> FactText | None:
    for step in steps:
        if step.type in {"meeting", "demo"} and step.due:
            return FactText.of(format_due(step.due) or step.due, step.quote, step.start_s)
    return None


def _next_contact(inp: ComposeInput, steps: Sequence[Step]) -> str:
    if inp.next_touch:
        return inp.next_touch
    dated = sorted((s for s in steps if s.owner == "rep" and s.due
                    and s.due[:10] >= inp.today.isoformat()), key=lambda s: s.due or "")
    if dated:
        return FactText.of(format_due(dated[0].due) or "", dated[0].quote, dated[0].start_s)
    return blank("when you will be in touch next")


def _at(start_s: float | None) -> str:
    if start_s is None:
        return "notes"
    return f"{int(start_s // 60)}:{int(start_s % 60):02d}"


def people_with_roles(records: Sequence[Person], roles: Sequence[Mapping[str, Any]]) -> list[Person]:
    """Stakeholders on record, with the analysis's role where the record has none yet, plus prospect
    speakers the analysis found who are not on record."""
    people = list(records)
    for entry in roles:
        speaker = str(entry.get("speaker") or "")
        role, quote = str(entry.get("role") or "unknown"), entry.get("quote")
        index = next((i for i, p in enumerate(people) if speaker and _same_person(p.name, speaker)), None)
        if index is None and speaker:
            people.append(Person(speaker, None, role, quote))
        elif index is not None and people[index].role == "unknown":
            people[index] = Person(people[index].name, people[index].title, role, quote)
    return people


def _same_person(name: str, speaker: str) -> bool:
    """"Marco Ruiz" is the speaker "Marco" or "marco ruiz"."""
    a, b = name.lower().split(), speaker.lower().split()
    return bool(a and b) and (a == b or (len(b) == 1 and a[0] == b[0]) or (len(a) == 1 and a[0] == b[0]))


def build_context(inp: ComposeInput) -> dict[str, Any]:
    """The template variables (all of ``VARIABLES``) for one contact."""
    call = inp.call
    problem = call.problems[0] if call and call.problems else None
    goal = call.goals[0] if call and call.goals else None
    people = people_with_roles(inp.people, call.roles if call else ())
    said = [p.quote for p in (call.problems + call.goals + call.mentions)] if call else []
    stories = match_stories(inp.stories, said, inp.industry)
    qualification = inp.qualification if inp.qualification is not None else (call.qualification if call else {})
    story = f"{stories[0].title}: {stories[0].text}".rstrip(". ") if stories else None
    steps = relevant_steps(call, inp.last_conversation)
    context: dict[str, Any] = {
        "first_name": inp.first_name or blank("their first name"),
        "contact_name": inp.contact_name,
        "company": inp.company or blank("their company"),
        "rep_name": inp.rep_name,
        "rep_email": inp.rep_email,
        "problem": _quoted(problem) or blank("their main problem, in their words"),
        "problem_you": _quoted(problem, shift=True) or blank("their main problem, in their words"),
        "goal": _quoted(goal) or blank("what they want to achieve"),
        "next_steps": _steps(steps),
        "plan": _plan(steps) or blank("what was to happen since the last call"),
        "meeting": _meeting(steps),
        "next_contact": _next_contact(inp, steps),
        "channel": _CHANNEL_WORDS.get(inp.preferred_channel or "", blank("how they want to hear from you")),
        "closing_points": [{"speaker": p.speaker or "notes", "at": _at(p.start_s), "quote": _quoted(p)}
                           for p in (call.closing if call else ())],
        "people": [{"name": p.name, "title": p.title, "role": _ROLE_WORDS.get(p.role, p.role),
                    "evidence": clean_quote(p.evidence) if p.evidence else None} for p in people],
        "gaps": qualification_gaps(qualification or {}, people),
        "colleagues": [{"who": c.who, "why": c.why,
                        "quote": FactText.of(clean_quote(c.quote), c.quote, c.start_s) if c.quote else None}
                       for c in colleagues_to_bring(people, call.mentions if call else ())],
        "stories": [{"title": s.title, "text": s.text} for s in stories],
        "story": story or blank("a customer story that fits"),
        "idea": stories[0].title if stories else blank("your new idea for them"),
        "referrer": inp.referrer or blank("who referred them"),
        "trigger": spoken_trigger(inp.trigger) if inp.trigger else blank("what they just did"),
        "last_call": format_date(inp.last_conversation) if inp.last_conversation else None,
        "source": call.source if call else "none",
        "situation": inp.situation,
    }
    return context


def compose(source: str, inp: ComposeInput) -> Rendered:
    return render(source, build_context(inp))


def sample_inputs() -> list[ComposeInput]:
    """Two test renders for template validation: nothing known, and everything known."""
    empty = ComposeInput(contact_name="Sample Contact", rep_name="Sample Rep", rep_email="rep@example.com",
                         today=date(2026, 1, 7))
    point = Point("Sample Contact", "prospect", "we need fewer spreadsheets", 12.0)
    full = ComposeInput(
        contact_name="Sample Contact", first_name="Sample", company="Sample Co", rep_name="Sample Rep",
        rep_email="rep@example.com", today=date(2026, 1, 7), preferred_channel="email",
        call=CallFacts(source="call", problems=(point,), goals=(point,), closing=(point,), mentions=(point,),
                       steps=(Step("demo", "rep", "2026-01-13T15:00", "next tuesday at 3", "let's meet", 30.0),)),
        last_conversation=date(2026, 1, 6), people=(Person("Sample Contact", "CFO", "decision_maker", "I sign"),),
        stories=(Story("Sample story", "a result", None, ("spreadsheets",)),), referrer="A. Referrer",
        trigger="visited the pricing page", next_touch="Thursday 8 January, 16:00 by phone",
    )
    return [empty, full]


def problems_with_template(name: str, source: str) -> list[Problem]:
    if name not in TEMPLATE_NAMES:
        return [Problem("name", f"{name!r} is not a follow-up template",
                        f"use one of {', '.join(TEMPLATE_NAMES)}")]
    samples = [build_context(inp) for inp in sample_inputs()]
    return template_problems(name, source, ALLOWED, samples, needs_subject=name in EMAIL_TEMPLATES,
                             spoken_or_sent=name in PROSPECT_FACING)
