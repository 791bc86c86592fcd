"""The deal page's next steps in a real browser, on a laptop (1366 px) and a phone (390 px): each open
step's buttons sit on one line under it, and the new-date picker opens below them without pushing
the other buttons onto lines of their own."""

from __future__ import annotations

import pytest
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.browser_support import log_in as browser_log_in
from tests.factories import make_user
from tests.web.page_support import log_in
from tests.web.test_step_pages import _call_with_steps

pytestmark = pytest.mark.browser

BUTTONS = """id => [...document.querySelectorAll(
    `#step-actions-${id} > form button, #step-actions-${id} > details > summary`)]
  .map(e => { const r = e.getBoundingClientRect();
    return {text: e.textContent.trim(), top: Math.round(r.top), bottom: Math.round(r.bottom), right: r.right}; })"""


def _one_line(buttons: list[dict[str, float]]) -> bool:
    return max(b["top"] for b in buttons) < min(b["bottom"] for b in buttons)


def test_each_open_steps_buttons_share_one_line_on_a_laptop_and_a_phone(client, engine, server_url) -> None:
    from playwright.sync_api import sync_playwright

    require_chromium()
    rep = make_user(engine, "dana@acme.example", password="correct horse")
    deal_id, _call_id, steps = _call_with_steps(client, engine, rep.id, log_in(client, rep.email))
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for width, height in ((1366, 900), (390, 844)):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.set_default_timeout(30_000)
                browser_log_in(page, server_url, rep.email)
                page.goto(f"{server_url}/deals/{deal_id}")
                for step_id in steps:
                    buttons = page.evaluate(BUTTONS, step_id)
                    assert [b["text"] for b in buttons] == ["Mark done", "Won't happen", "New date"], buttons
                    if not _one_line(buttons):
                        problems.append(f"{width} px: the buttons of step {step_id} wrap: {buttons}")
                    if max(b["right"] for b in buttons) > width:
                        problems.append(f"{width} px: the buttons of step {step_id} run off the screen")
                page.click(f"#step-actions-{steps[0]} summary")
                picker = page.locator(f"#f-redate-{steps[0]}")
                picker.wait_for(state="visible")
                buttons = page.evaluate(BUTTONS, steps[0])
                below = picker.bounding_box()
                if not _one_line(buttons) or below is None or below["y"] < max(b["bottom"] for b in buttons):
                    problems.append(f"{width} px: the open date picker moved the buttons or sits beside them")
                page.close()
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
