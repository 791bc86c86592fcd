"""The default message library Ember starts with (teams edit their own copy).

Written for Ember. What the texts follow:

* First-time attempts aim at one thing, a first conversation: short, one
  concrete reason to talk, easy to say no to.
* Follow-ups re-open the sale in the first sentence by recalling the
  prospect's own problem and what was meant to happen since, then bring
  something new. None of them exists only to "touch base".
* Nudges after silence ask whether the goal still matters; trigger messages
  name what the prospect just did; referral messages name who sent us.
* Voicemails and emails come in pairs that mention each other, so a
  voicemail is always backed by an email the prospect can answer in writing.

Placeholders (filled by ``ember.messages.rules.fill``) are listed in
``PLACEHOLDERS``; keys are stable, because "received" is stored by key.
"""

from __future__ import annotations

from functools import lru_cache

from ember.messages.rules import MessageVariant, VariantLibrary
from ember.vocabulary import MessagePhase, MessageSituation

PLACEHOLDERS = frozenset(
    {
        "first_name",  # the prospect's first name
        "company",  # the prospect's company
        "rep_name",
        "rep_company",
        "rep_phone",
        "goal",  # the business goal the offer serves ("shorter onboarding")
        "problem",  # the problem the prospect told us about
        "next_step",  # what was meant to happen since the last conversation
        "similar_company",  # a customer that looks like the prospect
        "proof",  # a measured result ("cut onboarding from six weeks to two")
        "referrer",  # who referred the prospect
        "trigger",  # what the prospect just did ("looked at our pricing page")
    }
)

_GK = MessageSituation.GATEKEEPER
_VM = MessageSituation.VOICEMAIL
_EM = MessageSituation.EMAIL
_SO = MessageSituation.SOCIAL
_FTC = MessagePhase.FTC
_FU = MessagePhase.FOLLOW_UP
_NU = MessagePhase.NUDGE
_TR = MessagePhase.TRIGGER
_RE = MessagePhase.REFERRAL

_SIGN = "\n\n{rep_name}\n{rep_company} · {rep_phone}"


def _line(
    key: str,
    situation: MessageSituation,
    phase: MessagePhase | None,
    attempt: int | None,
    body: str,
) -> MessageVariant:
    return MessageVariant(key=key, situation=situation, phase=phase, attempt=attempt, body=body)


def _email(
    key: str, phase: MessagePhase | None, attempt: int | None, subject: str, body: str
) -> MessageVariant:
    return MessageVariant(
        key=key, situation=_EM, phase=phase, attempt=attempt, subject=subject,
        body="Hi {first_name},\n\n" + body + _SIGN,
    )


def _pair(
    number: str, phase: MessagePhase, attempt: int | None, voicemail: str, subject: str, email: str
) -> tuple[MessageVariant, MessageVariant]:
    """A voicemail and the email that follows it, each naming the other."""
    vm_key, em_key = f"vm-{number}", f"em-{number}"
    return (
        MessageVariant(
            key=vm_key, situation=_VM, phase=phase, attempt=attempt, body=voicemail,
            pairs_with=em_key,
        ),
        MessageVariant(
            key=em_key, situation=_EM, phase=phase, attempt=attempt, subject=subject,
            body="Hi {first_name},\n\n" + email + _SIGN, pairs_with=vm_key,
        ),
    )


