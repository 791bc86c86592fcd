"""Next steps: the commitments of a call that carry a sales action.

A commitment (ember.conversation.commitments) is a next step when it names a
deal action or a date and is not done on the call itself ("let me show you
the dashboard"). Each step has a type (the first of introduction,
authority, pricing, trial, demo, documents, meeting, email whose words it
holds, else other), an owner and a due date:

- owner: who will act. A commit or an offer is the speaker's side; a request
  is the other side's ("Can you send me the deck?" is the rep's step when
  the prospect asks it); a proposal ("let's meet") is the rep's, who books
  it, unless it brings in someone of the speaker's own ("could we loop in
  our IT director").
- A request, offer or proposal and the other side's answer in the next turn
  are one step: a refusal ("no, I'd rather not") drops it, an undertaking
  ("I'll have it to you Thursday") or an agreement with a date ("Tuesday at
  ten works") gives it the date the acceptor said.
- One sentence can hold two steps ("I'll send the link now and check in
  Friday"): it is cut before each further undertaking.
- A step said again (a recap, the same promise twice) is reported once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from itertools import pairwise

from ember.conversation.commitments import (
    COMMIT,
    OFFER,
    PROPOSAL,
    REQUEST,
    Commitment,
    find_commitments,
    names_action,
    rule_kind,
)
from ember.conversation.dates import find_due_phrase as _find_due_phrase
from ember.conversation.dates import resolve
from ember.conversation.utterances import Utterance
from ember.vocabulary import NextStepType, Side

_PEOPLE = (r"(?:cfo|cto|ceo|coo|cio|ciso|chro|vp|head of \w+|head|boss|manager|director|lead|"
           r"architect|engineer|controller|colleague|team lead|partner|counsel|assistant|"
           r"founder|cofounder|co-founder|owner|dpo)")
_TYPES: tuple[tuple[NextStepType, re.Pattern[str]], ...] = (
    (NextStepType.INTRODUCTION, re.compile(
        rf"\b(?:introduc\w*|intro|connect (?:you|us|me|them|him|her)|loop (?:in|him|her|them)|"
        rf"bring (?:in|along)?\s*(?:our|my|your|the|him|her|them)?\s*{_PEOPLE}|"
        rf"(?:invite|add|include|copy|cc|bring) (?:in )?(?:our|my|your|their) [\w ]{{0,20}}{_PEOPLE}|"
        rf"(?:our|my|your) {_PEOPLE} (?:to|on|in) (?:the|that|this|our|a) (?:call|meeting|visit)|"
        rf"reference call|speak to a customer|talk to (?:their|a customer|one of our customers)|"
        rf"(?:have|get) \w+ (?:join|on the call|on a call)|to join)\b")),
    (NextStepType.AUTHORITY, re.compile(
        r"\b(?:sign(?:s|ed)? off|sign-off|approv\w*|go-ahead|go ahead from|green light|final say|"
        r"who signs|decision maker|run (?:it|this|that|any \w+ \w*) (?:by|past)|buy-in|budget holder|"
        r"sign(?:s|ed)? (?:it|this|that) off|"
        r"(?:check|clear it|talk|speak|confirm) with (?:my|our|the) (?:boss|cfo|ceo|coo|vp|manager|director|"
        r"procurement|legal|counsel|general counsel|finance|board|dpo|security)|"
        r"take it (?:to|into) (?:our|the|my)|the board|committee|answer of|"
        r"(?:walk|take) (?:her|him|them) through it|the decision|(?:budget|it) approved|"
        r"sign(?![- ]up)(?!ed)|signature|(?:present|show|take|bring) (?:it|this|that|them) to (?:my|our|the) "
        r"(?:boss|cfo|ceo|coo|md|vp|manager|director|board|committee)|in front of (?:her|him|them|my|our))\b")),
    (NextStepType.PRICING, re.compile(
        r"\b(?:pric\w*|quote|quotation|discount|credit|cost|commercials|payment terms|invoice|rate card|"
        r"price comparison|nonprofit|startup plan|(?:revised|new|updated|final) (?:numbers|figures))\b")),
    (NextStepType.TRIAL, re.compile(
        r"\b(?:trial|pilot|sandbox|proof of concept|poc|test tenant|tenant|workspace|logins?|"
        r"sign-up link|setup link|credentials|demo environment|accounts ready|test account)\b")),
    (NextStepType.DEMO, re.compile(
        r"\b(?:demo|run-through|run through|show (?:the|your|him|her|them|you how)|same demo|"
        r"session with (?:her|him|them)|walk (?:him|her|them|your \w+) through)\b")),
    (NextStepType.DOCUMENTS, re.compile(
        r"\b(?:deck|proposal|contract|order form|msa|dpa|sow|statement of work|case stud\w*|"
        r"references?|document\w*|docs?|slides|one-pager|one page|one-page|summary|overview|pack|"
        r"white ?paper|report|guide|link|(?:project|pilot|rollout|implementation|migration|"
        r"account|sample|draft|success|action|onboarding|training) plan|export|list|questionnaire|soc 2|certificates?|"
        r"business case|outline|write-up|write (?:it|one) up|gist|side-by-side|markup|"
        r"redlines|video|walkthrough|agreement|terms|paperwork|scope|presentation|sample|"
        r"estimate|cheat sheets|version|copy|response|letterhead|pdf|spreadsheet|file|notes|"
        r"recording|specs?|comparison|form|usage report|root cause)\b")),
    (NextStepType.MEETING, re.compile(
        r"\b(?:meet\w*|call|invite|calendar|schedule|book|slots?|times?|session|workshop|visit|"
        r"catch up|check in|check back|touch base|regroup|sync|review|kickoff|kick-off|chat|"
        r"talk (?:again|next|then|friday|monday|tuesday|wednesday|thursday)|get together|"
        r"reconvene|come out|reach out in|jump back on|onboarding|lock in|in the calendar|"
        r"block (?:out )?time|(?:few|some|two|three|a couple of) (?:options|dates)|ring you|"
        r"phone you|a (?:calendar )?hold)\b")),
    (NextStepType.EMAIL, re.compile(
        r"\b(?:e-?mail\w*|note|recap|reply|get back to|come back to|let you know|let me know|"
        r"confirm|reach out|write to|ping|heads up|send (?:it|them) right|contact you|notify|"
        r"his details|her details|address)\b")),
)
# Actions done on the call itself: no step unless a date or "after the call" says otherwise.
_IN_CALL = re.compile(
    r"\b(?:let me|i'll|i will|i can|we'll) (?:just )?(?:show you|share (?:my|the) screen|pull up|"
    r"look (?:that|it) up|walk you through|start|go through|cover|take you|switch|open up|"
    r"click|scroll|stop sharing|jump|go over)\b"
)
# The call's own plan said at its start ("today I'd like to walk you through
# three things", "we'll cover routing first, then reporting", "we'll finish
# with pricing and next steps"): what happens on this call, not after it.
_AGENDA = re.compile(
    r"\b(?:the plan for today|the agenda (?:for today|is)|here's the agenda|today i'd like to|"
    r"today we'll|today i'll|today we're going to|"
    r"on today's call|in this call|for this call|for today)\b"
    r"|\b(?:we'll|i'll|let's|we're going to|i'm going to|we will|i will) (?:start|begin|finish|end|wrap up|"
    r"close|cover|go through|look at|get to|leave|spend|kick off)\b"
    r"|\b(?:i'll|we'll|i will|let me) (?:give (?:you )?(?:a )?(?:quick |short |brief )?(?:overview|tour|"
    r"intro|introduction|recap of))"
    r"|\bthen we'll\b|\bhand (?:it )?over to (?:your|you for) questions\b"
)
_AFTER_CALL = re.compile(
    r"\b(?:after (?:the|this) call|afterwards|tomorrow|next week|follow(?:ing)? up|monday|tuesday|"
    r"wednesday|thursday|friday|next time|next call|by email)\b")
# An undated step the rules find needs this much of the commitment model's
# probability: below it, in the meetings the model was fitted on, the
# rules' hits were talk about the work ("send the laptop", "we should add
# it to the dictionary"), none of them a labelled commitment.
UNDATED_FLOOR = 0.1
_LATER = re.compile(r"\b(?:after|later|offline|afterwards|following up|follow up|over email|"
                    r"by email|tonight|tomorrow|when we hang up|next)\b")
_RECAP = re.compile(r"\b(?:recap|to sum up|summari[sz]e|so the plan is|just to confirm|"
                    r"to confirm|so to be clear|so,? (?:friday|monday|tuesday|wednesday|thursday))\b")
_CLAUSE = re.compile(r"(?:,\s*|\s+)(?:and|but|then|and then|also|so)\s+(?=(?:i'll|i will|we'll|"
                     r"we will|i'm going to|let me|i can also|you'll)\b)|;\s+"
                     r"|(?<=\w)\s+and (?:then )?(?=(?:check in|follow up|book|schedule|touch base|"
                     r"send you|send the|send a)\b)")
_DECLINE = re.compile(
    r"^(?:(?:oh|well|um|uh|honestly|actually|hmm),?\s+)*(?:no\b|nope|not (?:really|yet|now|right "
    r"now|at this|for now|this)|i don't think|i'd rather not|i would rather not|maybe later|"
    r"let's (?:wait|see|not)|possibly|maybe[,.]|i'm not sure|we're fine|we're good|no thanks|"
    r"i don't need|that won't be necessary|not necessary|not at this stage|let me (?:read|see|"
    r"think)|let's not)"
)
_ACCEPT = re.compile(
    r"^(?:(?:oh|well|um|uh|so),?\s+)*(?:yes|yeah|yep|sure|of course|absolutely|definitely|"
    r"certainly|please|perfect|great|sounds good|works|that works|that would|that'd|good idea|"
    r"deal|ok|okay|fine|go for it|let's do|brilliant|lovely|wonderful|excellent|cool|awesome|"
    r"\w+ (?:at|morning|afternoon)?\s*(?:works|is good|is fine|is perfect|'s perfect|'s fine))"
)
_BACK_REFERENCE = re.compile(r"\b(?:it|that|them|those|one|this|both)\b")
_ASKS_WHEN = re.compile(r"\b(?:when (?:could|can|will|would|might|do|should)|by when|how soon|"
                        r"what(?:'s| is) (?:the|your) timeline)\b")


@dataclass(frozen=True, slots=True)
class NextStep:
    type: NextStepType
    owner: Side | None
    due: datetime | None
    due_has_time: bool
    due_phrase: str | None
    quote: str
    start_s: float
    speaker: str
    kind: str = COMMIT  # the commitment's kind: commit, request, offer, proposal
    unit: int = 0  # index of the sentence among the call's sentences


# A sentence is looked at several times (as a step, as an answer, as the
# sentence after a step): find its date words once.
find_due_phrase = lru_cache(maxsize=4096)(_find_due_phrase)

# Contact details to pass on ("I'll send you his email") are an email step,
# whatever documents the sentence also mentions.
_CONTACT = re.compile(r"\b(?:his|her|their|my) (?:e-?mail|address|details|contact\w*|number)\b")
# A purpose or reason after the action names no further action: "book a call
# for Friday to help you load your staff list" is a meeting, not a list.
_PURPOSE = re.compile(r"\b(?:so (?:that|you|we|he|she|they|nobody|everyone|it)|because|since|in case|once|"
                      r"which|to (?:help|make|see|check|go|talk|close|answer|get|review|load|find|"
                      r"give|compare|poke|share|understand|start))\b")
# When something happens is not what it is: "I'll send one over after the call"
# is no meeting.
_WHEN_SAID = re.compile(r"\b(?:after|before|on|during|from) (?:the|this|our|today's) call\b|"
                        r"\bwhen we hang up\b")
_SEND = re.compile(r"\b(?:send|share|forward|resend|get (?:[\w-]+ ){1,4}(?:over|across)|"
                   r"get (?:it|that|them|those|this) to|have (?:it|that|them) (?:to|over|with|in))\b")


@lru_cache(maxsize=4096)
def classify_type(text: str) -> NextStepType:
    """The step's type from the action and its object (the words before any
    purpose clause), else from the whole text; something sent is a document."""
    lowered = _WHEN_SAID.sub("", text.lower().replace("’", "'"))
    if _CONTACT.search(lowered):
        return NextStepType.EMAIL
    for kind, pattern in _TYPES[:2]:  # who is brought in, who decides: anywhere in it
        if pattern.search(lowered):
            return kind
    cut = _PURPOSE.search(lowered)
    head = lowered[: cut.start()] if cut and cut.start() > 0 else lowered
    for kind, pattern in _TYPES[2:]:
        if pattern.search(head):
            return kind
    if _SEND.search(head):
        return NextStepType.DOCUMENTS
    for kind, pattern in _TYPES[2:]:
        if pattern.search(lowered):
            return kind
    return NextStepType.OTHER


def _clauses(text: str) -> list[str]:
    """The sentence cut before each further undertaking ("..., and I'll ...")."""
    lowered = text.lower().replace("’", "'")
    cuts = [m.end() for m in _CLAUSE.finditer(lowered)]
    bounds = [0, *cuts, len(text)]
    return [text[a:b].strip(" ,;") for a, b in pairwise(bounds) if text[a:b].strip(" ,;")]


def _other(side: Side | None) -> Side | None:
    if side is None:
        return None
    return Side.PROSPECT if side is Side.REP else Side.REP


def _owner(kind: str, step_type: NextStepType, clause: str, side: Side | None) -> Side | None:
    lowered = clause.lower()
    own_person = re.search(r"\b(?:our|my)\s+(?:[\w-]+\s+){0,2}" + _PEOPLE + r"\b", lowered)
    if kind == REQUEST:
        return _other(side)
    if kind == PROPOSAL:
        if step_type is NextStepType.INTRODUCTION and own_person:
            return side
        return Side.REP if side is not None else None
    if re.search(r"\byour (?:team|legal|it|security|office|people|engineers?)\b \w*(?:'ll| will)",
                 lowered):
        return _other(side)
    return side


def _step_type(units: Sequence[Utterance], index: int, clause: str) -> NextStepType:
    """The clause's type; else the sentence's; else, for "could you send those
    by Friday", the type of the sentence before, which names what "those" is."""
    found = NextStepType.OTHER
    for text in (clause, units[index].text):
        found = classify_type(text)
        if found is not NextStepType.OTHER:
            break
    # "I'll email that over": what "that" is, the sentence before says.
    if found in (NextStepType.OTHER, NextStepType.EMAIL) and index and _BACK_REFERENCE.search(
            clause.lower()):
        before = classify_type(units[index - 1].text)
        if before not in (NextStepType.OTHER, NextStepType.EMAIL):
            return before
    return found


