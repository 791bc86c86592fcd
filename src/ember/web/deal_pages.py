"""Deal pages: the pipeline stage by stage, one deal with its people, calls and steps, stage changes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ember.api.deps import Db, check_csrf
from ember.deals import service as deal_service
from ember.errors import EmberError, InvalidInput
from ember.users.access import Actor
from ember.users.service import visible_users
from ember.vocabulary import DealStage, DecisionRole, Role
from ember.web.desk import PageUser
from ember.web.pages import back_to
from ember.web.templating import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


def _filters(stage: str, owner: str, stalled: str, q: str) -> tuple[deal_service.PipelineFilter, dict[str, str]]:
    stage = stage if stage in {s.value for s in DealStage} else ""
    owner_id = int(owner) if owner.isdigit() else None
    wanted = deal_service.PipelineFilter(stage=stage or None, owner_id=owner_id, stalled_only=stalled == "1",
                                         search=q.strip()[:200] or None, include_closed=True)
    shown = {k: v for k, v in {"stage": stage, "owner": str(owner_id or ""), "stalled": "1" if stalled == "1" else "",
                                "q": q.strip()[:200]}.items() if v}
    return wanted, shown


@router.get("/deals")
def deals_page(request: Request, db: Db, actor: PageUser, stage: str = "", owner: str = "", stalled: str = "",
               q: str = "",
               page: int = 1) -> Response:
    wanted, shown = _filters(stage, owner, stalled, q)
    page = max(1, min(page, 10_000))
    stall_after = request.app.state.settings.cadence.follow_ups_before_stalled
    found = deal_service.pipeline(db, actor, wanted, stall_after=stall_after, limit=PAGE_SIZE,
                                  offset=(page - 1) * PAGE_SIZE)
    owners = visible_users(db, actor) if actor.role is not Role.REP else []
    return render(request, "deals.html", pipeline=found, stages=list(DealStage), filters=shown, owners=owners,
                  page=page, url=_url(shown), stage_links=_stage_links(shown), stall_after=stall_after,
                  zone=actor.timezone)


def _url(shown: dict[str, str]) -> str:
    return "/deals" + ("?" + urlencode(shown) if shown else "")


def _stage_links(shown: dict[str, str]) -> dict[str, str]:
    """The pipeline under the same filters at each stage ("" for every stage)."""
    others = {k: v for k, v in shown.items() if k != "stage"}
    return {"": _url(others), **{s.value: _url({**others, "stage": s.value}) for s in DealStage}}


def _deal_context(db: Db, actor: Actor, deal_id: int) -> dict[str, Any]:
    view = deal_service.deal_view(db, actor, deal_id)
    return {"view": view, "deal": view.deal, "stages": list(DealStage), "zone": actor.timezone,
            "roles": [r.value for r in DecisionRole]}


@router.get("/deals/{deal_id}")
def deal_page(request: Request, db: Db, actor: PageUser, deal_id: int) -> Response:
    return render(request, "deal.html", **_deal_context(db, actor, deal_id))


@router.post("/deals/{deal_id}/stage")
def change_stage_form(request: Request, db: Db, actor: PageUser, deal_id: int, stage: Annotated[str, Form()],
                      csrf: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    try:
        deal = deal_service.change_stage(db, actor, deal_id, stage, reason=reason, now=datetime.now(UTC))
    except EmberError as exc:
        db.rollback()
        return render(request, "deal.html", status_code=422, error=exc.message,
                      problems=[str(p) for p in exc.problems], form={"stage": stage, "reason": reason},
                      **_deal_context(db, actor, deal_id))
    request.session["flash"] = f"{deal.name} is now at stage {deal.stage.replace('_', ' ')}."
    return RedirectResponse(f"/deals/{deal_id}", status_code=303)


@router.post("/deals/{deal_id}/people/{contact_id}/role")
def stakeholder_role_form(request: Request, db: Db, actor: PageUser, deal_id: int, contact_id: int,
                          role: Annotated[str, Form()] = "",
                          csrf: Annotated[str, Form()] = "", back: Annotated[str, Form()] = "") -> Response:
    """Someone's say in this deal, set by the rep from the deal page or the contact's page."""
    check_csrf(request, csrf)
    target = back_to(back) or f"/deals/{deal_id}"
    try:
        deal_service.set_stakeholder_role(db, actor, deal_id, contact_id, role)
    except InvalidInput as exc:
        db.rollback()
        request.session["flash"] = f"Not changed: {exc.message} ({'; '.join(str(p) for p in exc.problems)})"
        return RedirectResponse(target, status_code=303)
    request.session["flash"] = f"Role on this deal set to {role.replace('_', ' ')}."
    return RedirectResponse(target, status_code=303)
