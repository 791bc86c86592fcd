"""CSV import through the desk: upload, the column mapping and first rows, the import, the rejected rows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.desk_support import Desk, desk_people

from ember.db import unit_of_work
from ember.models import Contact

FIXTURES = Path(__file__).parent.parent / "imports" / "fixtures"


@pytest.fixture
def people(engine):  # type: ignore[no-untyped-def]
    return desk_people(engine)


def _upload(desk: Desk, name: str, data: bytes, **form: str):  # type: ignore[no-untyped-def]
    return desk.client.post("/settings/import", data={"kind": "contacts", "csrf": desk.token, **form},
                            files={"file": (name, data, "text/csv")}, headers={"accept": "text/html"})


def _contacts(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return {c.email: c.owner_id for c in session.query(Contact)}


def test_reps_cannot_import_through_the_desk(client, people) -> None:
    desk = Desk(client, "sam@ember.example")
    assert desk.get("/settings/import").status_code == 403
    assert _upload(desk, "x.csv", b"email\na@b.example\n").status_code == 403


def test_upload_preview_import_and_rejected_rows(client, engine, people) -> None:
    desk = Desk(client, "maya@ember.example")
    shown = _upload(desk, "hubspot.csv", (FIXTURES / "hubspot_contacts.csv").read_bytes(), owner="sam@ember.example")
    assert shown.status_code == 200
    matched = shown.text.split('id="matched"')[1].split("</table>")[0]
    ignored = shown.text.split('id="ignored"')[1].split("</table>")[0]
    assert "Email" in matched and "<code>email</code>" in matched and "Lifecycle Stage" in ignored
    assert "Lifecycle Stage" not in matched and "maren.holt@nordwerk.example" in shown.text  # a first row
    assert _contacts(engine) == {}  # nothing imported by the preview
    token = re.search(r'action="/settings/import/([^"]+)"', shown.text).group(1)  # type: ignore[union-attr]
    report = desk.post(f"/settings/import/{token}", {"kind": "contacts", "owner": "sam@ember.example",
                                                     "filename": "hubspot.csv"})
    assert report.status_code == 200 and 'id="import-report"' in report.text
    assert _contacts(engine)["tomas.ruiz@solara.example"] == people["sam"].id  # no owner in the row: the one chosen

    bad = _upload(desk, "invalid.csv", (FIXTURES / "invalid_contacts.csv").read_bytes())
    token = re.search(r'action="/settings/import/([^"]+)"', bad.text).group(1)  # type: ignore[union-attr]
    report = desk.post(f"/settings/import/{token}", {"kind": "contacts", "filename": "invalid.csv"})
    assert re.search(r'id="rejected">(\d+)<', report.text).group(1) == "3"  # type: ignore[union-attr]
    assert "not a valid email address" in report.text
    rejects = desk.get(f"/settings/import/{token}/rejected.csv")
    assert rejects.status_code == 200 and rejects.headers["content-type"].startswith("text/csv")
    lines = rejects.text.strip().splitlines()
    assert len(lines) == 4 and "not-an-email" in rejects.text and "good@valid.example" not in rejects.text
    assert "good@valid.example" in _contacts(engine)
    other = Desk(client, "wes@ember.example")  # a rep, and not the uploader: the rejects are not theirs
    assert other.get(f"/settings/import/{token}/rejected.csv").status_code == 403


@pytest.mark.parametrize(("name", "data", "form", "message"), [
    ("empty.csv", b"", {}, "is empty"),
    ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, {}, "file"),
    ("nomail.csv", b"first_name,city\nAnn,Berlin\n", {}, "header row is not usable"),
    ("ok.csv", b"email\na@b.example\n", {"kind": "unicorns"}, "not importable"),
])
def test_unusable_uploads_are_refused_on_the_form(client, engine, people, name, data, form, message) -> None:
    desk = Desk(client, "maya@ember.example")
    answer = _upload(desk, name, data, **form)
    assert answer.status_code == 422 and 'id="form-error"' in answer.text and message in answer.text
    assert _contacts(engine) == {}


def test_an_owner_outside_her_team_is_refused_and_nothing_goes_in(client, engine, people) -> None:
    desk = Desk(client, "maya@ember.example")
    shown = _upload(desk, "ok.csv", b"email,first_name\nann@x.example,Ann\n", owner="wes@ember.example")
    token = re.search(r'action="/settings/import/([^"]+)"', shown.text).group(1)  # type: ignore[union-attr]
    answer = desk.post(f"/settings/import/{token}", {"kind": "contacts", "owner": "wes@ember.example"})
    assert answer.status_code in (403, 404, 422) and _contacts(engine) == {}