def _date_after(units: Sequence[Utterance], index: int) -> str | None:
    """A date the speaker adds in a short sentence of its own right after the
    step ("Could you introduce me to your CFO? Ideally in the next two weeks.")."""
    if index + 1 >= len(units) or units[index + 1].speaker != units[index].speaker:
        return None
    text = units[index + 1].text
    if len(text.split()) > 12 or rule_kind(text) is not None:
        return None
    return find_due_phrase(text)


# A clause cut off after "and" with no subject of its own ("I'll have legal
# update the form and send you a fresh copy by Monday") goes on with the
# clause before it: the same person undertakes it, it asks nothing.
_NO_SUBJECT = re.compile(r"^send\b", re.IGNORECASE)


def _draft(units: Sequence[Utterance], commitment: Commitment, clause: str,
           call_date: datetime, whole: bool, before: str | None = None) -> NextStep | None:
    unit = units[commitment.unit]
    kind = rule_kind(clause)
    if before is not None and _NO_SUBJECT.match(clause):
        kind = rule_kind(before) or commitment.kind
    if kind is None and whole and names_action(clause):
        kind = commitment.kind  # the model's find: only with a deal action named
    if kind is None:
        return None
    phrase = find_due_phrase(clause) or _date_after(units, commitment.unit)
    lowered = clause.lower()
    # What the speaker undertakes may name only its object ("a revised quote");
    # what they ask or propose must name an action or a date.
    named = names_action(clause) or (
        kind in (COMMIT, OFFER) and classify_type(clause) is not NextStepType.OTHER)
    if phrase is None and not named:
        return None
    if _IN_CALL.search(lowered) and phrase is None and not _LATER.search(lowered):
        return None
    if _AGENDA.search(lowered) and not _AFTER_CALL.search(lowered):
        return None
    if phrase is None and commitment.score < UNDATED_FLOOR:
        return None
    step_type = _step_type(units, commitment.unit, clause)
    if step_type is NextStepType.OTHER and kind == PROPOSAL and phrase is not None:
        step_type = NextStepType.MEETING  # "how about Tuesday at ten?"
    due, has_time = resolve(phrase, call_date) if phrase else (None, False)
    return NextStep(step_type, _owner(kind, step_type, clause, commitment.side), due, has_time,
                    phrase, unit.text, round(unit.start, 2), unit.speaker, kind, commitment.unit)