_GATEKEEPER = (
    _line("gk-ftc-1", _GK, _FTC, 1,
          "Hi, this is {rep_name} from {rep_company}. Could you put me through to "
          "{first_name}, please?"),
    _line("gk-ftc-2", _GK, _FTC, 2,
          "Good afternoon, {rep_name} calling for {first_name}. I tried earlier this week; "
          "would now be a better moment to reach them?"),
    _line("gk-ftc-3", _GK, _FTC, 3,
          "Hello, it's {rep_name} from {rep_company} again. I know {first_name} is busy. "
          "When are they usually at their desk, so I call at a time that suits them?"),
    _line("gk-ftc-4", _GK, _FTC, 4,
          "Hi, {rep_name} here. My question for {first_name} is about {goal} at {company}. "
          "If someone else looks after that, could you tell me who?"),
    _line("gk-ftc-5", _GK, _FTC, 5,
          "Hello, {rep_name} from {rep_company}. I've left {first_name} a few messages. "
          "Would it be easier to book fifteen minutes in their calendar through you?"),
    _line("gk-ftc-6", _GK, _FTC, 6,
          "Hi, {rep_name} again. Rather than keep ringing, could you tell {first_name} I "
          "called about {goal}, and ask whether phone or email suits them better?"),
    _line("gk-fu-1", _GK, _FU, None,
          "Hi, {rep_name} from {rep_company}. {first_name} and I spoke recently and agreed "
          "I'd call back about {next_step}. Could you connect me?"),
    _line("gk-fu-2", _GK, _FU, None,
          "Hello, it's {rep_name}. {first_name} is expecting my call about {problem}. "
          "Is this a good time to put me through?"),
    _line("gk-fu-3", _GK, _FU, None,
          "Hi, {rep_name} again. I'm calling about what {first_name} and I planned: "
          "{next_step}. When would be a better time to try?"),
    _line("gk-fu-4", _GK, _FU, None,
          "Hello, {rep_name} from {rep_company}. Could you let {first_name} know I called "
          "about {next_step}, and that I'll try once more later this week?"),
    _line("gk-nu-1", _GK, _NU, None,
          "Hi, {rep_name} from {rep_company}. {first_name} and I were working on {goal} a "
          "few weeks ago. Is {first_name} still the right person, or has someone taken it over?"),
    _line("gk-nu-2", _GK, _NU, None,
          "Hello, {rep_name} here. I haven't been able to reach {first_name} for a while. "
          "Are they away, or is there a better day to call?"),
    _line("gk-tr-1", _GK, _TR, None,
          "Hi, {rep_name} from {rep_company}. {first_name} recently {trigger}, and I'd like "
          "to make sure they found what they were after. Could you put me through?"),
    _line("gk-tr-2", _GK, _TR, None,
          "Hello, {rep_name} calling for {first_name}. They {trigger}, so I'm calling while "
          "it's fresh. Is now a good moment?"),
    _line("gk-tr-3", _GK, _TR, None,
          "Hi, it's {rep_name} from {rep_company}. I'm calling because {first_name} "
          "{trigger}. If they're tied up, when would be better today?"),
    _line("gk-re-1", _GK, _RE, None,
          "Hi, {rep_name} from {rep_company}. {referrer} suggested I speak with "
          "{first_name}. Could you connect me?"),
    _line("gk-re-2", _GK, _RE, None,
          "Hello, {rep_name} calling. {referrer} asked me to get in touch with {first_name} "
          "personally. Is this a good time?"),
    _line("gk-re-3", _GK, _RE, None,
          "Hi, {rep_name} again, about {referrer}'s introduction to {first_name}. When is the "
          "best time to reach them?"),
    _line("gk-any-1", _GK, None, None,
          "Hello, {rep_name} from {rep_company}. Who at {company} would be the best person "
          "to talk to about {goal}?"),
)

