"""The nurture list page: who said no, since when and why, what they did since, export, re-open."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from ember.api.deps import Db, check_csrf
from ember.errors import EmberError
from ember.nurture import service as nurture_service
from ember.users.access import Actor
from ember.web.desk import PageUser
from ember.web.templating import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


def _page(request: Request, db: Db, actor: Actor, page: int, status_code: int = 200, **extra: object) -> Response:
    page = max(1, min(page, 10_000))
    entries = nurture_service.list_nurture(db, actor, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    shown = entries[:PAGE_SIZE]
    return render(request, "nurture.html", status_code=status_code, entries=shown,
                  histories=nurture_service.histories(db, [e.contact_id for e in shown]),
                  total=nurture_service.count_on_list(db, actor), has_more=len(entries) > PAGE_SIZE, page=page,
                  zone=actor.timezone, **extra)


@router.get("/nurture")
def nurture_page(request: Request, db: Db, actor: PageUser, page: int = 1) -> Response:
    return _page(request, db, actor, page)


@router.get("/nurture/export.csv")
def nurture_export(request: Request, db: Db, actor: PageUser) -> Response:
    """The same CSV as the API's export, for a newsletter tool, straight from the page."""
    lines = list(nurture_service.export_lines(db, actor))  # read inside the request's transaction
    return StreamingResponse(iter(lines), media_type="text/csv",
                             headers={"Content-Disposition": 'attachment; filename="nurture.csv"'})


@router.post("/nurture/{contact_id}/reopen")
def reopen_form(request: Request, db: Db, actor: PageUser, contact_id: int, csrf: Annotated[str, Form()] = "",
                reason: Annotated[str, Form()] = "", page: Annotated[int, Form()] = 1) -> Response:
    check_csrf(request, csrf)
    try:
        contact = nurture_service.reopen_with_reason(db, actor, contact_id, why=reason, now=datetime.now(UTC),
                                                     settings=request.app.state.settings.cadence.planning())
    except EmberError as exc:
        db.rollback()
        return _page(request, db, actor, page, 422, error=exc.message, problems=[str(p) for p in exc.problems],
                     failed_id=contact_id, reason=reason)
    request.session["flash"] = f"{contact.full_name} is active again; their next touch is planned."
    return RedirectResponse(f"/contacts/{contact_id}", status_code=303)
