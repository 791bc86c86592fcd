"""What a follow-up may say, taken from the last call (or the rep's notes).

Pure functions over plain data: the stored analysis JSON (docs/analysis.md),
touch notes, stakeholders and the proof-point library. Nothing here invents a
fact: every sentence a template can show carries the quote it came from, and
a fact that was not found stays ``None`` so the template shows a placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class FactText(str):
    """A string shown in a follow-up that came from one or more quotes.

    Rendering records every FactText a template prints, so an output can list
    exactly the facts it used (see ``ember.compose.sandbox``).
    """

    sources: tuple[tuple[str, float | None], ...]

    def __new__(cls, text: str, sources: Iterable[tuple[str, float | None]]) -> FactText:
        made = super().__new__(cls, text)
        made.sources = tuple(sources)
        return made

    @classmethod
    def of(cls, text: str, quote: str, start_s: float | None) -> FactText:
        return cls(text, [(quote, start_s)])


@dataclass(frozen=True)
class Step:
    type: str
    owner: str | None  # rep | prospect | None
    due: str | None  # "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM", the contact's local time
    due_phrase: str | None
    quote: str
    start_s: float | None
    speaker: str | None = None


@dataclass(frozen=True)
class Point:
    speaker: str | None
    side: str | None
    quote: str
    start_s: float | None


@dataclass(frozen=True)
class CallFacts:
    """The facts of one conversation: from an analysed transcript or from notes."""

    source: str  # "call" | "notes"
    problems: tuple[Point, ...] = ()
    goals: tuple[Point, ...] = ()
    steps: tuple[Step, ...] = ()
    closing: tuple[Point, ...] = ()
    roles: tuple[Mapping[str, Any], ...] = ()  # analysis prospect_roles entries
    qualification: Mapping[str, Any] = field(default_factory=dict)
    mentions: tuple[Point, ...] = ()  # sentences that may name stakeholders to expect


@dataclass(frozen=True)
class Person:
    name: str
    title: str | None
    role: str  # decision role
    evidence: str | None = None


@dataclass(frozen=True)
class Story:
    title: str
    text: str
    industry: str | None
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Colleague:
    who: str
    why: str
    quote: str | None
    start_s: float | None


_FILLERS = re.compile(r"^(?:(?:so|well|sure|um+|uh+|okay|ok|yeah|yes|and|but|honestly|look|i mean)[,\s]+)+",
                      re.IGNORECASE)
_LONE_I = re.compile(r"\bi(?=\b|')")
# Sentences where a prospect says what they want: the goal a nudge or a subject line recalls.
_GOAL = re.compile(r"\b(i|we) (really )?(need|want|would like|'d like|are looking|'re looking)\b|"
                   r"\bwhat (i|we) need\b|\bour goal\b|\bwe hope to\b|\bwe'?d want\b", re.IGNORECASE)
# Rep notes have no speaker turns; these words mark a stated pain or a commitment in them.
_NOTE_PAIN = re.compile(r"\b(problem|pain|struggl\w*|frustrat\w*|too long|too slow|manual\w*|spreadsheets?|"
                        r"losing|lose|missing|miss|waste\w*|can't|cannot|broken|mess)\b", re.IGNORECASE)
_NOTE_STEP = re.compile(r"\b(will|'ll|send|share|demo|meet|meeting|call back|introduc\w*|schedul\w*|book\w*|"
                        r"next step|follow up|by (monday|tuesday|wednesday|thursday|friday|next week))\b",
                        re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


_CALENDAR_WORDS = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|"
                             r"march|april|june|july|august|september|october|november|december)\b")


def clean_quote(text: str) -> str:
    """Their words, tidied for reading: leading fillers off, "i" and day names capitalised."""
    tidy = _FILLERS.sub("", " ".join(text.split())).strip()
    tidy = _LONE_I.sub("I", tidy) or text.strip()
    tidy = _CALENDAR_WORDS.sub(lambda m: m.group(0).capitalize(), tidy)
    return tidy[:1].upper() + tidy[1:]


_YOU_FORM = {
    "i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "we": "you", "us": "you",
    "our": "your", "ours": "yours", "ourselves": "yourselves", "i'm": "you're", "i've": "you've",
    "i'll": "you'll", "i'd": "you'd", "we're": "you're", "we've": "you've", "we'll": "you'll", "we'd": "you'd",
}
_WORD = re.compile(r"[A-Za-z']+")


def you_form(text: str) -> str:
    """A prospect's sentence said back to them ("we keep losing" -> "you keep losing").

    Only pronouns change, so the opener recalls their problem in their own
    words rather than in ours.
    """
    shifted = _WORD.sub(lambda m: _YOU_FORM.get(m.group(0).lower(), m.group(0)), _FILLERS.sub("", text.strip()))
    shifted = re.sub(r"\byou am\b", "you are", shifted)
    shifted = re.sub(r"\byou was\b", "you were", shifted)
    return shifted.rstrip(".!? ")


def _point(raw: Mapping[str, Any]) -> Point:
    return Point(raw.get("speaker"), raw.get("side"), str(raw.get("quote") or ""), raw.get("start_s"))


def facts_from_analysis(analysis: Mapping[str, Any]) -> CallFacts:
    """The facts a follow-up needs, read from the stored analysis JSON (schema 1.x)."""
    problems = tuple(_point(p) for p in analysis.get("problems") or [])
    qualification = analysis.get("qualification") or {}
    problem_evidence = [_point(e) for e in (qualification.get("problem") or {}).get("evidence") or []]
    prospect_lines = [p for p in problem_evidence if p.side == "prospect"]
    if not problems:
        problems = tuple(prospect_lines[:1])
    goals = tuple(p for p in [*problems, *prospect_lines] if _GOAL.search(p.quote))
    steps = tuple(
        Step(type=str(s.get("type") or "other"), owner=s.get("owner"), due=s.get("due"),
             due_phrase=s.get("due_phrase"), quote=str(s.get("quote") or ""), start_s=s.get("start_s"),
             speaker=s.get("speaker"))
        for s in analysis.get("next_steps") or []
    )
    mentions = [_point(e) for e in (qualification.get("decision_makers") or {}).get("evidence") or []]
    mentions += [Point(s.speaker, None, s.quote, s.start_s) for s in steps]
    mentions += [_point(p) for p in analysis.get("closing_points") or []]
    return CallFacts(
        source="call", problems=problems, goals=_unique(goals), steps=steps,
        closing=tuple(_point(p) for p in analysis.get("closing_points") or []),
        roles=tuple(analysis.get("prospect_roles") or []), qualification=qualification,
        mentions=_unique(mentions),
    )


def _unique(points: Iterable[Point]) -> tuple[Point, ...]:
    seen: set[str] = set()
    kept = []
    for point in points:
        if point.quote and point.quote not in seen:
            seen.add(point.quote)
            kept.append(point)
    return tuple(kept)


def facts_from_notes(notes: Sequence[str]) -> CallFacts:
    """Facts from the rep's own touch notes when there is no transcript (oldest note first).

    Notes carry no timestamps, so every quote has ``start_s`` None.
    """
    sentences = [s.strip() for note in notes for s in _SENTENCE.split(note) if len(s.split()) >= 3]
    points = [Point(None, "notes", s, None) for s in sentences]
    steps = tuple(Step(type="other", owner=None, due=None, due_phrase=None, quote=p.quote, start_s=None)
                  for p in points if _NOTE_STEP.search(p.quote))
    last_note = [Point(None, "notes", s.strip(), None) for s in _SENTENCE.split(notes[-1]) if s.strip()] \
        if notes else []
    return CallFacts(
        source="notes", problems=tuple(p for p in points if _NOTE_PAIN.search(p.quote)),
        goals=tuple(p for p in points if _GOAL.search(p.quote)), steps=steps, closing=tuple(last_note[-3:]),
        mentions=tuple(points),
    )


_TYPE_WORDS = {
    "meeting": "a follow-up meeting", "demo": "a demo", "documents": "documents", "email": "an email",
    "introduction": "an introduction", "authority": "confirming who signs off", "pricing": "pricing",
    "trial": "a trial", "other": "a next step",
}


def format_due(due: str | None) -> str | None:
    """"2026-03-10T15:00" -> "Tuesday 10 March, 15:00" (already in the contact's local time)."""
    if not due:
        return None
    try:
        moment = datetime.fromisoformat(due)
    except ValueError:
        return due
    day = f"{moment:%A} {moment.day} {moment:%B}"
    return f"{day}, {moment:%H:%M}" if "T" in due else day


def format_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


_OBJECT = re.compile(
    r"\b(?:send|share|email|forward|introduce)\w*(?: (?:you|me|us|him|her|them|over))?(?: to)? "
    r"(?P<obj>(?:(?!(?:by|before|after|tomorrow|today|tonight|next|on|this|so|when|then|later)\b)[\w']+ ?){1,8})",
    re.IGNORECASE)
_WITH = re.compile(r"\bwith (?P<who>(?!(?:you|me|us|them|the|a|an|my|your|our|their|his|her|its)\b)[a-z]+)\b",
                   re.IGNORECASE)


def step_object(step: Step) -> str | None:
    """The thing a step is about, in the speaker's words: "the pricing sheet and a case study"."""
    found = _OBJECT.search(step.quote)
    if found is None:
        return None
    words = found.group("obj").strip()
    return you_form(words) if step.speaker and step.owner == "prospect" else words


def step_summary(step: Step) -> str:
    """What was to happen: "the pricing sheet from me, Friday 6 March" or "a demo with elena, Tuesday ..."."""
    what = _TYPE_WORDS.get(step.type, "a next step")
    thing = step_object(step) if step.type in {"documents", "email", "introduction", "pricing"} else None
    if step.type == "introduction" and thing:
        what = f"an introduction to {thing}"
    elif thing:
        what = thing
    elif step.type in {"meeting", "demo"} and (other := _WITH.search(step.quote)):
        what = f"{what} with {other.group('who').capitalize()}"
    who = "" if step.type in {"meeting", "demo"} else {"rep": " from me", "prospect": " from you"}.get(
        step.owner or "", "")
    if what == _TYPE_WORDS["other"] and step.quote.strip():
        # No kind of step names it: the words said on the call do, and they already say who.
        said = you_form(step.quote) if step.owner == "prospect" else clean_quote(step.quote).rstrip(".!? ")
        what, who = f'"{said}"', ""
    when = format_due(step.due) or (step.due_phrase or "")
    return f"{what}{who}" + (f", {when}" if when else "")


def agreed_step(step_type: str, owner_side: str | None, quote: str) -> str:
    """A stored next step as words a message can carry ("Where do things stand on {next_step}?"):
    "documents from me", "an introduction to the head of operations from you", never the raw
    sentence from the call, which reads as "on i'll send you the paper" inside a message."""
    owner = owner_side if owner_side in ("rep", "prospect") else None
    return step_summary(Step(type=step_type, owner=owner, due=None, due_phrase=None, quote=quote, start_s=None,
                             speaker="prospect" if owner == "prospect" else None))


def distinct_steps(steps: Sequence[Step]) -> list[Step]:
    """One entry per commitment: "can you send the pricing sheet" and "I'll send the pricing
    sheet by Friday" are the same promise; the one with a date is kept."""
    kept: list[Step] = []
    for step in steps:
        thing = (step_object(step) or "").lower()
        twin = next((k for k in kept if k.type == step.type and thing and (o := (step_object(k) or "").lower())
                     and (o in thing or thing in o)), None)
        if twin is None:
            kept.append(step)
        elif twin.due is None and step.due is not None:
            kept[kept.index(twin)] = step
    return kept


QUALIFICATION_LABELS = {
    "problem": "problem recognition: they have not yet said, in their words, what is wrong",
    "decision_makers": "decision makers: not everyone who decides has been named",
    "timeline": "timeline: no date to be up and running",
    "budget": "price and budget: not qualified yet",
}


def qualification_gaps(qualification: Mapping[str, Any], people: Sequence[Person]) -> list[str]:
    """Open qualification items, plus a warning when nobody reached so far can decide."""
    gaps = [label for key, label in QUALIFICATION_LABELS.items()
            if not (qualification.get(key) or {}).get("covered")]
    if people and not any(p.role in {"decision_maker", "champion"} for p in people):
        gaps.append("power: everyone reached so far gathers information or uses the product; "
                    "ask to meet whoever decides")
    return gaps


# Who on the prospect's side calls for whom on ours. The point: team selling
# means tech leads and customer-success people join the buyer side, and CXOs turn up.
_TECH = re.compile(r"\b(it (lead|team|manager|director|department|security|admin)|head of it|cto|cio|ciso|"
                   r"security|engineer\w*|technical|tech lead|architect|developers?|infrastructure|integrations?)\b",
                   re.IGNORECASE)
_EXEC = re.compile(r"\b(ceo|cfo|coo|cro|chief|vp|vice president|president|founder|owner|director|head of|"
                   r"final (call|say|decision)|signs? off|owns the budget)\b", re.IGNORECASE)
_SUCCESS = re.compile(r"\b(onboarding|roll ?out|rolling out|adoption|training|support team|customer success|"
                      r"implementation|go live|going live|end users?|the reps will use)\b", re.IGNORECASE)
_NEEDS = (
    ("technical lead", _TECH, "IT or security people are expected; bring someone who can answer technical "
                              "and security questions on the spot"),
    ("executive", _EXEC, "someone senior who decides or owns the budget is expected; bring an executive "
                         "who can speak to results and terms"),
    ("customer success", _SUCCESS, "rollout and adoption came up; bring customer success to explain how "
                                   "teams get started"),
)


def colleagues_to_bring(people: Sequence[Person], mentions: Sequence[Point]) -> list[Colleague]:
    """Which colleagues to bring for the stakeholders the prospect will bring, with the evidence."""
    found: list[Colleague] = []
    for who, pattern, why in _NEEDS:
        evidence = _first_match(pattern, people, mentions, executive=who == "executive")
        if evidence is not None:
            found.append(Colleague(who, why, evidence.quote if evidence.side != "record" else None,
                                   evidence.start_s))
    return found


def _first_match(pattern: re.Pattern[str], people: Sequence[Person], mentions: Sequence[Point],
                 *, executive: bool) -> Point | None:
    for person in people:
        if (person.title and pattern.search(person.title)) or (executive and person.role == "decision_maker"):
            return Point(person.name, "record", f"{person.name}: {person.title or person.role}", None)
    return next((m for m in mentions if pattern.search(m.quote)), None)


def match_stories(stories: Sequence[Story], texts: Sequence[str], industry: str | None,
                  limit: int = 3) -> list[Story]:
    """Stories whose keywords occur in what the prospect said; same industry breaks ties."""
    said = " ".join(texts).lower()
    scored = []
    for index, story in enumerate(stories):
        hits = sum(1 for word in story.keywords if word and word.lower() in said)
        same_industry = bool(industry and story.industry and story.industry.lower() == industry.lower())
        if hits:
            scored.append((-hits, -int(same_industry), index, story))
    return [story for *_, story in sorted(scored)[:limit]]


def parse_keywords(raw: str | None) -> tuple[str, ...]:
    return tuple(word.strip() for word in (raw or "").split(",") if word.strip())
