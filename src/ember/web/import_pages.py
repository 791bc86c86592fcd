"""CSV import on the desk: upload, see which columns are read and the first rows, import, get the rejects.

The upload is kept in the data directory under the importing user's own folder
until it is imported, so the preview and the import read the very same file; a
user can only reach their own uploads and rejects.
"""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response

from ember.api.deps import Db
from ember.errors import EmberError, InvalidInput, NotFound, Problem
from ember.imports.preview import preview
from ember.imports.service import import_csv
from ember.team_settings.effective import settings_for
from ember.users import management
from ember.users.access import Actor
from ember.web.desk import DeskUser, checked_form, failed
from ember.web.settings_pages import desk, sections_for

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form()]
KINDS = ("contacts", "accounts", "deals", "touches")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,40}$")


def _folder(request: Request, actor: Actor) -> Path:
    return Path(request.app.state.settings.data_dir) / "desk-imports" / str(actor.id)


def _upload(request: Request, actor: Actor, token: str) -> Path:
    path = _folder(request, actor) / f"{token}.csv"
    if not TOKEN.match(token) or not path.is_file():
        raise NotFound("that upload is gone; upload the file again")
    return path


def _context(db: Db, actor: Actor, **extra: Any) -> dict[str, Any]:
    people = [u for u in management.managed_users(db, actor) if u.is_active]
    return {"section": "import", "kinds": KINDS, "people": people, **extra}


def _form_failed(request: Request, db: Db, actor: Actor, exc: EmberError, form: dict[str, str]) -> Response:
    return failed(request, db, "settings/import.html", exc, sections=sections_for(actor, request), form=form,
                  **_context(db, actor))


@router.get("/settings/import")
def import_page(request: Request, db: Db, actor: DeskUser) -> Response:
    return desk(request, "settings/import.html", actor, form={"kind": "contacts"}, **_context(db, actor))


@router.post("/settings/import")
def upload(request: Request, db: Db, actor: DeskUser, kind: FormText = "contacts", owner: FormText = "",
           all_or_nothing: FormText = "", csrf: FormText = "",
           file: Annotated[UploadFile | None, File()] = None) -> Response:
    """Keep the upload and show how it will be read; nothing is imported yet."""
    checked_form(request, csrf)
    form = {"kind": kind, "owner": owner, "all_or_nothing": all_or_nothing}
    try:
        if kind not in KINDS:
            raise InvalidInput("choose what the file holds", [Problem("kind", f"{kind!r} is not importable",
                                                                      "choose contacts, accounts, deals or touches")])
        if file is None or not file.filename:
            raise InvalidInput("no file was chosen", [Problem("file", "no file", "choose a CSV file to upload")])
        token = secrets.token_urlsafe(18)
        folder = _folder(request, actor)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{token}.csv"
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        if path.stat().st_size == 0:
            path.unlink()
            raise InvalidInput(f"{file.filename} is empty", [Problem("file", "has no bytes",
                                                                     "export the data again and upload that file")])
        try:
            shown = preview(kind, path)
        except EmberError:
            path.unlink(missing_ok=True)
            raise
    except EmberError as exc:
        _as_file_problems(exc, file.filename if file else None)
        return _form_failed(request, db, actor, exc, form)
    return desk(request, "settings/import.html", actor, form=form, preview=shown, token=token,
                filename=file.filename, **_context(db, actor))


def _as_file_problems(exc: EmberError, filename: str | None) -> None:
    """Problems the reader names by file or line are shown at the file field."""
    for index, problem in enumerate(exc.problems):
        if problem.where not in ("kind", "file", "owner"):
            exc.problems[index] = Problem("file", f"{problem.where}: {problem.what}", problem.fix)


@router.post("/settings/import/{token}")
def run_import(request: Request, db: Db, actor: DeskUser, token: str, kind: FormText = "contacts",
               owner: FormText = "", all_or_nothing: FormText = "", filename: FormText = "",
               csrf: FormText = "") -> Response:
    """Import the kept upload; the report says what went in and what was rejected (and why)."""
    checked_form(request, csrf)
    path = _upload(request, actor, token)
    rejected = path.with_name(f"{token}-rejected.csv")
    cadence = settings_for(db, request.app.state.settings, actor.team_id).cadence.planning()
    form = {"kind": kind, "owner": owner, "all_or_nothing": all_or_nothing}
    try:
        report = import_csv(db, actor, kind, path, default_owner_email=owner or None,
                            all_or_nothing=all_or_nothing == "1", rejected_path=rejected, cadence=cadence)
    except EmberError as exc:
        _as_file_problems(exc, filename)
        return _form_failed(request, db, actor, exc, form)
    return desk(request, "settings/import.html", actor, form=form, report=report, token=token,
                filename=filename or "the file", has_rejects=rejected.is_file(), **_context(db, actor))


@router.get("/settings/import/{token}/rejected.csv")
def rejected_rows(request: Request, actor: DeskUser, token: str) -> Response:
    """The rows that did not go in, as uploaded, with the line and the reason: fix them and import this file."""
    path = _folder(request, actor) / f"{token}-rejected.csv"
    if not TOKEN.match(token) or not path.is_file():
        raise NotFound("no rejected rows for that import")
    return FileResponse(path, media_type="text/csv", filename="rejected-rows.csv")
