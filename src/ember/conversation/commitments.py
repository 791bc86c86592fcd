"""Commitments: sentences that bind someone to act.

Four kinds, from the words (lower-cased, with the curly apostrophe made
straight):

- `commit`: the speaker (or someone on their side) undertakes an action:
  "I'll send", "we're going to", "let me check with legal", "Aisha will set
  up the tenant", "you'll have it before lunch", "consider it done";
- `request`: the speaker asks the other side to act: "can you send me",
  "could you introduce me to your CFO", "please add Jordan", "send me an
  invite", "I need the contract by the twentieth";
- `offer`: the speaker offers to act: "I can send", "would you like me to",
  "shall I", "happy to", "would it help if I";
- `proposal`: a joint action: "let's meet", "shall we", "why don't we",
  "how about Tuesday at ten?", "does Thursday work?".

Rules find the kind; a logistic-regression model over the rule verdicts and
the sentence's words (`commitment_model.json`, trained by
scripts/train_commitment_model.py on the MRDA commit and directive acts) gives
every sentence with a cue word a score, and finds commitments the rules miss.
Not commitments: reports of the past, hypotheticals ("if we did"), polite
formulas ("I'll be honest", "let me ask you") and actions done on the call
itself ("let me share my screen").
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ember.conversation.questions import BUCKETS, FeatureWeights, core_tokens_of, sentence_shape
from ember.conversation.text import WORD, edge_features
from ember.conversation.utterances import Utterance
from ember.vocabulary import Side

COMMIT, REQUEST, OFFER, PROPOSAL = "commit", "request", "offer", "proposal"
KINDS = (COMMIT, REQUEST, OFFER, PROPOSAL)

_ACT = (r"(?:send|get|set|share|put|give|open|do|have|forward|introduce|come|book|arrange|write|"
        r"draft|prepare|include|extend|offer|hold|provide|run|show|walk|email|call|schedule|"
        r"connect|record|add|invite|bring|loop|follow|check|confirm|find|pull|make|organi[sz]e|"
        r"ask|resend|update|build|review|host|cover|lower|move|credit|talk|sign|propose|redraft|ping|"
        r"text|ring|revert|discuss|present|brief|circulate|double-check|intro|coordinate|reach)")
# "I'll" and friends commit unless a stative or saying verb follows
# ("we'll see", "I'll be honest"); measured on MRDA, "we can", "you could"
# and a bare "I can" are mostly descriptions, so they count only as offers
# of a deal action.
_STATIVE = (r"(?!\s+(?:probably\s+|just\s+|still\s+|also\s+)?(?:be(?!\s+(?:sending|in touch|there|"
            r"able|happy|ready|reaching|calling|following))|have to|see|say|know|need|find that|"
            r"never|not|guess|bet|admit|tell you|take that|cover|start|keep it|try to explain|"
            r"pass|leave it|lose|miss|fail|run out|end up|regret|grow|get there|plan around|"
            r"put it in (?:the|my) (?:calendar|diary)|make a note of)\b)")
_COMMIT = re.compile(
    r"\b(?:i'll|i will|i shall|i'm going to|i'm gonna|i am going to|we'll|we will|we shall|"
    r"we're going to|we're gonna|we are going to|i'd be happy to|i promise to|i plan to|"
    r"we plan to|i intend to)\b" + _STATIVE
    + r"|\b(?:let me|i need to|i have to|i'd have to|i'd need to|we need to|we'd need to|"
    r"i'll need to|i'll also need to|we'll need to|we'll also need to|i must)\s+"
    r"(?:just\s+|first\s+|quickly\s+)?" + _ACT + r"\b"
    # Short replies only: "will do", "on it"; inside a sentence they are
    # something else ("what it will do", "working on it").
    r"|\bconsider it done\b|^(?:(?:ok|okay|sure|yes|yeah|great|right|fine)[,.!]?\s+)*(?:i'm |we're )?"
    r"(?:will do|on it)\b[.!]?$"
    r"|\byou'll (?:have|get|receive|see it|see the invite|get the invite)\b(?!\s+(?:to|a chance))"
    r"|\b(?:it|that|they|the \w+|your \w+|it all)(?:'ll| will) be (?:with you|there|in your inbox|"
    r"ready|over|on its way)"
    r"|\b(?!(?:it|this|that|there|which|what|who|you|they|he|she|i|we)\b)[a-z]+(?:'ll| will) "
    r"(?:send|set up|reach out|email|call|schedule|book|write|share|follow up|get back|be in touch|"
    r"come|join|prepare|draft|pull|confirm|put together|walk|run)\b"
    r"|\b(?:he'll|she'll|they'll|he will|she will|they will) (?:send|set up|reach out|email|call|"
    r"schedule|book|write|share|follow up|get back|be in touch|prepare|draft|put together)\b"
    # Said without a subject: "Sending you a video tonight", "gonna ping you in July".
    r"|^(?:(?:ok|okay|so|and|right|cool|great|got it|perfect|fine|sure)[,.]?\s+)*(?:sending|sharing|"
    r"forwarding|emailing|booking|texting)\s+(?:you|it|them|that|this|over|the|a|an)\b"
    r"|^(?:(?:ok|okay|so|and|right|cool|great|perfect|fine|sure)[,.]?\s+)*(?:gonna|going to) " + _ACT
    + r"\b"
    r"|\bthere(?:'ll| will) be [\w' -]{1,40} (?:in your inbox|with you|on your desk)"
    r"|^(?:\w+[,.]?\s+)?expect (?:a|an|the|my|our|it|them)\b[^.?!]*\bfrom (?:me|us)\b"
    # Present tense for the future, common in non-native English: "I send you
    # the offer tomorrow", "after I show him, I call you", "you receive it next week".
    r"|(?<!may )(?<!can )(?<!could )(?<!should )(?<!let me )\b(?:i|we) (?:send|prepare|call|write|"
    r"share|email|forward|come back|mail|ring|revert)\b(?=[^.?!]*\b(?:tomorrow|today|tonight|monday|"
    r"tuesday|wednesday|thursday|friday|next week|this week|end of|until|beginning of)\b)"
    r"|\bi (?:call|ring|email|write|come back to) you\b"
    r"|\byou (?:receive|get) (?:it|them|the \w+|this|that)\b(?=[^.?!]*\b(?:tomorrow|today|monday|"
    r"tuesday|wednesday|thursday|friday|next week|this week|beginning of|end of|by)\b)"
    # An approval someone on the speaker's side must give: "our CFO would
    # have to sign off first", "once legal is settled I can sign".
    r"|\b(?:would|will|'d|'ll)?\s*(?:have to|has to|need to|needs to|must) (?:sign(?: it)?(?: off)?|"
    r"approve|give (?:the|it the|us the) (?:go-ahead|green light)|okay it|bless it)\b"
    r"|(?<!what )\b(?:i|we) can (?:sign|approve|decide|raise (?:the|a|our) (?:po|purchase order))\b"
)
_OFFER = re.compile(
    r"\b(?:would you like me to|do you want me to|want me to|shall i|should i|how about i|"
    r"what if i|would it help if i|would it help to|would it (?:be )?(?:useful|helpful|worth)|"
    r"would you like (?:me|us) to|"
    r"would a [\w' -]{1,40} help|i'm happy to|happy to|i'd love to|i'd like to|"
    r"let me know if you'd like me to|can i (?:send|share|get you|introduce|set|book|put)|"
    r"could i (?:send|share|get you|introduce|set|book|put))\b"
    # "I can send you", "we can open a sandbox on Monday": an offer to the other side.
    r"|\b(?:i|we) (?:can|could)(?: also| easily| certainly| definitely)? " + _ACT
    + r"\b(?=.*\b(?:you|your|today|tomorrow|monday|tuesday|wednesday|thursday|friday|week|"
    r"the (?:[a-z]+-)?(?:first|second|third|[a-z]+th)|the \d+(?:st|nd|rd|th))\b)"
)
_PROPOSAL = re.compile(
    r"\b(?:let's|let us|shall we|should we|why don't we|how about we|what if we|"
    r"maybe we (?:could|should|can)|could we|can we|we should|would it make sense to|"
    r"does it make sense to|it might make sense|i'd suggest|i suggest|i'd propose|i propose|"
    r"my suggestion|(?:the )?(?:best )?next step (?:is|would be)|would you be open to)\b"
    r"|^(?:\w+,? )?how about (?:i|we|next|this|early|monday|tuesday|wednesday|thursday|friday|"
    r"tomorrow|the (?:first|second|end|week|\d)|\d)"
    r"|\b(?:does|would|will|do) (?:next |this )?(?:monday|tuesday|wednesday|thursday|friday|"
    r"tomorrow|the \w+|that|either|one of those)[\w ]{0,30} (?:work|suit|be (?:ok|okay|good|better))"
    r"|^(?!(?:every|each|last|since|past|on|most)\b)(?:\w+,? )?(?:monday|tuesday|wednesday|"
    r"thursday|friday|tomorrow)(?: \w+){0,4}\?"
)
_REQUEST = re.compile(
    r"\b(?:can you|could you|would you|will you|can i ask you to|would you mind|"
    r"would you be (?:able|willing) to|please|i need you to|i'd like you to|i want you to|"
    r"make sure you|if you (?:can|could) (?:send|get|share|forward|introduce|ask|check|confirm|"
    r"let)|could i (?:get|have|ask)|can i (?:get|have|ask)|(?:can|could) we get|"
    r"(?:i'd|i) need (?:a|an|the|your|you to|some)(?! (?:few|couple|little|bit|more|week|day))|"
    r"we need (?:a|an|the|your|some)|we'll need (?:your|you to|a|an|the)|"
    r"(?:i'd|we'd) like (?:a|an|the|some|to see|you to)|send me|get me|i'll need (?:a|an|the|your|you to)|"
    r"i'd be grateful (?:for|if you)|i would be grateful (?:for|if you)|i'd appreciate|"
    r"i would appreciate)\b"
    r"(?!\s+(?:see|hear|imagine|believe|tell me (?:about|how|what|why|a bit|more)|tell me|explain|"
    r"describe|say|walk me through (?:your|how|what)|share more|elaborate|remind me))"
)
_IMPERATIVE = re.compile(
    r"^(?:(?:so|and|ok|okay|well|yeah|yes|uh|um|then|now|just|great|perfect|sure|oh)[,.]?\s+)*"
    r"(?:send|take|look|go|put|ask|check|try|give|tell|call|email|schedule|set up|forward|share|"
    r"read|make sure|loop|bring|grab|write|fill|sign|book|add|remember|think about|plan|prepare|"
    r"copy|include|invite|cc|let me know|keep me posted|shoot me|drop me)\b(?!\s+(?:a look at this|"
    r"for it|ahead and|on))"
)
# Not commitments: hypotheticals, reports, polite formulas, in-call actions.
_NOT = re.compile(
    r"\b(?:if (?:i|we|you(?! can| could)|things|anything|not|so|necessary|needed|ever)|"
    r"i'll tell you|i'll be honest|i'll say|i'll admit|"
    r"let me (?:just )?ask (?:you|a|one|the)|let me (?:just )?give you (?:an|the|a) (?:example|other)|"
    r"let me see|let me think|let me understand|let me be|let me tell you|let me start|"
    r"let me begin|let me just say|let me share my screen|let me share my|let me pull (?:that|it|"
    r"this) up|let me look (?:that|it) up|let me go back|let me jump|let me repeat|let me rephrase|"
    r"let me explain|let me stop|i'll start there|i'll keep it|i'll be brief|i'll cover|i can see|"
    r"i can tell|i can imagine|i will say|(?:i'd love|i'd like|i want|i wanted) to (?:hear|"
    r"understand|learn|know|get a sense|see how|dig|ask|start|talk about|cover|focus)|you'll notice|you'll see that|"
    r"we'll see|let's (?:get started|dive in|jump in|begin|start|see|take them|not|wait|just say|"
    r"say|face it|be honest|go back|keep going|move on|look at|talk about (?:what|how|the)|"
    r"call it|hope)|i'll take that|i'll let you go|i'll leave it|i'll pass|i'll hand over|"
    r"i'll stay on|i'll try to explain|we'll get there|i'll do my best|i'll grant you|i'll wait|"
    r"i'll hold (?:the|off|on|it)|i'll keep (?:that|it|this) in mind)\b"
    # Questions about the other side ("what would you want to see?"), not asks to act.
    r"|^(?:\w+,? )?(?:what|how|who|where|which)\b(?! about| if)"
)
_TRIGGER = re.compile(
    r"\b(?:sending|sharing|forwarding|emailing|booking|texting|gonna|going|expect|there'll|"
    r"have to|has to|needs? to|grateful|appreciate|(?:i|we) (?:send|prepare|call|write|share|email|"
    r"forward|come back|mail|ring|revert)|i'll|i will|i'm|i am|we'll|we will|we're|we are|let|"
    r"let's|happy|i'd|i can|we can|i could|"
    r"we could|you|please|shall|should|how|what|why|does|would|will|do|consider|on it|can we|"
    r"could we|need|must|plan|intend|promise|it'll|that'll|they'll|he'll|she'll|\w+'ll|"
    r"monday|tuesday|wednesday|thursday|friday|tomorrow|be)\b"
)


_BY_KIND = ((OFFER, _OFFER), (PROPOSAL, _PROPOSAL), (COMMIT, _COMMIT), (REQUEST, _REQUEST))


def _kind_by_rules(lowered: str, imperative: re.Match[str] | None) -> str | None:
    """The kind whose words come first ("could you send me a sample so we can
    check it" asks; "would you like me to" offers before "would you" asks).
    An imperative opens the sentence, so nothing comes before it but an
    offer, proposal or undertaking found at the same place."""
    best: tuple[int, int, str] | None = (0, 3, REQUEST) if imperative else None
    for rank, (kind, pattern) in enumerate(_BY_KIND):
        found = pattern.search(lowered)
        if found and (best is None or (found.start(), rank) < best[:2]):
            best = (found.start(), rank, kind)
    return best[2] if best else None


@lru_cache(maxsize=8192)
def _rules(lowered: str) -> tuple[str | None, bool, bool | None]:
    """(rule kind, imperative found, "not" pattern found or None when not looked for)."""
    imperative = _IMPERATIVE.search(lowered)
    if not imperative and not _TRIGGER.search(lowered):
        return None, False, None
    if _NOT.search(lowered):
        return None, imperative is not None, True
    return _kind_by_rules(lowered, imperative), imperative is not None, False


# Fillers and false starts hide the words the rules read: "let me, um, let
# me double-check", "would it, would it make sense", "I'll, uh, I'll send".
_FILLER = re.compile(r"(?:,\s*)?\b(?:um+|uh+|erm|uhm|hmm)\b,?|,\s*(?:like|you know|i mean|basically),")
_REPEAT = re.compile(r"\b([\w']+(?: [\w']+)?),? \1\b")


def _lower(text: str) -> str:
    lowered = text.lower().replace("’", "'")
    if "," not in lowered and " um" not in lowered and " uh" not in lowered:
        return lowered
    lowered = " ".join(_FILLER.sub(" ", lowered).split())
    return _REPEAT.sub(r"\1", lowered)


def rule_kind(text: str) -> str | None:
    """The rules alone: the kind of commitment the sentence states, if any."""
    return _rules(_lower(text))[0]


def commitment_features(text: str) -> list[str]:
    """Feature names for the commitment model: rule verdicts, edge words, n-grams."""
    lowered = _lower(text)
    raw = WORD.findall(lowered)
    return _features(lowered, core_tokens_of(raw) or raw, _rules(lowered))


def _features(
    lowered: str, tokens: Sequence[str], rules: tuple[str | None, bool, bool | None]
) -> list[str]:
    """`tokens`: the words after leading markers and fillers (all the words
    when nothing else is left; none when there are no words)."""
    kind, imperative, negated = rules
    feats = ["bias", f"kind:{kind}"]
    if not tokens:
        return [*feats, "empty"]
    if negated or (negated is None and _NOT.search(lowered)):
        feats.append("not")
    if imperative:
        feats.append("imperative")
    if "?" in lowered:
        feats.append(f"asked:{kind}")
    feats.append(f"len:{min(len(tokens), 12)}")
    return feats + edge_features(tokens)


# Words at least one of which is in every sentence the model can accept: a
# future or undertaking ("I'll", "going", "let's"), a request ("you",
# "please", "could", "why don't") or an action verb ("send", "talk", "look",
# "go ahead"). A sentence without any of them is not scored: two sentences
# in three of a meeting or phone call skip the model.
MODEL_CUES = frozenset(
    [
        "i'll", "we'll", "you'll", "he'll", "she'll", "they'll", "it'll", "will", "won't",
        "going", "gonna", "let", "let's", "shall", "i'd", "we'd", "happy", "promise", "plan",
        "planning", "please", "you", "your", "you're", "can", "could", "would", "why", "should",
        "shouldn't", "need", "needs", "must", "want", "wanna", "go", "ahead", "wait", "hang",
        "try", "send", "tell", "talk", "look", "put", "take", "fill", "read", "check", "call",
        "email", "mail", "schedule", "set", "forward", "share", "give", "bring", "ask", "keep",
        "remember", "start", "stop", "continue", "move", "write", "sign", "book", "add", "do",
        "don't", "get", "come", "turn", "leave", "switch", "make", "show", "run", "meet",
        "discuss", "think", "loop", "grab", "prepare", "cc",
    ]
)
MODEL_FILE = "commitment_model.json"


@lru_cache(maxsize=1)
def _model() -> tuple[FeatureWeights, float] | None:
    try:
        raw = resources.files("ember.conversation").joinpath(MODEL_FILE).read_text()
    except (FileNotFoundError, OSError):
        return None
    data = json.loads(raw)
    if data.get("buckets") != BUCKETS or len(data["weights"]) != BUCKETS:
        return None
    threshold = float(data["threshold"])
    return FeatureWeights(data["weights"]), math.log(threshold / (1.0 - threshold))


def commitment_score(text: str) -> float | None:
    """The model's log-odds that the sentence is a commitment or directive
    (None without the packaged model)."""
    model = _model()
    if model is None:
        return None
    return sum(map(model[0].__getitem__, commitment_features(text)))


@lru_cache(maxsize=8192)
def judge(text: str) -> tuple[str | None, float]:
    """(kind, probability): the kind when the sentence commits someone, by
    the rules or, when they find none, by the model (which then names it:
    a commit when it starts with "I"/"we", else a request); the probability
    is the model's (1.0 or 0.0 by the rules alone without the weights)."""
    lowered = _lower(text)
    rules = _rules(lowered)
    kind = rules[0]
    model = _model()
    # The question detector has already split this sentence into words.
    core, _, first_two, _ = sentence_shape(text)
    # No cue word is a filler or a leading marker, so the core words hold
    # the same cue words as all the words (and are not empty when they do).
    if model is None or MODEL_CUES.isdisjoint(core):
        return kind, 1.0 if kind else 0.0
    score = sum(map(model[0].__getitem__, _features(lowered, core, rules)))
    probability = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))
    if kind is not None or score < model[1] or rules[2]:
        return kind, probability
    firsts = ("i", "we", "i'll", "we'll", "i'm", "we're")
    return (COMMIT if first_two[:1] and first_two[0] in firsts else REQUEST), probability


