"""In Chromium, under the content security policy: pages run without a single violation,
and what used to be inline script (the alert badge, the queue picker) still works."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_pages_work_under_the_content_policy(page, server_url, engine) -> None:
    make_user(engine, "lead@ember.example", role="manager", password="correct horse")
    make_user(engine, "rep@ember.example")
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(f"{server_url}/login")
    page.fill("input[name=email]", "lead@ember.example")
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server_url}/")
    for path in ("/", "/contacts", "/nurture", "/today"):
        page.goto(f"{server_url}{path}")
        page.wait_for_load_state("networkidle")
    page.select_option("select[name=rep]", "rep@ember.example")  # picks another rep's queue at once
    page.wait_for_url(re.compile(r"/today\?rep=rep%40ember\.example"))  # the filters ride along
    assert page.evaluate("typeof htmx") == "object"
    assert violations == []