def _response(units: Sequence[Utterance], index: int, sides: dict[str, Side]) -> range:
    """The sentences of the other side's next turn after sentence `index`."""
    speaker = units[index].speaker
    side = sides.get(speaker)
    start = index + 1
    while start < len(units) and (units[start].speaker == speaker or (
            side is not None and sides.get(units[start].speaker) is side)):
        start += 1
        if start - index > 4:
            return range(0)
    end = start
    while end < len(units) and units[end].speaker == units[start].speaker:
        end += 1
    return range(start, end)


def _merge(first: NextStep, later: NextStep, owner: Side | None) -> NextStep:
    """One step from two mentions: the first's quote and time (the answer's
    when it undertakes what was asked: "I'll send the pricing sheet and a
    case study by Friday" says the promise best), the concrete type of
    either, the later date when it gives one."""
    vague = (NextStepType.OTHER, NextStepType.EMAIL)
    step_type = later.type if first.type in vague and later.type not in vague else first.type
    if first.kind == REQUEST and later.kind == COMMIT and later.speaker != first.speaker:
        first = replace(first, quote=later.quote, start_s=later.start_s, speaker=later.speaker,
                        kind=later.kind, unit=later.unit)
    if later.due is None:
        return replace(first, type=step_type, owner=owner)
    return replace(first, type=step_type, owner=owner, due=later.due,
                   due_has_time=later.due_has_time, due_phrase=later.due_phrase)