def accepted(probability: float) -> bool:
    """The model's verdict at its chosen threshold (every rule hit without
    the weights)."""
    model = _model()
    return model is None or probability >= 1.0 / (1.0 + math.exp(-model[1]))


def is_commitment(text: str) -> bool:
    """A commitment or directive by the model's verdict, the sentence judged
    alone (a call's report adds the rule hits that are next steps)."""
    kind, probability = judge(text)
    return kind is not None and accepted(probability)


_DEAL_ACTION = re.compile(
    r"\b(?:send|share|forward|email|schedule|set up|book|meet|call|demo|show|introduc\w*|loop|"
    r"invite|follow up|get back|come back|check with|confirm|review|sign|draft|prepare|"
    r"put together|talk to|run it by|circle back with|reach out|walk|connect|extend|resend|"
    r"let you know|get (?:it|that|them|those|this) (?:to|over)|have (?:it|that|them) (?:to|over|"
    r"with)|write (?:it|one|that|them|something) up|pull|dig up|record|ask (?:him|her|them|my|our)|"
    r"add|include|bring|quote|pricing|proposal|contract|trial|pilot|sandbox|invite|"
    r"touch base|check in|regroup|catch up|set aside|take it to|bring it up|speak to|"
    r"get (?:you|him|her|them) (?:the|a|an|that|those|some)|update|redraft|submit|notify|"
    r"contact|move the|sort out|arrange|organi[sz]e|hold|grant|open|give you|lock in|run-through|"
    r"proof of concept|run (?:\w+ ){0,4}(?:by|past))\b|\bask\W*$"
)


