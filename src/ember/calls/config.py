"""Call-analysis thresholds from the ``EMBER_ANALYSIS_THRESHOLDS`` setting."""

from __future__ import annotations

from ember.conversation import Thresholds
from ember.errors import InvalidInput, Problem
from ember.settings import Settings


def analysis_thresholds(settings: Settings) -> Thresholds:
    try:
        return Thresholds().with_overrides(settings.analysis_thresholds)
    except ValueError as exc:
        what, _, fix = str(exc).partition("; ")
        raise InvalidInput("the setting EMBER_ANALYSIS_THRESHOLDS is not valid",
                           [Problem("EMBER_ANALYSIS_THRESHOLDS", what, fix or "see docs/configuration.md")]) from exc
