"""Sales-call dialogue for demo transcripts, written for Ember.

A call is assembled from sections in the order real discovery calls run:
small talk, the reason for the call, the rep's questions with the prospect's
answers (their problems in their own words), the prospect's questions, a
customer story, objections, next steps with dates, and the last points each
side makes. Templates plus random choices keep calls different from each
other; next steps carry their due date so they can be stored as rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ember.vocabulary import NextStepType, Side

WORDS_PER_SECOND = 2.5  # about 150 words a minute


@dataclass(frozen=True, slots=True)
class Turn:
    side: str  # Side.REP | Side.PROSPECT
    text: str


@dataclass(frozen=True, slots=True)
class Commitment:
    """A next step said on the call, with the date the words point to."""

    type: str
    owner_side: str
    phrase: str
    due_at: datetime
    quote: str
    turn_index: int


@dataclass(slots=True)
class Call:
    turns: list[Turn] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)


SMALL_TALK: tuple[tuple[str, str], ...] = (
    ("Hi {first}, thanks for making the time. How has your week been so far?",
     "Busy, but the good kind of busy. We just wrapped up our quarterly planning, so I can "
     "finally breathe a little."),
    ("Morning {first}! I saw it has been raining all week over there. Holding up?",
     "Ha, barely. I have stopped bothering with the umbrella. How about you, is it any better "
     "on your side?"),
    ("Hey {first}, good to finally put a face to the emails. Did you have a nice weekend?",
     "I did, thanks. Took the kids to a football tournament, so a lot of standing in a cold "
     "field, but they won, so everyone is happy."),
    ("Hi {first}, I hope I am not keeping you from lunch.",
     "No, no, I ate early today. Back-to-back meetings this afternoon, so this is a nice "
     "break, honestly."),
    ("Hello {first}, thanks for joining. Are you in the office today or at home?",
     "At home today. It is much quieter, and I get twice as much done when nobody can walk "
     "up to my desk."),
)
SMALL_TALK_REPLIES: tuple[str, ...] = (
    "Much the same here, it has been a full week. Glad we could find a slot.",
    "I know the feeling. Well, I will try to make this half hour worth it.",
    "That sounds great. Congratulations to the team!",
)

AGENDA: tuple[str, ...] = (
    "So, the plan for today: I would love to understand how {company} handles this right "
    "now, share what we have seen at similar companies, and then decide together whether a "
    "next step makes sense. Does that work for you?",
    "I thought we could spend most of the time on your side of things, what is working and "
    "what is not, and keep ten minutes at the end for questions and what happens next. Sound "
    "fair?",
    "Last time you mentioned {problem_short}. I would like to dig into that today, and at "
    "the end we can agree whether it is worth involving more of your team. OK?",
)
AGENDA_REPLY: tuple[str, ...] = (
    "Yes, that works. I have until the top of the hour.",
    "Sounds good. I might have to drop a few minutes early, just so you know.",
    "Perfect, let's do it.",
)

# The rep's discovery questions; each with answers in the prospect's words.
DISCOVERY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("How does a new customer get onboarded today, from signature to first value?",
     ("Honestly it is a mess. Sales closes the deal, then there is a spreadsheet that gets "
      "emailed around, and somebody in operations picks it up when they get to it. We have had "
      "customers wait three weeks before anyone called them.",
      "We have a checklist, but it lives in three different tools. Every handover loses "
      "something, usually the thing the customer cared about most.")),
    ("What happens when that goes wrong? What does it cost you?",
     ("Churn, mostly. We lost two mid-sized accounts last year, and in the exit calls both "
      "said the first month felt chaotic. That is real money for us.",
      "It costs us renewals, and it costs my team their evenings. We patch things by hand.")),
    ("Who else feels this problem besides you?",
     ("Customer success feels it first, then finance when the invoices go out wrong. Our COO "
      "asked about it in the last board prep, so it is on her radar too.",
      "My whole team, and our head of finance, because the reporting never matches.")),
    ("If you could fix one thing in the next three months, what would it be?",
     ("Reporting. I spend every Monday morning pulling numbers together by hand for a "
      "meeting that lasts twenty minutes. I would love those four hours back.",
      "Visibility. I want to open one screen and know which accounts are at risk without "
      "asking five people.")),
    ("Have you tried to solve this before? What happened?",
     ("We tried building something in-house two years ago. It worked for about six months, "
      "then the engineer who wrote it left, and nobody dared to touch it.",
      "We bought a tool, but adoption died after the first quarter. Too many clicks, people "
      "went back to their spreadsheets.")),
    ("How are decisions like this usually made at {company}?",
     ("I build the case, our VP of operations signs off, and anything over a certain amount "
      "goes to the CFO. Procurement gets involved at the end for the contract.",
      "It is a committee, to be honest. IT has a veto on anything that touches customer "
      "data.")),
    ("What timeline are you working towards?",
     ("We want something in place before our busy season starts, so realistically live by "
      "the end of next quarter.",
      "No hard deadline, but our planning cycle closes in six weeks, and if it is not in the "
      "plan by then it slips to next year.")),
    ("Is there a budget set aside for this, or would it need to be found?",
     ("There is a budget line for tooling, and part of it is still unspent this year.",
      "It would have to come out of next year's budget, which is being set right now.")),
    ("How many people would work with this day to day?",
     ("Around forty in sales and customer success, plus a handful of managers.",
      "About a dozen at first. If it works, the other regions would follow.")),
)
PROBE: tuple[str, ...] = (
    "Can you tell me a bit more about that?",
    "What does that look like on a normal week?",
    "Interesting. Why do you think that is?",
    "And how does the team feel about it?",
)
PROBE_ANSWERS: tuple[str, ...] = (
    "Well, on a normal week it is maybe a day and a half of pure admin across the team. "
    "Nobody was hired to do that, and it shows.",
    "People are frustrated. The good ones want to spend time with customers, not with "
    "spreadsheets, and I worry we will lose some of them.",
    "Partly it is history. Every team picked its own tools, and nobody owned the whole "
    "picture until now.",
)

PROSPECT_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("How long does a typical rollout take for a team our size?",
     "For a team your size, most customers are live in three to five weeks. The first week is "
     "setup and importing what you already have, then we run a pilot with a few people "
     "before everyone moves over."),
    ("Does it connect to our CRM, or is that another integration project?",
     "It connects out of the box with the common CRMs, and there is an API for the rest. Most "
     "teams do not need an engineer for it."),
    ("Where is the data stored? Our security team will ask.",
     "Good question. You can run it in our cloud in your region, or host it yourselves. Our "
     "security pack answers most of what security teams ask, at their own pace."),
    ("What does pricing look like, roughly?",
     "It is per user per year, with a discount for longer terms. For forty people you would "
     "be in a range that finance teams usually approve without a second round."),
    ("What happens if we outgrow it?",
     "Then we grow with you. Our largest customer has a few thousand users on the same setup, "
     "so size is not the problem people expect it to be."),
    ("Who would we work with on your side after we sign?",
     "You get a named onboarding lead for the first ninety days, and a customer success "
     "manager after that. You would meet both before signing."),
)

STORIES: tuple[str, ...] = (
    "Let me tell you about a customer of ours, a logistics company about your size. When we "
    "met them, their onboarding took six weeks and lived in a shared inbox. Their head of "
    "operations told me almost exactly what you just said, that the first month felt chaotic "
    "to customers. We started with one region as a pilot. Within two months the handover "
    "went from six weeks to under two, and they could see every account's status on one "
    "screen. The part she liked most was not the speed though. It was that her team stopped "
    "working evenings. They rolled it out to the other regions the next quarter.",
    "One story that comes to mind is a software company we work with. Their managers spent "
    "every Monday building a report by hand, just like you described. They were sceptical, "
    "because they had been burned by a tool before that nobody used. So we set it up with "
    "only the three reports they really needed, nothing more. Six weeks in, the Monday "
    "meeting was fifteen minutes shorter, and the reports were ready before anyone got to "
    "the office. A year later they renewed for three years without a discount conversation.",
    "We had a similar situation with a healthcare provider last year. They had tried to "
    "build it themselves, and the person who built it left. Their IT team was nervous about "
    "another system. We did the security review first, before any demo, which they "
    "appreciated. Then we migrated what they had in two weeks. Their churn in the first "
    "ninety days dropped noticeably that year, and their COO now uses the dashboard in her "
    "board packs.",
)

OBJECTIONS: tuple[tuple[str, str], ...] = (
    ("I have to be honest, the price is going to be a conversation. We are being asked to "
     "cut costs everywhere.",
     "That is fair, and I would rather talk about it now than at the end. Let's put numbers "
     "on the hours your team loses each week. If the return is not clear on paper, I do not "
     "expect you to buy it."),
    ("My worry is adoption. We bought a tool before and nobody used it after three months.",
     "I hear that a lot, and it usually comes from trying to change everything at once. What "
     "works is starting with one team and one problem, and only growing once people ask for "
     "it."),
    ("We are in the middle of a reorganisation, so the timing is not great.",
     "Understood. Would it help if we planned the pilot around the reorganisation, so it "
     "supports the new structure instead of competing with it?"),
    ("IT will want to build this themselves, I can already hear it.",
     "That is a reasonable instinct. It is worth comparing the two honestly: what it costs "
     "to build and maintain, against what it costs to buy. Most IT leads find that "
     "comparison settles it."),
)


def _weekday_name(day: datetime) -> str:
    return day.strftime("%A")


def _next_weekday(local: datetime, weekday: int) -> datetime:
    """The next such day after today ("on Friday" said on a Friday: a week on)."""
    return local + timedelta(days=(weekday - local.weekday() - 1) % 7 + 1)


def _weekday_next_week(local: datetime, weekday: int) -> datetime:
    """ "Next Tuesday": the Tuesday of the following calendar week, as the
    call analysis reads it."""
    return local + timedelta(days=7 - local.weekday() + weekday)


def _commitments(rng: random.Random, local: datetime) -> list[tuple[int, str, str, str, str,
                                                                    datetime]]:
    """Candidate next steps: (speaker side index, type, owner, phrase, quote, due local)."""
    weekday = rng.choice((0, 1, 2, 3))
    meet_day = _weekday_next_week(local, weekday)
    # The demo for the managers is another day than the follow-up meeting:
    # two calls on one day would read as one.
    hour = rng.choice((10, 11, 14, 15, 16))
    demo_day = _weekday_next_week(local, (weekday + 2) % 5).replace(hour=hour, minute=0)
    spoken_hour = hour - 12 if hour > 12 else hour
    meet = meet_day.replace(hour=hour, minute=0)
    friday = _next_weekday(local, 4).replace(hour=17, minute=0)
    monday = _next_weekday(local, 0).replace(hour=12, minute=0)
    in_two_weeks = (local + timedelta(days=14)).replace(hour=12, minute=0)
    tonight = local.replace(hour=20, minute=0)
    day, other_day = _weekday_name(meet), _weekday_name(demo_day)
    return [
        (0, NextStepType.MEETING, Side.REP, f"next {day} at {spoken_hour}",
         f"Let's meet again next {day} at {spoken_hour} and go through the numbers together.",
         meet),
        (0, NextStepType.DOCUMENTS, Side.REP, "by Friday",
         "I'll send the proposal over by Friday so you have it before your planning meeting.",
         friday),
        (0, NextStepType.INTRODUCTION, Side.PROSPECT, "in two weeks",
         "Could you introduce me to your CFO? Ideally in the next two weeks, before the budget "
         "is set.", in_two_weeks),
        (1, NextStepType.EMAIL, Side.PROSPECT, "on Monday",
         "I'll check with the team and get back to you by email on Monday.", monday),
        (0, NextStepType.DEMO, Side.REP, f"next {other_day}",
         f"How about I show the reporting side to your managers next {other_day}? Forty-five "
         "minutes should do it.", demo_day),
        (1, NextStepType.AUTHORITY, Side.PROSPECT, "by Friday",
         "I'll confirm with our VP whether she signs this off herself, and let you know by "
         "Friday.", friday),
        (0, NextStepType.EMAIL, Side.REP, "tonight",
         "I'll send a short recap tonight with the three things we agreed on.", tonight),
    ]


def _add(call: Call, side: str, text: str) -> None:
    call.turns.append(Turn(side, text))


# How a rep ran the call. Deals that were won mostly had "listening" discovery
# calls (a few good questions, the prospect telling their story, several next
# steps); lost ones mostly "pitching" calls (a string of questions, a long
# monologue, one or two vague next steps). Open deals get the usual mix.
# The demo's team numbers learn exactly these differences.
LISTENING, PITCHING, MIXED = "listening", "pitching", "mixed"

PROSPECT_STORIES: tuple[str, ...] = (
    "Let me give you the full picture, because it matters. Last spring we signed our biggest "
    "customer ever, and we were so proud. Then the handover happened. Sales had promised a "
    "custom report, operations never heard about it, and the customer asked for it in week "
    "two. Nobody knew what they meant. We spent a month rebuilding trust, our CEO got "
    "involved, and I personally apologised on three calls. That is the moment I decided we "
    "could not keep running on spreadsheets and good intentions. Every new customer since "
    "then, I have been nervous about the first thirty days.",
    "Here is what a normal Monday looks like for me. I get in at half seven, open four "
    "different tools, export everything into one spreadsheet, and then spend an hour fixing "
    "the formulas somebody broke last week. By ten I have a report that is already out of "
    "date. My managers read it in the meeting, ask questions I cannot answer from the "
    "numbers, and then we all go back to our desks and ask people in chat. It is not that "
    "anyone is doing a bad job, it is that the system makes it impossible to see anything.",
    "The last time we tried to fix this, we ran a big project with an outside consultant. "
    "Six months, a lot of workshops, a beautiful slide deck. At the end we had a process "
    "document nobody read and a tool nobody logged into. What I learned is that the people "
    "doing the work have to want it, and it has to save them time in the first week, not "
    "the first year. So whatever we do next, I need my team to feel the difference quickly.",
)
PITCH: str = (
    "So let me walk you through the platform end to end, because I think once you see the "
    "whole thing it will click. On the left you have every account, with a health score we "
    "compute from usage, support tickets and billing. Next to it, the onboarding tracker, "
    "with templates for every segment, automatic reminders and a timeline your customer can "
    "see too. Then reporting: dashboards for managers, scheduled exports, and a board pack "
    "builder that finance teams love. We also have an integrations marketplace with more "
    "than sixty connectors, a mobile app, single sign-on, audit logs, custom roles, a rules "
    "engine for escalations, and an AI assistant that drafts follow-up emails. Customers "
    "usually start with onboarding and reporting, then add the health scores, then the "
    "rules engine, and within a year most of them have replaced three or four other tools. "
    "Pricing scales with seats, and there are bundles for each of those modules, which I can "
    "go through in detail, along with our implementation packages and the training options "
    "we offer for admins and for end users."
)


def build_call(
    rng: random.Random,
    *,
    first_name: str,
    company: str,
    problem_short: str,
    start: datetime,
    tz: str,
    target_s: float,
    style: str = MIXED,
) -> Call:
    """One call's dialogue, sized to roughly ``target_s`` seconds of speech."""
    if style != MIXED:
        return _styled_call(rng, first_name=first_name, company=company, problem_short=problem_short,
                            local=start.astimezone(ZoneInfo(tz)), style=style)
    call = Call()
    values = {"first": first_name, "company": company, "problem_short": problem_short}
    opener, reply = rng.choice(SMALL_TALK)
    _add(call, Side.REP, opener.format(**values))
    _add(call, Side.PROSPECT, reply)
    _add(call, Side.REP, rng.choice(SMALL_TALK_REPLIES))
    _add(call, Side.REP, rng.choice(AGENDA).format(**values))
    _add(call, Side.PROSPECT, rng.choice(AGENDA_REPLY))
    budget = target_s * WORDS_PER_SECOND
    _discovery(rng, call, values, budget * 0.45)
    _prospect_questions(rng, call, budget * 0.65)
    _add(call, Side.REP, rng.choice(STORIES))
    _add(call, Side.PROSPECT, "That sounds a lot like us. What made the pilot work, in your view?")
    _add(call, Side.REP, "Starting small, and having someone on their side who owned it. "
                         "Which, if I may say, sounds like it could be you.")
    _objections(rng, call, budget * 0.85)
    _next_steps(rng, call, start.astimezone(ZoneInfo(tz)))
    _closing(rng, call, first_name)
    return call


