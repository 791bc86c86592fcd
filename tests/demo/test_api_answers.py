"""Every reading API call, on a full demo data set, answers as the OpenAPI document says.

The fuzz test (tests/security/test_fuzz.py) mostly meets empty lists and unknown ids; here
each answer carries real rows (analysed calls, next steps, alerts, nurture entries, sent
mail), so every field of every documented model is checked against what the code returns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine, select

from ember.app import create_app
from ember.db import unit_of_work
from ember.models import Call, Contact, NextStep, Touch, User
from ember.settings import Settings
from ember.users.service import issue_token
from tests.demo.conftest import Build

# The live feed waits for alerts (its own tests open it); sources and users are for admins and managers.
NOT_A_REP_READ = {"/api/alerts/stream", "/api/sources", "/api/sources/{name}", "/api/sources/{name}/mapping",
                  "/api/users"}
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


def _rep_with_a_call(engine: Engine) -> tuple[str, dict[str, Any]]:
    """A token of the rep behind a recorded call, and ids of that rep's records to read."""
    with unit_of_work(engine) as session:
        found = session.execute(select(Call, Touch).join(Touch, Touch.id == Call.touch_id)
                                .where(Touch.deal_id.is_not(None)).order_by(Call.id)).first()
        assert found is not None, "the demo data holds recorded calls"
        call, touch = found
        rep = session.get(User, touch.rep_id)
        assert rep is not None
        step = session.scalar(select(NextStep.id).where(NextStep.rep_id == rep.id).order_by(NextStep.id))
        account = session.scalar(select(Contact.account_id).where(Contact.id == touch.contact_id))
        ids = {"contact_id": touch.contact_id, "account_id": account, "deal_id": touch.deal_id, "call_id": call.id,
               "step_id": step, "kind": "contacts", "name": "email-post-meeting"}
        return issue_token(session, rep), ids


def test_every_read_answers_as_documented(build: Build, tmp_path: Path) -> None:
    engine = build(contacts=60, seed=11)
    token, ids = _rep_with_a_call(engine)
    settings = Settings(data_dir=tmp_path, secret_key="test-secret-key-that-is-long-enough",
                        database_url=engine.url.render_as_string(hide_password=False))
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(settings, engine))
    failures, read = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET" or operation.path in NOT_A_REP_READ:
            continue
        names = [p.name for p in operation.path_parameters]
        case = operation.Case(path_parameters={name: ids[name] for name in names} or None)
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        read.append(f"{operation.path} {response.status_code} {len(response.content)} bytes")
        if response.status_code != 200:
            failures.append(f"GET {case.formatted_path} -> {response.status_code}: {response.text[:200]}")
            continue
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            failures.extend(f"GET {case.formatted_path}: {f.title}: {f.message[:400]}" for f in group.exceptions)
    assert len(read) >= 25, read
    assert failures == []
