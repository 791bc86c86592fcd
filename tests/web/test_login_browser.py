from __future__ import annotations

import pytest
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_a_rep_logs_in_and_out_in_a_real_browser(page, server_url, engine) -> None:
    make_user(engine, "rep@ember.example", password="correct horse")
    page.goto(f"{server_url}/")
    assert page.url.endswith("/login")
    page.fill("input[name=email]", "rep@ember.example")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    assert "wrong email or password" in page.text_content("[role=alert]")
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server_url}/")
    assert "Good to see you" in page.text_content("h1")
    assert page.text_content("#contact-count") == "0"
    page.click("text=Log out")
    page.wait_for_url(f"{server_url}/login")
    page.goto(f"{server_url}/")
    assert page.url.endswith("/login")