def _styled_call(rng: random.Random, *, first_name: str, company: str, problem_short: str,
                 local: datetime, style: str) -> Call:
    """A listening or a pitching discovery call (see ``LISTENING``)."""
    call = Call()
    values = {"first": first_name, "company": company, "problem_short": problem_short}
    opener, reply = rng.choice(SMALL_TALK)
    _add(call, Side.REP, opener.format(**values))
    _add(call, Side.PROSPECT, reply)
    _add(call, Side.REP, rng.choice(AGENDA).format(**values))
    _add(call, Side.PROSPECT, rng.choice(AGENDA_REPLY))
    questions = list(DISCOVERY)
    rng.shuffle(questions)
    listening = style == LISTENING
    stories = list(PROSPECT_STORIES)
    rng.shuffle(stories)
    for index, (question, answers) in enumerate(questions[: 3 if listening else 8]):
        _add(call, Side.REP, question.format(**values))
        _add(call, Side.PROSPECT, stories[index] if listening and index < len(stories) else rng.choice(answers))
        if not listening and rng.random() < 0.6:
            _add(call, Side.REP, rng.choice(PROBE))
            _add(call, Side.PROSPECT, rng.choice(("Sure.", "Yes, more or less.", "Hard to say.")))
    if listening:
        question, answer = rng.choice(PROSPECT_QUESTIONS)
        _add(call, Side.PROSPECT, question)
        _add(call, Side.REP, answer)
        _add(call, Side.REP, rng.choice(STORIES))
    else:
        _add(call, Side.REP, PITCH + " " + rng.choice(STORIES))
        _add(call, Side.PROSPECT, "OK.")
    candidates = _commitments(rng, local)
    rng.shuffle(candidates)
    _add(call, Side.REP, "Let's talk about what happens next, so nothing falls through the cracks.")
    for side_index, kind, owner, phrase, quote, due in candidates[: rng.randint(4, 6) if listening else
                                                                   rng.randint(1, 2)]:
        side = Side.REP if side_index == 0 else Side.PROSPECT
        _add(call, side, quote)
        call.commitments.append(Commitment(kind, owner, phrase, due, quote, len(call.turns) - 1))
        _add(call, Side.PROSPECT if side == Side.REP else Side.REP, rng.choice(("Sounds good.", "Works for me.")))
    _closing(rng, call, first_name)
    return call


