"""The wording Ember ships with: template files in this package and a starter story library.

Teams replace both: templates in the app or with `ember templates edit`, stories
in the proof_points table. The sample stories say they are samples, so a rep
never quotes them to a prospect as if they were real customers.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from ember.compose.rules import TEMPLATE_NAMES


@cache
def default_source(name: str) -> str:
    """The shipped template file for ``name`` (one of ``TEMPLATE_NAMES``)."""
    if name not in TEMPLATE_NAMES:
        raise KeyError(name)
    return resources.files("ember.compose").joinpath("templates", f"{name}.j2").read_text(encoding="utf-8")


# (kind, title, industry, comma-separated keywords, text)
DEFAULT_PROOF_POINTS: tuple[tuple[str, str, str | None, str, str], ...] = (
    ("story", "Sample story: a distributor that stopped losing leads after the first call", "wholesale",
     "spreadsheet,losing track,lose track,followups,follow-ups,follow up,promised,forgot",
     "Replace with a real customer. A twelve-rep distribution team kept its follow-up promises in a shared "
     "sheet; a month after moving them into one queue, almost every promised follow-up went out on the day "
     "it was due."),
    ("story", "Sample story: a software reseller whose deals stopped stalling", "software",
     "stall,stalled,stuck,too long,slow,cycle,weeks",
     "Replace with a real customer. Deals sat for weeks between calls; once every call ended with a dated "
     "next step and the rep's queue showed it, the time from first call to decision fell by about a third."),
    ("proof", "Sample proof point: security review in two weeks", None,
     "security,it lead,review,compliance,gdpr,sso,it team",
     "Replace with your own figures. Self-hosted, single sign-on and a written security overview let an IT "
     "team finish its review in two weeks instead of the usual two months."),
    ("proof", "Sample proof point: managers coach from real calls", None,
     "coach,coaching,manager,visibility,forecast,pipeline,what was promised",
     "Replace with your own figures. Managers who review two analysed calls per rep each week see next steps "
     "set on more calls within a quarter."),
    ("story", "Sample story: a field sales team working from their phones", None,
     "mobile,on the road,field,travel,phone",
     "Replace with a real customer. Reps who spend most of the week on the road log calls and read their "
     "next steps from their phones, so nothing waits for a return to the office."),
)

# How the samples are told apart from a team's own stories (to remove them).
SAMPLE_TITLES: tuple[str, ...] = tuple(title for _, title, _, _, _ in DEFAULT_PROOF_POINTS)