# What an answer says of the thing asked for: "I'll send it", "I'll do that".
_OBJECT_REFERENCE = re.compile(r"\b(?:it|them|those|one)\b|\b\w+ that\b(?! \w+ (?:is|was|we|you))")


# Steps of these types are arranged as a call: "introduce us" / "I'll set up a call".
_CALLS = frozenset({NextStepType.MEETING, NextStepType.DEMO, NextStepType.INTRODUCTION})


def _related(first: NextStep, later: NextStep) -> bool:
    return (first.type == later.type or NextStepType.OTHER in (first.type, later.type)
            or {first.type, later.type} <= _CALLS
            or bool(_OBJECT_REFERENCE.search(later.quote.lower())))


def _answers(first: NextStep, later: NextStep, answer_side: Side | None,
             opening: bool) -> Side | bool | None:
    """When `later` (said in the other side's next turn) takes `first` up:
    the owner of the joined step; False when they are different steps.
    A request is done by whoever accepts it; an offer or a commitment stays
    with its speaker, the answer only adds a date or a wish ("send it by
    Friday"); two undertakings are two steps. `opening`: the answer starts
    with `later` (no "sounds good." before it, after which a new undertaking
    is a new step)."""
    if first.kind == REQUEST and later.kind in (COMMIT, OFFER) and (
            _related(first, later) or opening):
        return answer_side
    if first.kind == PROPOSAL and later.kind in (COMMIT, OFFER) and _related(first, later):
        return first.owner
    if first.kind in (OFFER, PROPOSAL, COMMIT) and later.kind == REQUEST and _related(first, later):
        return first.owner
    if first.kind == REQUEST and later.kind == PROPOSAL and _related(first, later):
        return first.owner
    return False


