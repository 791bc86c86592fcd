"""Bad input is the caller's error, said clearly (4xx), never a server error: duplicate and empty
external ids, ids past 2^63, explicit nulls in PATCH, references to records that do not exist,
duplicate account domains and oversized CSV cells."""

from __future__ import annotations

import io

import pytest

from tests.factories import make_user

HUGE = 2**64


@pytest.fixture
def rep(engine):  # type: ignore[no-untyped-def]
    return make_user(engine, "rep@ember.example")


@pytest.mark.parametrize("path", ["/api/contacts", "/api/accounts", "/api/deals"])
def test_a_duplicate_external_id_is_a_clear_conflict(client, rep, path: str) -> None:
    def body(n: int) -> dict[str, object]:
        return {"email": f"c{n}@x.example"} if path == "/api/contacts" else {"name": f"N{n}"}

    first = client.post(path, headers=rep.headers, json={**body(1), "external_id": "CRM-1"})
    again = client.post(path, headers=rep.headers, json={**body(2), "external_id": "CRM-1"})
    assert first.status_code == 201 and again.status_code == 409, again.text
    assert again.json()["error"]["problems"][0]["where"] == "external_id"
    second = client.post(path, headers=rep.headers, json={**body(3), "external_id": "CRM-2"}).json()["id"]
    moved = client.patch(f"{path}/{second}", headers=rep.headers, json={"external_id": "CRM-1"})
    assert moved.status_code == 409
    # An empty id is no id: any number of records may leave it blank.
    for n in (4, 5):
        blank = client.post(path, headers=rep.headers, json={**body(n), "external_id": ""})
        assert blank.status_code == 201 and blank.json()["external_id"] is None, blank.text


@pytest.mark.parametrize("method, path, body", [
    ("GET", f"/api/contacts/{HUGE}", None),
    ("PATCH", f"/api/deals/{HUGE}", {"name": "x"}),
    ("DELETE", f"/api/touches/{HUGE}", None),
    ("GET", f"/api/outbound?contact_id={HUGE}", None),
    ("GET", f"/api/contacts?offset={HUGE}", None),
    ("POST", "/api/deals", {"name": "x", "account_id": HUGE}),
    ("POST", "/api/touches", {"contact_id": HUGE, "channel": "call", "outcome": "no-answer"}),
    ("POST", "/api/accounts", {"name": "Big", "size": HUGE}),
])
def test_ids_and_counts_past_2_63_are_refused_as_invalid(client, rep, method: str, path: str, body) -> None:
    response = client.request(method, path, headers=rep.headers, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["problems"], response.text


@pytest.mark.parametrize("path, field, create", [
    ("/api/contacts", "first_name", {"email": "n@x.example"}),
    ("/api/contacts", "status", {"email": "n@x.example"}),
    ("/api/accounts", "name", {"name": "Acme"}),
    ("/api/deals", "stage", {"name": "Pilot"}),
    ("/api/deals", "currency", {"name": "Pilot"}),
])
def test_explicit_null_in_patch_is_refused_and_changes_nothing(client, rep, path: str, field: str, create) -> None:
    created = client.post(path, headers=rep.headers, json=create).json()
    response = client.patch(f"{path}/{created['id']}", headers=rep.headers, json={field: None})
    assert response.status_code == 422, response.text
    [problem] = response.json()["error"]["problems"]
    assert problem["where"] == f"field {field}" and "null" in problem["what"]
    assert client.get(f"{path}/{created['id']}", headers=rep.headers).json() == created


@pytest.mark.parametrize("path, body", [
    ("/api/contacts", {"email": "n@x.example", "account_id": 424242}),
    ("/api/deals", {"name": "Pilot", "account_id": 424242}),
    ("/api/deals", {"name": "Pilot", "referred_by_contact_id": 424242}),
    ("/api/touches", {"contact_id": 424242, "channel": "call", "outcome": "no-answer"}),
    ("/api/nurture", {"contact_id": 424242}),
])
def test_a_reference_to_a_missing_record_is_not_found(client, rep, path: str, body) -> None:
    response = client.post(path, headers=rep.headers, json=body)
    assert response.status_code == 404 and "424242 not found" in response.json()["error"]["message"], response.text


def test_a_duplicate_domain_is_a_clear_conflict(client, rep) -> None:
    assert client.post("/api/accounts", headers=rep.headers, json={"name": "A", "domain": "acme.example"}).is_success
    again = client.post("/api/accounts", headers=rep.headers, json={"name": "B", "domain": "ACME.example"})
    assert again.status_code == 409 and again.json()["error"]["problems"][0]["where"] == "domain"
    other = client.post("/api/accounts", headers=rep.headers, json={"name": "C", "domain": "c.example"}).json()
    assert client.patch(f"/api/accounts/{other['id']}", headers=rep.headers,
                        json={"domain": "acme.example"}).status_code == 409


def test_a_128_kib_cell_is_a_clear_error(client, rep, ember, tmp_path) -> None:
    csv = "email,title\nbig@x.example," + "x" * (128 * 1024 + 1) + "\n"
    response = client.post("/api/import/contacts", headers=rep.headers,
                           files={"file": ("big.csv", io.BytesIO(csv.encode()), "text/csv")})
    assert response.status_code == 200 and response.json()["rejected"] == 1, response.text
    assert "line 2, column title: is 131073 characters long" in response.json()["problems"][0]
    path = tmp_path / "big.csv"
    path.write_text(csv)
    result = ember("import", "contacts", str(path), "--as", "rep@ember.example")
    assert "line 2" in result.stdout + result.stderr and "Traceback" not in result.stdout + result.stderr
