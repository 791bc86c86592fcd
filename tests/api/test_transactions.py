"""The request's transaction commits before its response is sent.

Otherwise a browser following a redirect (or a script acting on a 201)
could read the old data, and a failing commit would come after a success."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session
from tests.factories import make_user


def test_commit_happens_before_the_response_starts(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    order: list[str] = []
    app = client.app
    inner = app.middleware_stack or app.build_middleware_stack()

    async def recording(scope, receive, send):  # type: ignore[no-untyped-def]
        async def spy(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                order.append("response")
            await send(message)

        await inner(scope, receive, spy)

    def committed(_session: Session) -> None:
        order.append("commit")

    app.middleware_stack = recording
    event.listen(Session, "after_commit", committed)
    try:
        response = client.post("/api/contacts", headers=rep.headers, json={"email": "new@lead.example"})
    finally:
        event.remove(Session, "after_commit", committed)
        app.middleware_stack = inner
    assert response.status_code == 201
    assert order[:2] == ["commit", "response"], order