# The answer names another day ("Make it the third", "How about Monday?")...
_COUNTER = re.compile(r"^(?:(?:oh|well|um|uh|hmm|no|actually),?\s+)*(?:make it|let's make it|how about|"
                      r"what about|can we do|could we do|can we make it|could we make it|"
                      r"(?:i'd|we'd) rather|better)\b")
# ...or says when it cannot be ("He's traveling Thursday", "the second is packed").
_UNAVAILABLE = re.compile(r"\b(?:travel\w*|busy|packed|booked|away|out of (?:the )?office|on leave|"
                          r"off|out|can't|cannot|won't work|doesn't work|does not work|not (?:good|great|"
                          r"possible|available|free|ideal)|bad for)\b")


def _agreed_date(units: Sequence[Utterance], answer: range) -> str | None:
    """The sentence of an answer that gives the day agreed on: a counter
    proposal, or the first short or agreeing sentence with a date that is
    not a day someone cannot make."""
    for index in answer[:3]:
        text = units[index].text
        lowered = text.lower().replace("’", "'")
        if _COUNTER.search(lowered):
            return text
        if _UNAVAILABLE.search(lowered):
            continue
        if (_ACCEPT.search(lowered) or len(text.split()) <= 6) and find_due_phrase(text):
            return text
        if index == answer.start and not _ACCEPT.search(lowered):
            return None  # a long answer about something else
    return None


