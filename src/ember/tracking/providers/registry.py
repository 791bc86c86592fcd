"""Every provider by kind."""

from __future__ import annotations

from ember.tracking.providers import calendly, hubspot, kit, mailchimp, typeform, zoom
from ember.tracking.providers.common import Provider

PROVIDERS: dict[str, Provider] = {p.kind: p for p in (
    mailchimp.PROVIDER, kit.PROVIDER, zoom.PROVIDER, calendly.PROVIDER, hubspot.PROVIDER, typeform.PROVIDER)}