_PAIRS = (
    *_pair("ftc-1", _FTC, 1,
           "Hi {first_name}, {rep_name} from {rep_company}. We help companies like "
           "{similar_company} with {goal}; they {proof}. I'm sending you a short email right "
           "after this message so you can answer when it suits you. My number is {rep_phone}.",
           "{goal} at {company}",
           "I just left you a voicemail, so here it is in writing. {similar_company} came to "
           "us for {goal}, and they {proof}.\n\nIf that matters for {company} too, would "
           "fifteen minutes next week work?"),
    *_pair("ftc-2", _FTC, 2,
           "Hi {first_name}, it's {rep_name} again at {rep_company}. I have one idea on {goal} "
           "at {company} that takes ten minutes to explain. I'm putting it in an email to you "
           "now; if it's worth a talk, call me on {rep_phone}.",
           "An idea for {company}",
           "I just called and left you a voicemail. The idea in one line: the approach that "
           "let {similar_company} {proof}.\n\nWorth ten minutes to see whether it fits "
           "{company}?"),
    *_pair("ftc-3", _FTC, 3,
           "{first_name}, {rep_name} here. One quick fact: {similar_company} {proof}. I've "
           "just emailed you how they did it. If {goal} is on your list this quarter, ring "
           "me on {rep_phone}.",
           "How {similar_company} did it",
           "As I said in my voicemail a moment ago, here is how {similar_company} went about "
           "{goal}: {proof}.\n\nIf this is on your list this quarter, reply with a time that "
           "suits you."),
    *_pair("ftc-4", _FTC, 4,
           "Hi {first_name}, {rep_name} from {rep_company}. I've tried you a few times, so I'll "
           "be brief: if {goal} isn't a priority now, tell me and I'll stop calling. The "
           "details are in the email I'm sending now. {rep_phone}.",
           "Should I stop calling?",
           "I've called a few times and just left you another voicemail. If {goal} isn't a "
           "priority, a one-word reply is enough and I'll stop. If it is, I'll keep the "
           "call short and useful."),
    *_pair("fu-1", _FU, 1,
           "Hi {first_name}, {rep_name}. Last time we spoke about {problem}, and the plan was "
           "{next_step}. I've had another idea that could help; I'm emailing it to you now. "
           "Call me on {rep_phone} when you have five minutes.",
           "{first_name}, another idea on {problem}",
           "I just left you a voicemail. When we spoke, we discussed {problem}, and the plan "
           "was {next_step}. Since then I've had another idea: {similar_company} {proof}, and "
           "the same could work at {company}.\n\nIs a short call this week still a good idea?"),
    *_pair("fu-2", _FU, 2,
           "Hi {first_name}, it's {rep_name}. About {problem}: {similar_company} had the same "
           "issue and {proof}. I've just sent you the short version by email. {rep_phone}.",
           "What {similar_company} did about {problem}",
           "Following my voicemail: {similar_company} was stuck on {problem} as well. They "
           "{proof}.\n\nI can walk you through how, in fifteen minutes. Which day suits you?"),
    *_pair("fu-3", _FU, 3,
           "{first_name}, {rep_name} from {rep_company}. Where do things stand on {next_step}? "
           "If anything is in the way, I can help; I'm putting two options in an email now.",
           "Next step: {next_step}",
           "I left you a voicemail a few minutes ago about {next_step}. Two ways forward: we "
           "meet for twenty minutes with whoever else needs to see it, or I send a written "
           "summary you can pass on. Which works better for you?"),
    *_pair("nu-1", _NU, None,
           "Hi {first_name}, {rep_name} from {rep_company}. It's been a few weeks since we "
           "spoke about {goal}. Are you still looking to solve {problem}? I've sent a short "
           "email with a new idea. {rep_phone}.",
           "Is {goal} still on your list?",
           "I just left you a voicemail. It's been a while since we talked about {problem}. "
           "If {goal} still matters this quarter, I have a new idea worth ten minutes; if "
           "not, tell me and I'll stop asking."),
    *_pair("nu-2", _NU, None,
           "Hi {first_name}, {rep_name}. Since we last spoke, {similar_company} {proof}. If "
           "{goal} is still on your list, I'd like to show you how; details are in my email. "
           "{rep_phone}.",
           "{similar_company}'s results, since we last spoke",
           "As mentioned in my voicemail: since we last spoke, {similar_company} {proof}. "
           "Would it help to see how that could look at {company}?"),
    *_pair("tr-1", _TR, None,
           "Hi {first_name}, {rep_name} from {rep_company}. I saw that you {trigger}, so I'm "
           "calling while it's fresh. I've sent you an email with what people usually ask "
           "about next. {rep_phone}.",
           "After you {trigger}",
           "I just left you a voicemail. I noticed you {trigger}, and people who do usually "
           "want to know two things next: what it costs for a team your size, and how long "
           "it takes to start. Shall I answer both in a fifteen-minute call?"),
    *_pair("tr-2", _TR, None,
           "Hi {first_name}, {rep_name}. You {trigger}; I'm happy to answer anything it "
           "raised. I'm emailing you the short version now. {rep_phone}.",
           "Questions after you {trigger}?",
           "Following my voicemail: you {trigger}, so here's the short version. "
           "{similar_company} {proof}. If it's worth a closer look for {company}, reply with a "
           "time and I'll show you."),
    *_pair("re-1", _RE, None,
           "Hi {first_name}, {rep_name} from {rep_company}. {referrer} suggested I call you "
           "about {goal}. I'm sending an email now with the background; my number is "
           "{rep_phone}.",
           "{referrer} suggested we talk",
           "I just left you a voicemail. {referrer} thought you and I should talk about "
           "{goal}, because of what we did together. Would fifteen minutes this week work?"),
    *_pair("re-2", _RE, None,
           "Hi {first_name}, {rep_name}. {referrer} and I work together, and they thought "
           "{company} could see the same results. The details are in my email. {rep_phone}.",
           "Introduction from {referrer}",
           "As I said in my voicemail, {referrer} introduced us. With them we {proof}. If "
           "that sounds useful for {company}, when can we talk?"),
)