def _words(call: Call) -> int:
    return sum(len(turn.text.split()) for turn in call.turns)


def _discovery(rng: random.Random, call: Call, values: dict[str, str], budget: float) -> None:
    questions = list(DISCOVERY)
    rng.shuffle(questions)
    for index, (question, answers) in enumerate(questions):
        if index >= 3 and _words(call) > budget:
            break
        _add(call, Side.REP, question.format(**values))
        _add(call, Side.PROSPECT, rng.choice(answers))
        if rng.random() < 0.35:
            _add(call, Side.REP, rng.choice(PROBE))
            _add(call, Side.PROSPECT, rng.choice(PROBE_ANSWERS))


def _prospect_questions(rng: random.Random, call: Call, budget: float) -> None:
    questions = list(PROSPECT_QUESTIONS)
    rng.shuffle(questions)
    for index, (question, answer) in enumerate(questions):
        if index >= 2 and _words(call) > budget:
            break
        _add(call, Side.PROSPECT, question)
        _add(call, Side.REP, answer)


def _objections(rng: random.Random, call: Call, budget: float) -> None:
    objections = list(OBJECTIONS)
    rng.shuffle(objections)
    for index, (objection, answer) in enumerate(objections):
        if index >= 1 and _words(call) > budget:
            break
        _add(call, Side.PROSPECT, objection)
        _add(call, Side.REP, answer)
        _add(call, Side.PROSPECT, rng.choice(("Fair enough.", "OK, that helps.",
                                              "Let me think about that.")))


