"""The team-numbers options, from the ``EMBER_*`` settings."""

from __future__ import annotations

from ember.analytics.service import Options
from ember.cadence.config import cadence_settings
from ember.calls.config import analysis_thresholds
from ember.settings import Settings


def team_options(settings: Settings) -> Options:
    cadence = cadence_settings(settings)
    windows = tuple(f"{w.describe()}" for w in cadence.call_windows)
    return Options(persistence=cadence.follow_ups_before_stalled, min_closed_deals=settings.team_min_closed_deals,
                   min_window_calls=settings.team_min_window_calls,
                   min_calls_per_window=settings.team_min_calls_per_window, published_windows=windows,
                   thresholds=analysis_thresholds(settings))