_VOICEMAILS = (
    _line("vm-ftc-5", _VM, _FTC, 5,
          "Hi {first_name}, {rep_name} from {rep_company}. One reason to call me back: "
          "{similar_company} {proof}. If that's interesting for {company}, I'm on {rep_phone}."),
    _line("vm-ftc-6", _VM, _FTC, 6,
          "{first_name}, {rep_name} from {rep_company}, for the last time for now. If {goal} "
          "becomes a priority, I'm on {rep_phone} and happy to pick it up."),
    _line("vm-fu-4", _VM, _FU, 4,
          "Hi {first_name}, {rep_name}. You mentioned {problem} was costing your team time. "
          "I have a short plan for {goal}; call me on {rep_phone} and I'll take you through it."),
    _line("vm-fu-5", _VM, _FU, 5,
          "Hi {first_name}, {rep_name}. To keep {next_step} moving, would it help if I brought "
          "our technical lead to our next call? Let me know on {rep_phone}."),
    _line("vm-nu-3", _VM, _NU, None,
          "{first_name}, {rep_name}. I haven't heard back, which usually means the timing is "
          "off. Tell me when would be better, and I'll call then. {rep_phone}."),
    _line("vm-tr-3", _VM, _TR, None,
          "{first_name}, {rep_name} here. Since you {trigger}, an offer: fifteen minutes to see "
          "how it would work for {company}. Call me back on {rep_phone}."),
    _line("vm-re-3", _VM, _RE, None,
          "{first_name}, {rep_name} again, on {referrer}'s introduction. I'll keep it short: "
          "I'm on {rep_phone} whenever it suits you."),
    _line("vm-any-1", _VM, None, None,
          "Hi {first_name}, {rep_name} from {rep_company}. I'm calling about {goal} at "
          "{company}; one idea, ten minutes. My number is {rep_phone}."),
)

