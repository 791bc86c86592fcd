"""The alerts inbox: newest first, seen or not, the event behind each and a link to act on it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ember.alerts import service as alert_service
from ember.api.deps import Db, check_csrf
from ember.web.desk import PageUser
from ember.web.templating import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
SHOWS = {"all": "All", "unseen": "Not seen", "seen": "Seen"}


def _readable(alert: dict[str, Any]) -> dict[str, Any]:
    """Stored instants as datetimes, for the page's own formatting."""
    return {**alert, "at": datetime.fromisoformat(alert["at"]),
            "occurred_at": datetime.fromisoformat(alert["occurred_at"]) if alert["occurred_at"] else None}


@router.get("/alerts")
def alerts_page(request: Request, db: Db, actor: PageUser, show: str = "all", page: int = 1) -> Response:
    show = show if show in SHOWS else "all"
    page = max(1, min(page, 10_000))
    found = alert_service.list_alerts(db, actor, unseen_only=show == "unseen", seen_only=show == "seen",
                                      limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render(request, "alerts.html", alerts=[_readable(a) for a in found[:PAGE_SIZE]],
                  has_more=len(found) > PAGE_SIZE, page=page, show=show, shows=SHOWS,
                  unseen=alert_service.unseen_count(db, actor), zone=actor.timezone)


@router.get("/alerts/{alert_id}/row")
def alert_row(request: Request, db: Db, actor: PageUser, alert_id: int) -> Response:
    """One alert as a row of the inbox: what the page adds when one arrives live."""
    alert = _readable(alert_service.get_alert(db, actor, alert_id))
    return render(request, "_alert_row.html", alert=alert, zone=actor.timezone)


@router.post("/alerts/{alert_id}/seen")
def mark_seen_form(request: Request, db: Db, actor: PageUser, alert_id: int,
                   csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    alert_service.mark_seen(db, actor, alert_id, now=datetime.now(UTC))
    unseen = alert_service.unseen_count(db, actor)
    if request.headers.get("HX-Request"):
        alert = _readable(alert_service.get_alert(db, actor, alert_id))
        response = render(request, "_alert_row.html", alert=alert, zone=actor.timezone)
        # The badge in the navigation counts unseen alerts only: it follows at once.
        response.headers["HX-Trigger"] = json.dumps({"ember:unseen": {"unseen": unseen}})
        return response
    request.session["flash"] = "Marked as seen."
    return RedirectResponse(request.headers.get("referer") or "/alerts", status_code=303)
