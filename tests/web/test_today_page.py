"""The Today page without a browser: groups and counts, filters, the manager's choice of rep,
row actions as plain form posts, and someone else's plan answering 404."""

from __future__ import annotations

import re

from tests.factories import make_user
from tests.today.support import seed_today


def _log_in(client, email: str) -> str:  # type: ignore[no-untyped-def]
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"email": email, "password": "correct horse", "csrf": token})
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/today").text).group(1)  # type: ignore[union-attr]


def test_groups_counts_filters_and_a_managers_choice(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    boss = make_user(engine, "boss@ember.example", role="manager", password="correct horse")
    data = seed_today(engine, rep.id)
    _log_in(client, rep.email)
    page = client.get("/today").text
    assert "Overdue" in page and "Promises to check" in page and "Later today" in page
    assert "{" not in re.sub(r"<[^>]+>", "", page.split('id="content"')[1])  # no unfilled placeholder
    assert "9 days late" in page and "tel:+49 30 1234567" in page and "mailto:ida@nordwerk.example" in page
    email_only = client.get("/today?channel=email").text
    assert f"row-ftc-{data.plans['email']}" in email_only and f"row-ftc-{data.plans['overdue']}" not in email_only
    assert "Promises to check" not in email_only
    none = client.get("/today?channel=sms").text
    assert "Nothing planned matches these filters" in none

    client.post("/logout", data={"csrf": _log_in(client, boss.email)})
    _log_in(client, boss.email)
    theirs = client.get("/today?rep=rep@ember.example").text
    assert f"row-ftc-{data.plans['overdue']}" in theirs and "Today · Rep" in theirs
    assert client.get("/today").status_code == 200


def test_row_actions_work_as_plain_forms_and_refuse_what_is_wrong(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    other = make_user(engine, "west@ember.example", team="West", password="correct horse")
    data = seed_today(engine, rep.id)
    token = _log_in(client, other.email)
    refused = client.post(f"/today/plans/{data.plans['overdue']}/log", headers={"HX-Request": "true"},
                          data={"csrf": token, "channel": "call", "outcome": "gatekeeper"})
    assert refused.status_code == 422 and "not found" in refused.text

    token = _log_in(client, rep.email)
    no_outcome = client.post(f"/today/plans/{data.plans['overdue']}/log", headers={"HX-Request": "true",
                             "HX-Trigger": f"f-log-{data.plans['overdue']}"},
                             data={"csrf": token, "channel": "call", "outcome": ""})
    assert no_outcome.status_code == 422 and "choose what happened" in no_outcome.text
    assert no_outcome.headers["HX-Retarget"] == f"#f-log-{data.plans['overdue']} .form-error"
    email_gatekeeper = client.post(f"/today/plans/{data.plans['email']}/log", headers={"HX-Request": "true"},
                                   data={"csrf": token, "channel": "email", "outcome": "gatekeeper"})
    assert email_gatekeeper.status_code == 422 and "cannot happen on the email channel" in email_gatekeeper.text
    no_reason = client.post(f"/today/plans/{data.plans['later']}/skip", data={"csrf": token, "reason": " "},
                            headers={"HX-Request": "true"})
    assert no_reason.status_code == 422 and "say why" in no_reason.text

    logged = client.post(f"/today/plans/{data.plans['overdue']}/log", follow_redirects=False,
                         data={"csrf": token, "channel": "call", "outcome": "voicemail"})
    assert logged.status_code == 303 and logged.headers["location"] == "/today"
    assert "Logged FTC #1 (voicemail)" in client.get("/today").text
    again = client.post(f"/today/plans/{data.plans['overdue']}/log", headers={"HX-Request": "true"},
                        data={"csrf": token, "channel": "call", "outcome": "voicemail"})
    assert again.status_code == 409 and "already done" in again.text