_EMAILS = (
    _email("em-ftc-5", _FTC, 5, "Fifteen minutes, at a time you choose",
           "I've tried to reach you by phone a few times. If {goal} is on your agenda, reply "
           "with two times that suit you and I'll send an invite. If it isn't, just say so."),
    _email("em-ftc-6", _FTC, 6, "Closing the loop for now",
           "I won't keep calling. If {goal} becomes a priority at {company}, reply to this "
           "email and I'll pick it up straight away."),
    _email("em-ftc-7", _FTC, None, "{similar_company} and {goal}",
           "{similar_company} came to us with the same goal you probably have: {goal}. They "
           "{proof}.\n\nIs this worth a fifteen-minute call?"),
    _email("em-fu-4", _FU, None, "A short plan for {goal}",
           "When we spoke about {problem}, you said it was costing your team time. I've put "
           "together a short plan for {goal} at {company}. Does it fit, or what is missing?"),
    _email("em-fu-5", _FU, None, "Bringing our technical lead",
           "To keep {next_step} moving, I'd like to bring our technical lead to our next call, "
           "so your team's questions get answered on the spot. Who should join from your side?"),
    _email("em-fu-6", _FU, None, "One page for your team",
           "I know {problem} is one of several things on your desk. Here is a one-page summary "
           "you can forward to whoever else decides: the problem, what we'd change, and what "
           "{similar_company} got from it ({proof})."),
    _email("em-fu-7", _FU, None, "What success could look like at {company}",
           "It was good to talk last week. You described {problem}; here is what success "
           "could look like: {goal}, the way {similar_company} got there ({proof}). Shall we "
           "plan {next_step}?"),
    _email("em-fu-8", _FU, None, "{first_name}, let's talk about {goal}",
           "Last time, the plan was {next_step}. I have a new angle on {problem} that I'd "
           "rather explain than write. Do you have fifteen minutes on Wednesday or Thursday?"),
    _email("em-nu-3", _NU, None, "Better timing later?",
           "I haven't heard back, which usually means the timing is off. If {goal} matters "
           "later in the year, tell me when, and I'll get back to you then."),
    _email("em-nu-4", _NU, None, "Has anything changed with {problem}?",
           "A quick yes or no helps me: is {problem} still something you want to solve? If "
           "yes, I have a new idea; if no, I'll stop writing."),
    _email("em-tr-3", _TR, None, "Saw that you {trigger}",
           "I saw that you {trigger}. If you were weighing up {goal}, I can show you in "
           "fifteen minutes how it would work at {company}. Which day suits you?"),
    _email("em-tr-4", _TR, None, "Thanks for your interest",
           "Thanks for your interest: you {trigger}. If {goal} is back on the table, reply "
           "and I'll send the details that matter for a team like yours."),
    _email("em-re-3", _RE, None, "{referrer}'s results, for {company}",
           "{referrer} suggested I write to you. Working together, they {proof}. If you're "
           "looking at {goal}, it could be worth twenty minutes."),
    _email("em-any-1", None, None, "A question about {goal}",
           "Who at {company} is working on {goal} this year? If it's you, I have one idea "
           "worth ten minutes; if not, I'd be grateful for a pointer."),
)

_SOCIAL = (
    _line("so-ftc-1", _SO, _FTC, 1,
          "Hi {first_name}, I work with teams like {similar_company} on {goal}. Happy to "
          "connect and share what worked for them."),
    _line("so-ftc-2", _SO, _FTC, 2,
          "Thanks for connecting, {first_name}. {similar_company} {proof}. Would a short call "
          "about {company} be useful?"),
    _line("so-ftc-3", _SO, _FTC, 3,
          "{first_name}, I've tried you by phone and email. Is {goal} on your list this "
          "quarter? A yes or no is fine."),
    _line("so-ftc-4", _SO, _FTC, 4,
          "{first_name}, I'll stop reaching out for now. If {goal} comes up, message me here "
          "any time."),
    _line("so-fu-1", _SO, _FU, None,
          "Hi {first_name}, after our talk about {problem} I had another idea. Do you have "
          "ten minutes this week?"),
    _line("so-fu-2", _SO, _FU, None,
          "{first_name}, how is {next_step} going? If something's blocking it, I can help."),
    _line("so-fu-3", _SO, _FU, None,
          "{first_name}, {similar_company} just {proof}. Thought of you and {problem}."),
    _line("so-nu-1", _SO, _NU, None,
          "Hi {first_name}, is {goal} still on your list? If the timing changed, tell me "
          "when to come back."),
    _line("so-nu-2", _SO, _NU, None,
          "{first_name}, it's been a while. Still working on {problem}?"),
    _line("so-tr-1", _SO, _TR, None,
          "Hi {first_name}, I saw that you {trigger}. Any questions I can answer?"),
    _line("so-tr-2", _SO, _TR, None,
          "{first_name}, since you {trigger}: want a fifteen-minute walkthrough for {company}?"),
    _line("so-re-1", _SO, _RE, None,
          "Hi {first_name}, {referrer} suggested we connect about {goal}."),
    _line("so-re-2", _SO, _RE, None,
          "{first_name}, following {referrer}'s introduction: would a short call this week "
          "work?"),
    _line("so-any-1", _SO, None, None,
          "Hi {first_name}, I work on {goal} with companies like {company}. Open to a short "
          "chat?"),
)

DEFAULT_VARIANTS: tuple[MessageVariant, ...] = (*_GATEKEEPER, *_PAIRS, *_VOICEMAILS, *_EMAILS,
                                                *_SOCIAL)


@lru_cache(maxsize=1)
def default_library() -> VariantLibrary:
    """The indexed default library (built once per process)."""
    return VariantLibrary(DEFAULT_VARIANTS)
