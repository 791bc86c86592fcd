"""Background work of outbound email: retry the sends that failed and are due again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from ember.db import unit_of_work
from ember.outbound.mail import SmtpConfig
from ember.outbound.service import retry_due
from ember.settings import Settings


def retry_due_sends(engine: Engine, settings: Settings, moment: datetime) -> int:
    """Emails re-sent (or stopped) now, with the mail and cadence settings of this worker."""
    with unit_of_work(engine) as session:
        results = retry_due(session, moment, smtp=SmtpConfig.from_settings(settings),
                            cadence=settings.cadence.planning())
    return len(results)