def _answer_date(units: Sequence[Utterance], answer: range, call_date: datetime,
                 sides: dict[str, Side]) -> tuple[str, datetime, bool] | None:
    """The date an agreeing answer gives ("Tuesday at ten works"), or the date
    given when the answer asks for one ("when could you have it?" /
    "Thursday.")."""
    text = units[answer.start].text
    lowered = text.lower().replace("’", "'")
    if _ASKS_WHEN.search(lowered) and answer.stop < len(units):
        reply = _response(units, answer.stop - 1, sides)
        if reply and len(units[reply.start].text.split()) <= 8:
            text = units[reply.start].text
        else:
            return None
    else:
        found = _agreed_date(units, answer)
        if found is None:
            return None
        text = found
    phrase = find_due_phrase(text)
    if phrase is None or re.search(r"\b(?:not|after)\s+(?:\w+\s+)?$", text[: text.find(phrase)]):
        return None  # "not before the end of the quarter" sets no date
    due, has_time = resolve(phrase, call_date)
    return (phrase, due, has_time) if due is not None else None


def _answered(steps: list[NextStep], units: Sequence[Utterance], sides: dict[str, Side],
              call_date: datetime) -> list[NextStep]:
    """Declines drop a step; an answer that takes a step up joins it."""
    kept: list[NextStep] = []
    absorbed: set[int] = set()
    for position, step in enumerate(steps):
        if position in absorbed:
            continue
        answer = _response(units, step.unit, sides)
        if answer and step.kind in (REQUEST, OFFER, PROPOSAL) and _DECLINE.search(
                units[answer.start].text.lower().replace("’", "'")):
            continue
        joined = False
        for later_position in range(position + 1, len(steps)):
            later = steps[later_position]
            if later.unit not in answer or later_position in absorbed:
                continue
            opening = not any(_ACCEPT.search(units[i].text.lower()) and len(units[i].text.split()) <= 4
                              for i in range(answer.start, later.unit))
            owner = _answers(step, later, sides.get(later.speaker), opening)
            if owner is not False:
                step = _merge(step, later, owner)  # type: ignore[arg-type]
                absorbed.add(later_position)
                joined = True
                break
        if not joined and answer and step.kind != COMMIT:
            dated = _answer_date(units, answer, call_date, sides)
            if dated is not None:
                step = replace(step, due_phrase=dated[0], due=dated[1], due_has_time=dated[2])
        kept.append(step)
    return kept


def _next_sentence(units: Sequence[Utterance], first: NextStep, later: NextStep) -> bool:
    """`later` is said in the sentence after `first`'s, or after one more
    sentence of the same speaker ("I need to run it by our counsel" / "but I
    don't expect a problem" / "I'll come back to you by Thursday")."""
    gap = later.unit - first.unit
    return gap <= 1 or (gap == 2 and units[first.unit + 1].speaker == first.speaker)


