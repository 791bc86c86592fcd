"""The desk's libraries: the message library, templates, customer stories.

Each page lists what there is and offers a form; a form that does not validate
comes back as typed with the error on it, and nothing is stored.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ember.api.deps import Db
from ember.compose import service as compose_service
from ember.compose import stories as story_service
from ember.compose.rules import TEMPLATE_NAMES, VARIABLES
from ember.contacts.service import list_contacts
from ember.errors import EmberError, InvalidInput, NotFound, Problem
from ember.messages import service as message_service
from ember.users.access import Actor, library_team
from ember.vocabulary import MessagePhase, MessageSituation
from ember.web.desk import DeskUser, checked_form, done, failed
from ember.web.settings_pages import desk, sections_for
from ember.web.templating import render

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form()]


def _number(value: str, where: str, default: int | None = None) -> int | None:
    """A whole number typed in a form field; an InvalidInput naming the field otherwise."""
    text = value.strip()
    if not text:
        return default
    if not text.lstrip("-").isdigit():
        raise InvalidInput(f"{where} is not a number", [Problem(where, f"{text!r} is not a whole number",
                                                                "type digits only, e.g. 3")])
    return int(text)


# ---- message library ------------------------------------------------------------------------

def _messages_context(db: Db, actor: Actor) -> dict[str, Any]:
    return {"section": "messages", "variants": message_service.list_variants(db, actor),
            "situations": [s.value for s in MessageSituation], "phases": [p.value for p in MessagePhase],
            "keeps_shared": library_team(actor) is None}


@router.get("/settings/messages")
def messages_page(request: Request, db: Db, actor: DeskUser, edit: str | None = None) -> Response:
    context = _messages_context(db, actor)
    form: dict[str, Any] = {"situation": "email", "phase": "follow_up"}
    if edit:
        row = message_service.get_variant(db, actor, edit)
        form = {"key": row.key, "situation": row.situation, "phase": row.phase or "", "attempt": row.attempt or "",
                "subject": row.subject or "", "body": row.body, "pairs_with": row.pairs_with_key or ""}
    return desk(request, "settings/messages.html", actor, form=form, editing=edit or "", **context)


@router.post("/settings/messages")
def save_message(request: Request, db: Db, actor: DeskUser, key: FormText = "", situation: FormText = "",
                 phase: FormText = "", attempt: FormText = "", subject: FormText = "", body: FormText = "",
                 pairs_with: FormText = "", editing: FormText = "", csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    form = {"key": editing or key, "situation": situation, "phase": phase, "attempt": attempt, "subject": subject,
            "body": body, "pairs_with": pairs_with}
    try:
        row = message_service.save_variant(
            db, actor, key=editing or key.strip(), situation=situation, phase=phase or None, body=body,
            attempt=_number(attempt, "attempt"), subject=subject.strip() or None, pairs_with=pairs_with.strip() or None,
            create=not editing)
    except EmberError as exc:
        db.rollback()
        return failed(request, db, "settings/messages.html", exc, sections=sections_for(actor, request), form=form,
                      editing=editing, **_messages_context(db, actor))
    return done(request, f"Message {row.key} saved.", f"/settings/messages#variant-{row.key}")


@router.post("/settings/messages/{key}/active")
def toggle_message(request: Request, db: Db, actor: DeskUser, key: str, active: FormText = "",
                   csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    row = message_service.set_active(db, actor, key, active == "1")
    return done(request, f"Message {row.key} {'back in rotation' if row.is_active else 'taken out of rotation'}.",
                f"/settings/messages#variant-{row.key}")


# ---- templates, with a live preview ---------------------------------------------------------

def _template_context(db: Db, actor: Actor, name: str) -> dict[str, Any]:
    if name not in TEMPLATE_NAMES:
        raise NotFound(f"no template named {name!r}")
    return {"section": "templates", "template_name": name, "current": compose_service.get_template(db, actor, name),
            "templates": compose_service.list_templates(db, actor), "variables": VARIABLES,
            "keeps_shared": library_team(actor) is None,
            "contacts": list_contacts(db, actor, limit=50)}


@router.get("/settings/templates")
def templates_page(request: Request, db: Db, actor: DeskUser, name: str = "note") -> Response:
    context = _template_context(db, actor, name)
    contacts = context["contacts"]
    return desk(request, "settings/templates.html", actor, body=context["current"]["body"],
                contact_id=contacts[0].id if contacts else None, **context)


def _preview(db: Db, actor: Actor, name: str, body: str, contact_id: str) -> Any:
    chosen = _number(contact_id, "contact")
    if chosen is None:
        raise InvalidInput("choose a contact to preview on", [Problem("contact", "none chosen",
                                                                      "pick one of your contacts")])
    return compose_service.preview_template(db, actor, name, body, chosen)


@router.post("/settings/templates/{name}/preview")
def preview_template(request: Request, db: Db, actor: DeskUser, name: str, body: FormText = "",
                     contact_id: FormText = "", csrf: FormText = "") -> Response:
    """The draft written for a real contact (an htmx fragment); nothing is saved."""
    checked_form(request, csrf)
    try:
        rendered, problems = _preview(db, actor, name, body, contact_id), []
    except EmberError as exc:
        db.rollback()
        rendered, problems = None, [str(p) for p in exc.problems] or [exc.message]
    # htmx swaps only successful answers: the fragment that says what is wrong comes with 200.
    refused = 200 if request.headers.get("hx-request") else 422
    return render(request, "settings/_preview.html", rendered=rendered, problems=problems,
                  status_code=200 if rendered is not None else refused)


@router.post("/settings/templates/{name}")
def save_template(request: Request, db: Db, actor: DeskUser, name: str, body: FormText = "",
                  contact_id: FormText = "", action: FormText = "save", csrf: FormText = "") -> Response:
    """Saved only when it renders: for every sample, and for the contact chosen for the preview."""
    checked_form(request, csrf)
    try:
        if action == "reset":
            compose_service.reset_template(db, actor, name)
            back = "Ember's wording" if library_team(actor) is None else "the shared wording"
            return done(request, f"Template {name} is back to {back}.", f"/settings/templates?name={name}")
        rendered = _preview(db, actor, name, body, contact_id) if contact_id.strip() else None
        compose_service.save_template(db, actor, name, body)
    except EmberError as exc:
        if isinstance(exc, NotFound) and name not in TEMPLATE_NAMES:
            raise
        db.rollback()
        return failed(request, db, "settings/templates.html", exc, sections=sections_for(actor, request), body=body,
                      contact_id=_number(contact_id, "contact") if contact_id.strip().isdigit() else None,
                      **_template_context(db, actor, name))
    said = " It renders for the contact you previewed it on." if rendered is not None else ""
    whose = "for every team" if library_team(actor) is None else "for your team"
    return done(request, f"Template {name} saved {whose}.{said}", f"/settings/templates?name={name}")


# ---- customer stories -------------------------------------------------------------------------

def _stories_context(db: Db, actor: Actor) -> dict[str, Any]:
    return {"section": "stories", "stories": story_service.list_stories(db, actor), "kinds": story_service.KINDS,
            "keeps_shared": library_team(actor) is None}


@router.get("/settings/stories")
def stories_page(request: Request, db: Db, actor: DeskUser, edit: int | None = None) -> Response:
    form: dict[str, Any] = {"kind": "story"}
    if edit is not None:
        row = story_service.visible_story(db, actor, edit)
        edit = row.id
        form = story_service.story_dict(row)
    return desk(request, "settings/stories.html", actor, form=form, editing=edit, **_stories_context(db, actor))


@router.post("/settings/stories")
def save_story(request: Request, db: Db, actor: DeskUser, kind: FormText = "story", title: FormText = "",
               text: FormText = "", industry: FormText = "", problem_keywords: FormText = "",
               story_id: FormText = "", csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    editing = int(story_id) if story_id.isdigit() else None
    form = {"kind": kind, "title": title, "text": text, "industry": industry, "problem_keywords": problem_keywords}
    try:
        row = story_service.save_story(db, actor, story_id=editing, kind=kind, title=title, text=text,
                                       industry=industry, problem_keywords=problem_keywords)
    except EmberError as exc:
        if isinstance(exc, NotFound):
            raise
        db.rollback()
        return failed(request, db, "settings/stories.html", exc, sections=sections_for(actor, request), form=form,
                      editing=editing, **_stories_context(db, actor))
    return done(request, f"Story “{row.title}” saved.", "/settings/stories")


@router.post("/settings/stories/{story_id}/delete")
def delete_story(request: Request, db: Db, actor: DeskUser, story_id: int, csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    story_service.delete_story(db, actor, story_id)
    return done(request, "Story deleted.", "/settings/stories")