def _next_steps(rng: random.Random, call: Call, local: datetime) -> None:
    _add(call, Side.REP, "Let's talk about what happens next, so nothing falls through the "
                         "cracks.")
    candidates = _commitments(rng, local)
    rng.shuffle(candidates)
    for side_index, kind, owner, phrase, quote, due in candidates[: rng.randint(2, 5)]:
        side = Side.REP if side_index == 0 else Side.PROSPECT
        _add(call, side, quote)
        call.commitments.append(Commitment(kind, owner, phrase, due, quote, len(call.turns) - 1))
        other = Side.PROSPECT if side == Side.REP else Side.REP
        _add(call, other, rng.choice(("Sounds good.", "Yes, let's do that.", "Works for me.",
                                      "Perfect, noted.")))


CLOSING_PROSPECT: tuple[str, ...] = (
    "The one thing that still worries me is the rollout over the summer, when half the team "
    "is away. Let's keep that in mind.",
    "For me the key point is the reporting. If that works, the rest is a bonus.",
    "Just so you know, finance will want to see the three-year cost, not only the first "
    "year.",
    "Honestly, this was more useful than I expected. I have a clearer picture of what to ask "
    "internally.",
)
CLOSING_REP: tuple[str, ...] = (
    "Thanks, {first}. So to sum up: the main problem is the manual handover, the goal is "
    "being live before the busy season, and we each have our homework. Talk soon.",
    "Really appreciate your time, {first}. Have a great rest of your day.",
    "Thank you, {first}. I have noted the summer rollout; we will plan around it. Speak soon.",
)


def _closing(rng: random.Random, call: Call, first_name: str) -> None:
    _add(call, Side.PROSPECT, rng.choice(CLOSING_PROSPECT))
    _add(call, Side.REP, rng.choice(CLOSING_REP).format(first=first_name))
    _add(call, Side.PROSPECT, rng.choice(("Thanks, bye!", "Thank you, talk soon.",
                                          "Great, thanks. Bye for now.")))
