"""Builds the ASGI application: API, pages, static files, middleware."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from ember import __version__
from ember.accounts.routes import router as accounts_router
from ember.alerts.routes import router as alerts_router
from ember.api.errors import install_error_handlers
from ember.api.limits import BodySizeLimit
from ember.api.schemas import CLIENT_ERRORS, Health
from ember.calls.routes import RECORDING_PATH
from ember.calls.routes import router as calls_router
from ember.compose.routes import router as compose_router
from ember.contacts.routes import router as contacts_router
from ember.db import get_engine
from ember.deals.routes import router as deals_router
from ember.dialer.routes import router as dialer_router
from ember.events.intake import EventsIntake
from ember.events.routes import router as events_router
from ember.events.routes import rules_router
from ember.imports.routes import router as imports_router
from ember.jobs.registry import get_jobs
from ember.messages.routes import router as messages_router
from ember.nurture.routes import router as nurture_router
from ember.outbound.routes import router as outbound_router
from ember.settings import Settings, get_settings
from ember.steps.routes import router as steps_router
from ember.today.routes import router as today_router
from ember.touches.routes import router as touches_router
from ember.tracking.api import router as sources_api_router
from ember.tracking.asgi import TrackingIntake
from ember.tracking.routes import router as tracking_router
from ember.users.routes import router as users_router
from ember.web import desk
from ember.web.alert_pages import router as alert_pages_router
from ember.web.audit_pages import router as audit_pages_router
from ember.web.call_pages import router as call_pages_router
from ember.web.compose_pages import router as compose_pages_router
from ember.web.config_pages import router as config_pages_router
from ember.web.contact_pages import router as contact_pages_router
from ember.web.deal_pages import router as deal_pages_router
from ember.web.errors import error_page
from ember.web.follow_up_pages import router as follow_up_pages_router
from ember.web.headers import SecurityHeaders, docs_policy
from ember.web.import_pages import router as import_pages_router
from ember.web.library_pages import router as library_pages_router
from ember.web.mailbox_pages import router as mailbox_pages_router
from ember.web.nurture_pages import router as nurture_pages_router
from ember.web.pages import router as pages_router
from ember.web.recording_pages import FORM_ROOM, RECORDING_PAGE_PATH
from ember.web.recording_pages import router as recording_pages_router
from ember.web.rule_pages import router as rule_pages_router
from ember.web.session_cookies import SessionCookies
from ember.web.settings_pages import router as settings_pages_router
from ember.web.source_pages import router as source_pages_router
from ember.web.team_pages import router as team_pages_router
from ember.web.today_pages import router as today_pages_router

STATIC_DIR = Path(__file__).parent / "web" / "static"
DOCS_PATH = "/docs"
# Swagger UI's script and stylesheet come with the fastapi-offline package: the API
# documentation works where there is no internet, and loads nothing from elsewhere.
DOCS_ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
DOCS_ASSETS_PATH = "/static-docs"


def _docs_html(app: FastAPI) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} API",
                               swagger_js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
                               swagger_css_url=f"{DOCS_ASSETS_PATH}/swagger-ui.css",
                               swagger_favicon_url="/static/favicon.svg")


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="Ember", version=__version__, docs_url=None, responses=CLIENT_ERRORS)
    app.state.settings = settings
    app.state.engine = engine or get_engine(settings.resolved_database_url)
    # Routes queue background work through this; the queue itself opens on first use.
    app.state.enqueue_events = lambda ids: get_jobs(settings).enqueue_events(ids)
    app.state.enqueue_batches = lambda ids: get_jobs(settings).enqueue_batches(ids)

    app.add_middleware(SessionCookies, settings=settings)
    # Signed webhooks carry no cookie: POST /events is answered ahead of the session layer.
    app.add_middleware(EventsIntake, fastapi_app=app)
    app.add_middleware(TrackingIntake, fastapi_app=app)  # /v1/...: tracking calls, cookie-less as well
    app.add_middleware(BodySizeLimit, max_bytes=settings.server.max_request_bytes,
                       larger={RECORDING_PATH: settings.analysis.max_recording_bytes,
                               RECORDING_PAGE_PATH: settings.analysis.max_recording_bytes + FORM_ROOM})
    app.add_middleware(SecurityHeaders, docs_paths={DOCS_PATH: docs_policy(bytes(_docs_html(app).body).decode())})
    install_error_handlers(app, page=error_page)
    desk.install(app)

    @app.get(DOCS_PATH, include_in_schema=False)
    def docs() -> HTMLResponse:
        return _docs_html(app)

    @app.get("/healthz", tags=["meta"])
    def healthz() -> Health:
        return Health(status="ok", version=__version__)

    routers = (users_router, contacts_router, accounts_router, deals_router, imports_router, touches_router,
               today_router, calls_router, steps_router, messages_router, pages_router,
               contact_pages_router, follow_up_pages_router,  # /contacts/new before /contacts/{id}
               team_pages_router)
    for router in (*routers, events_router, rules_router, alerts_router, nurture_router, tracking_router,
                   sources_api_router):
        app.include_router(router)
    for router in (compose_router, outbound_router, compose_pages_router, dialer_router):  # writing, sending, calls
        app.include_router(router)
    desk_routers = (settings_pages_router, library_pages_router, rule_pages_router, source_pages_router,
                    mailbox_pages_router, config_pages_router, import_pages_router, audit_pages_router)
    for router in desk_routers:  # the managers' and admins' desk
        app.include_router(router)
    app.include_router(recording_pages_router)  # before /calls/{call_id}, which would take its path
    for router in (deal_pages_router, call_pages_router, alert_pages_router, nurture_pages_router, today_pages_router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount(DOCS_ASSETS_PATH, StaticFiles(directory=DOCS_ASSETS_DIR), name="docs-assets")
    return app