@lru_cache(maxsize=8192)
def names_action(text: str) -> bool:
    """The sentence names a deal action (send, schedule, demo, introduce...)."""
    return _DEAL_ACTION.search(_lower(text)) is not None


@dataclass(frozen=True, slots=True)
class Commitment:
    speaker: str
    side: Side | None
    start_s: float
    text: str
    kind: str
    score: float
    unit: int  # index of the sentence among the call's sentences
    # The model accepts it; the rules' other hits count only when they make
    # a next step (ember.conversation.next_steps).
    accepted: bool = True


def find_commitments(units: Sequence[Utterance], sides: dict[str, Side]) -> list[Commitment]:
    """Every sentence of the call the rules or the model find committing
    someone, in order (`accepted`: the model's verdict)."""
    found = []
    for index, unit in enumerate(units):
        kind, probability = judge(unit.text)
        if kind is None:
            continue
        found.append(Commitment(unit.speaker, sides.get(unit.speaker), round(unit.start, 2),
                                unit.text, kind, round(probability, 3), index,
                                accepted(probability)))
    return found


def reported(found: Sequence[Commitment], step_units: set[int]) -> list[Commitment]:
    """The commitments a report lists: the model's, and every sentence a
    next step comes from."""
    return [c for c in found if c.accepted or c.unit in step_units]
