"""The desk in a real browser: a manager's visit and an admin adding a person."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.browser_support import log_in, serious_axe_violations
from tests.desk_support import PASSWORD
from tests.factories import make_user

from ember.db import unit_of_work
from ember.models import ComposeTemplate, Contact, TriggerRule

pytestmark = pytest.mark.browser




def test_a_managers_visit_template_rule_and_import(page, server_url, engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_user(engine, "maya@ember.example", role="manager", team="East", password=PASSWORD)
    sam = make_user(engine, "sam@ember.example", role="rep", team="East", password=PASSWORD)
    with unit_of_work(engine) as session:
        session.add(Contact(owner_id=sam.id, first_name="Annika", last_name="Holt", email="annika@nordwerk.example",
                            timezone="Europe/Berlin", country="DE"))
    log_in(page, server_url, "maya@ember.example")
    page.click("nav.mainnav >> text=Settings")
    page.wait_for_url(re.compile(r"/settings$"))
    assert serious_axe_violations(page) == []

    # A template, edited with the preview written for a real contact.
    page.click(".desk-nav >> text=Templates")
    page.wait_for_url(re.compile(r"/settings/templates"))
    page.wait_for_selector("#preview-text")  # the first preview arrives by itself
    page.fill("#template-body", "Subject: {{ first_name }}, your notes\n\nHi {{ first_name }}, thanks for today.")
    page.wait_for_function("() => ((document.querySelector('#preview-text') || {}).textContent || '')"
                           ".includes('Hi Annika, thanks for today.')")
    assert page.text_content("#preview-subject") == "Annika, your notes"
    page.fill("#template-body", "Subject: x\n\nHi {{ first_name ")
    page.wait_for_selector("#preview-error")
    page.click("button[value=save]")
    page.wait_for_selector("#form-error")  # refused: it does not render
    with unit_of_work(engine) as session:
        assert session.query(ComposeTemplate).count() == 0
    assert serious_axe_violations(page) == []
    page.fill("#template-body", "Subject: {{ first_name }}, your notes\n\nHi {{ first_name }}, thanks for today.")
    page.click("button[value=save]")
    page.wait_for_selector("#flash")
    assert "saved" in page.text_content("#flash")

    # A trigger rule for her team.
    page.click(".desk-nav >> text=Trigger rules")
    page.fill("#add-rule input[name=name]", "")
    page.click("#add-rule button[type=submit]")
    page.wait_for_selector("#error-name")
    page.fill("#add-rule input[name=name]", "Integrations page")
    page.fill("#add-rule input[name=url_pattern]", "*/integrations*")
    page.click("#add-rule button[type=submit]")
    page.wait_for_selector("#flash")
    assert "Integrations page" in page.text_content("#rules")
    with unit_of_work(engine) as session:
        assert session.query(TriggerRule).filter_by(name="Integrations page").one().team_id is not None

    # A CSV with one bad row: preview, import, download the rejected row.
    upload = tmp_path / "leads.csv"
    upload.write_text("Email,First Name,Favourite Colour\nnina@acme.example,Nina,blue\nbroken-address,Bob,red\n")
    page.click(".desk-nav >> text=Import CSV")
    page.set_input_files("input[type=file]", str(upload))
    page.click("#upload")
    page.wait_for_selector("#import-preview")
    assert "Favourite Colour" in page.text_content("#ignored") and "Email" in page.text_content("#matched")
    assert "nina@acme.example" in page.text_content("#first-rows")
    assert serious_axe_violations(page) == []
    page.click("#run-import")
    page.wait_for_selector("#import-report")
    assert page.text_content("#created").strip() == "1" and page.text_content("#rejected").strip() == "1"
    with page.expect_download() as download:
        page.click("#download-rejects")
    saved = tmp_path / "rejected.csv"
    download.value.save_as(saved)
    rejected = saved.read_text()
    assert "broken-address" in rejected and "nina@acme.example" not in rejected


def test_an_admin_adds_a_person_who_can_thenlog_in(page, server_url, engine) -> None:  # type: ignore[no-untyped-def]
    make_user(engine, "admin@ember.example", role="admin", team="East", password=PASSWORD)
    log_in(page, server_url, "admin@ember.example")
    page.goto(f"{server_url}/settings/users")
    form = "#add-user"
    page.fill(f"{form} input[name=email]", "lena.fischer@ember.example")
    page.fill(f"{form} input[name=name]", "Lena Fischer")
    page.select_option(f"{form} select[name=role]", "manager")
    page.fill(f"{form} input[name=timezone]", "Europe/Berlin")
    page.fill(f"{form} input[name=password]", "short")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector("#error-password")
    assert page.input_value(f"{form} input[name=name]") == "Lena Fischer"  # what was typed stays
    assert serious_axe_violations(page) == []
    page.fill(f"{form} input[name=password]", "lena-first-pass")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector("#flash")
    assert "Lena Fischer" in page.text_content("h1")
    page.click("text=Log out")
    page.wait_for_url(re.compile(r"/login"))
    page.fill("input[name=email]", "lena.fischer@ember.example")
    page.fill("input[name=password]", "lena-first-pass")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server_url}/")
    assert "Lena Fischer · manager" in page.text_content(".usermenu")
