"""The HTTP routers of trigger events, rules, alerts and the nurture list, for the app to include."""

from __future__ import annotations

from ember.alerts.routes import router as alerts_router
from ember.events.routes import router as events_router
from ember.events.rule_routes import router as rules_router
from ember.nurture.routes import router as nurture_router

ROUTERS = (events_router, rules_router, alerts_router, nurture_router)
