"""/admin/audit: the admins' view of who changed what and when."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ember.api.deps import Db
from ember.audit.service import TARGET_TYPES, entries
from ember.validation import parse_datetime
from ember.web.desk import AdminUser
from ember.web.settings_pages import desk

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/admin/audit")
def audit_page(request: Request, db: Db, viewer: AdminUser, who: str = "", kind: str = "", since: str = "",
               page: int = 1) -> Response:
    page = max(1, page)
    try:  # a day is read in the admin's own time zone
        since_at = parse_datetime(since, viewer.timezone) if since else None
    except ValueError as exc:
        return desk(request, "audit.html", viewer, status_code=422, error=f"Since: {exc}", entries=[],
                    has_next=False, page=1, who=who, kind=kind, since=since, kinds=TARGET_TYPES,
                    url="/admin/audit", section="audit")
    rows = entries(db, since=since_at, actor=who or None, target_type=kind if kind in TARGET_TYPES else None,
                   limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    query = urlencode({name: value for name, value in (("who", who), ("kind", kind), ("since", since)) if value})
    return desk(request, "audit.html", viewer, section="audit", entries=rows[:PAGE_SIZE],
                has_next=len(rows) > PAGE_SIZE, page=page, who=who, kind=kind, since=since, kinds=TARGET_TYPES,
                url="/admin/audit" + (f"?{query}" if query else ""))
