"""A person in a browser gets errors as pages inside the layout; scripts keep getting JSON."""

from __future__ import annotations

from tests.factories import make_user

BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _log_in(client, email: str) -> None:  # type: ignore[no-untyped-def]
    form = client.get("/login", headers=BROWSER).text
    csrf = form.split('name="csrf" value="')[1].split('"')[0]
    response = client.post("/login", data={"email": email, "password": "correct horse", "csrf": csrf},
                           headers=BROWSER, follow_redirects=False)
    assert response.status_code == 303


def test_a_missing_page_is_a_page_with_the_navigation(client, engine) -> None:
    make_user(engine, "rep@ember.example", password="correct horse")
    _log_in(client, "rep@ember.example")
    response = client.get("/no-such-page", headers=BROWSER)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is no page at this address" in response.text
    assert 'href="/today"' in response.text  # the rep can find their way back


def test_a_contact_the_rep_cannot_see_is_a_404_page(client, engine) -> None:
    make_user(engine, "rep@ember.example", password="correct horse")
    _log_in(client, "rep@ember.example")
    response = client.get("/contacts/424242", headers=BROWSER)
    assert response.status_code == 404
    assert "Contact 424242 not found." in response.text and "<html" in response.text


def test_the_api_still_answers_json(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    response = client.get("/api/contacts/424242", headers={**BROWSER, **rep.headers})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
