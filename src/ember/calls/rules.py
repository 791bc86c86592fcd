"""Pure rules for turning a call analysis into what Ember remembers.

Which prospect speaker is the contact, which findings may overwrite what a
rep set by hand, and how a spoken due date becomes an instant.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from ember.conversation.analysis import Analysis
from ember.conversation.roles import ProspectRole
from ember.vocabulary import DecisionRole

MANUAL = "manual"
ANALYSIS = "analysis"
# Undated commitments are shown as due at the start of the next working morning.
DEFAULT_DUE_TIME = time(9, 0)


def _tokens(name: str) -> set[str]:
    return {part.lower() for part in name.replace(".", " ").split() if len(part) > 1}


def role_of_contact(analysis: Analysis, first_name: str, last_name: str) -> ProspectRole | None:
    """The prospect speaker who is the contact: by name, or the only prospect on the call."""
    roles = [r for r in analysis.prospect_roles if r.role is not DecisionRole.UNKNOWN]
    names = _tokens(f"{first_name} {last_name}")
    for role in roles:
        if names & _tokens(role.speaker):
            return role
    return roles[0] if len(analysis.prospect_roles) == 1 and roles else None


def merged_qualification(current: dict[str, Any], analysis: Analysis) -> dict[str, Any]:
    """Analysis findings fill the deal's qualification; a rep's own setting is never overwritten."""
    merged = dict(current)
    for area, coverage in analysis.qualification.items():
        if merged.get(area, {}).get("source") == MANUAL:
            continue
        previous = merged.get(area, {})
        evidence = [{"quote": e.quote, "start_s": e.start_s} for e in coverage.evidence]
        merged[area] = {
            # Once a call covered an area it stays covered; later calls add evidence.
            "covered": bool(previous.get("covered")) or coverage.covered,
            "evidence": (previous.get("evidence", []) + evidence)[-10:],
            "source": ANALYSIS,
        }
    return merged


def due_instant(due: datetime | None, has_time: bool, zone: str) -> datetime | None:
    """A spoken date is in the contact's local time; a date without a time means that morning."""
    if due is None:
        return None
    local = due if has_time else datetime.combine(due.date(), DEFAULT_DUE_TIME)
    return local.replace(tzinfo=ZoneInfo(zone)) if local.tzinfo is None else local