def _continues(first: NextStep, later: NextStep, units: Sequence[Utterance]) -> bool:
    """`later` says more about `first` than a new step: the same speaker
    reports back on it ("let me check with my manager" / "I'll get back to
    you by Monday"), dates it ("I can get that to you by Friday"), or
    confirms an offer or a meeting being arranged a few sentences on."""
    if later.owner != first.owner or later.unit - first.unit > 8:
        return False
    if later.unit == first.unit and later.type == first.type:
        return True  # "I'll draft it and send you a copy by Monday": one step
    if (later.speaker == first.speaker and later.type == first.type and later.type in _SINGULAR
            and later.unit - first.unit <= 6 and (first.due is None or later.due is None
                                                  or first.due.date() == later.due.date())):
        return True  # "Device cost I will revert" ... "I will send the quotation tomorrow"
    vague = (NextStepType.OTHER, NextStepType.EMAIL)
    referring = _BACK_REFERENCE.search(later.quote.lower()) is not None
    if later.speaker == first.speaker and _next_sentence(units, first, later) and (
            first.type in vague or later.type in vague
            or (referring and (first.type == later.type or (
                first.due is None and later.due is not None)))):
        return first.unit != later.unit or first.type in vague or later.type in vague
    if first.due is not None and later.due is not None and first.due.date() != later.due.date():
        return False
    if first.kind in (OFFER, PROPOSAL) and first.due is None and (
            first.type == later.type or first.type is NextStepType.OTHER
            or (later.due is not None and later.type is NextStepType.MEETING and later.kind in (
                OFFER, PROPOSAL))
            or (first.quote.rstrip().endswith("?") and later.unit - first.unit <= 3)):
        return True
    if later.type in vague and later.unit - first.unit <= 3 and later.due is None:
        return True  # "I'll ask him today" after the step it serves
    arranged = {NextStepType.MEETING, NextStepType.DEMO}
    return later.type in arranged and first.type in (*arranged, NextStepType.OTHER)


# Step types a call rarely holds two of from one speaker a few sentences
# apart: a second mention dates or restates the first.
_SINGULAR = frozenset({NextStepType.PRICING, NextStepType.AUTHORITY, NextStepType.TRIAL,
                       NextStepType.DEMO, NextStepType.INTRODUCTION})


def _said_before(step: NextStep, earlier: list[NextStep]) -> bool:
    recap: bool | None = None
    for other in earlier:
        if other.owner != step.owner:
            continue
        if other.type != step.type:
            # A recap names several steps in one sentence, so its type may be
            # another step's ("I send the contract tomorrow and you get the
            # signature Friday"); the same day from the same person is the same step.
            if (step.due is not None and other.due is not None
                    and step.due.date() == other.due.date()
                    and _RECAP.search(step.quote.lower())):
                return True
            continue
        if step.due is not None and other.due is not None and step.due.date() == other.due.date():
            return True
        if step.quote == other.quote:
            return True
        if recap is None:
            recap = _RECAP.search(step.quote.lower()) is not None
        if recap:
            return True
    return False


def _joined(steps: list[NextStep], units: Sequence[Utterance]) -> list[NextStep]:
    """Mentions of one step, and steps said again, reported once."""
    kept: list[NextStep] = []
    for step in steps:
        if kept and _continues(kept[-1], step, units):
            kept[-1] = _merge(kept[-1], step, kept[-1].owner)
        elif not _said_before(step, kept):
            kept.append(step)
    return kept


def extract_next_steps(
    units: Sequence[Utterance], sides: dict[str, Side], call_date: datetime,
    commitments: Sequence[Commitment] | None = None,
) -> list[NextStep]:
    """The call's next steps, in the order they were said."""
    if commitments is None:
        commitments = find_commitments(units, sides)
    drafts: list[NextStep] = []
    for commitment in commitments:
        unit = units[commitment.unit]
        parts = _clauses(unit.text)
        for position, clause in enumerate(parts):
            step = _draft(units, commitment, clause, call_date, whole=len(parts) == 1,
                          before=parts[position - 1] if position else None)
            if step is not None:
                drafts.append(step)
    return _joined(_answered(drafts, units, sides, call_date), units)
