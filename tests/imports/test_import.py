from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.factories import make_user

from ember.db import unit_of_work
from ember.errors import InvalidInput
from ember.imports.service import import_csv
from ember.models import Account, Contact
from ember.users.access import Actor
from ember.users.repository import user_by_email

FIXTURES = Path(__file__).parent / "fixtures"


def _actor(engine, email: str) -> Actor:
    with unit_of_work(engine) as session:
        user = user_by_email(session, email)
        assert user is not None
        return Actor.of(user)


def _import(engine, email: str, path: Path, **options):  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return import_csv(session, _actor(engine, email), "contacts", path, **options)


def _count(engine, model) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_hubspot_export_imports_with_owners_accounts_and_countries(engine) -> None:
    make_user(engine, "rep@ember.example")
    make_user(engine, "boss@ember.example", role="manager")
    report = _import(engine, "boss@ember.example", FIXTURES / "hubspot_contacts.csv")
    assert (report.created, report.updated) == (3, 0)
    with unit_of_work(engine) as session:
        maren = session.scalar(select(Contact).where(Contact.email == "maren.holt@nordwerk.example"))
        tomas = session.scalar(select(Contact).where(Contact.email == "tomas.ruiz@solara.example"))
        assert maren and tomas
        assert maren.country == "DE" and maren.title == "Head of Operations" and maren.external_id == "1001"
        assert maren.owner_id == user_by_email(session, "rep@ember.example").id  # type: ignore[union-attr]
        assert tomas.owner_id == user_by_email(session, "boss@ember.example").id  # type: ignore[union-attr]
        account = session.get(Account, maren.account_id)
        assert account is not None and account.name == "Nordwerk GmbH"
    assert "Lifecycle Stage" in report.ignored_columns


def test_salesforce_api_names_are_understood(engine) -> None:
    make_user(engine, "rep@ember.example", role="admin")
    report = _import(engine, "rep@ember.example", FIXTURES / "salesforce_contacts.csv")
    assert report.created == 2
    with unit_of_work(engine) as session:
        olu = session.scalar(select(Contact).where(Contact.email == "olu@brightforge.example"))
        assert olu is not None and olu.country == "US" and olu.first_name == "Olu"


def test_all_or_nothing_changes_nothing_and_names_every_problem(engine) -> None:
    make_user(engine, "rep@ember.example")
    with pytest.raises(InvalidInput) as caught:
        _import(engine, "rep@ember.example", FIXTURES / "invalid_contacts.csv", all_or_nothing=True)
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith("line 3, column email:") for m in messages)
    assert any(m.startswith("line 4, column timezone:") and "Europe/Berlin" in m for m in messages)
    assert any(m.startswith("line 4, column decision_role:") and "decision_maker" in m for m in messages)
    assert any(m.startswith("line 5, column country:") for m in messages)
    assert any(m.startswith("line 5, column email: has no email address and no phone number") for m in messages)
    assert _count(engine, Contact) == 0


def test_by_default_valid_rows_go_in_and_rejects_are_written(engine, tmp_path) -> None:
    make_user(engine, "rep@ember.example")
    rejected = tmp_path / "rejected.csv"
    report = _import(engine, "rep@ember.example", FIXTURES / "invalid_contacts.csv", rejected_path=rejected)
    assert (report.created, report.rejected) == (1, 3)
    rows = list(csv.DictReader(rejected.open()))
    assert [r["Ember line"] for r in rows] == ["3", "4", "5"]
    assert "Mars/Olympus" in rows[1]["Ember reason"]
    # Fixed and imported again, the rejects file is an ordinary import.
    rejected.write_text(rejected.read_text().replace("Mars/Olympus", "Europe/Paris").replace(",boss,", ",champion,"))
    again = _import(engine, "rep@ember.example", rejected)
    assert (again.created, again.rejected) == (1, 2) and again.ignored_columns == ()


def test_reimport_updates_instead_of_duplicating(engine, tmp_path) -> None:
    make_user(engine, "rep@ember.example")
    path = tmp_path / "c.csv"
    path.write_text("email,title\na@firm.example,Engineer\n")
    _import(engine, "rep@ember.example", path)
    path.write_text("Email,Job Title\nA@Firm.example,CTO\nb@firm.example,CEO\n")
    report = _import(engine, "rep@ember.example", path)
    assert (report.created, report.updated) == (1, 1)
    with unit_of_work(engine) as session:
        titles = dict(session.execute(select(Contact.email, Contact.title)).all())
    assert titles == {"a@firm.example": "CTO", "b@firm.example": "CEO"}


def test_missing_required_column_is_reported_on_line_1(engine, tmp_path) -> None:
    make_user(engine, "rep@ember.example")
    path = tmp_path / "c.csv"
    path.write_text("name,title\nAnn,CTO\n")
    with pytest.raises(InvalidInput) as caught:
        _import(engine, "rep@ember.example", path)
    assert str(caught.value.problems[0]).startswith("line 1: no email or phone column")


def test_duplicate_rows_in_one_file_merge_later_values_winning(engine, tmp_path) -> None:
    make_user(engine, "rep@ember.example")
    path = tmp_path / "c.csv"
    rows = [f"p{i}@firm.example,T{i}," for i in range(2500)]  # the repeat lands in the next batch
    path.write_text("email,title,phone\na@firm.example,Engineer,+1 212 555 0100\n" + "\n".join(rows)
                    + "\nA@FIRM.example,CTO,\n")
    report = _import(engine, "rep@ember.example", path)
    assert (report.created, report.merged, report.rejected) == (2501, 1, 0)
    assert any(w.startswith("line 2503: the same person as an earlier row") for w in report.warnings)
    with unit_of_work(engine) as session:
        merged = session.scalar(select(Contact).where(Contact.email == "a@firm.example"))
        assert merged is not None and (merged.title, merged.phone) == ("CTO", "+1 212 555 0100")


def test_accounts_and_deals_import_and_export_round_trip(client, engine, tmp_path) -> None:
    rep = make_user(engine, "rep@ember.example")
    accounts = ("name,domain,country,timezone,industry,size\n"
                "Nordwerk,nordwerk.example,DE,Europe/Berlin,Manufacturing,250\n")
    deals = ("name,account,amount,stage,outcome,closed,external_id\n"
             "Nordwerk rollout,Nordwerk,48000,closed_won,won,2026-05-02,D-1\n")
    for kind, text in (("accounts", accounts), ("deals", deals)):
        response = client.post(f"/api/import/{kind}", headers=rep.headers,
                               files={"file": (f"{kind}.csv", io.BytesIO(text.encode()), "text/csv")})
        assert response.status_code == 200, response.text
        assert response.json()["created"] == 1
    exported = client.get("/api/export/deals", headers=rep.headers).text
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["account"] == "Nordwerk" and row["stage"] == "closed_won" and row["amount"] == "48000.00"
    # the export reads back in as an update, not a duplicate
    round_trip = tmp_path / "deals.csv"
    round_trip.write_text(exported)
    again = client.post("/api/import/deals", headers=rep.headers,
                        files={"file": ("deals.csv", round_trip.open("rb"), "text/csv")}).json()
    assert (again["created"], again["updated"]) == (0, 1)


def test_api_import_error_lists_lines(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    body = (FIXTURES / "invalid_contacts.csv").read_bytes()
    response = client.post("/api/import/contacts?all_or_nothing=true", headers=rep.headers,
                           files={"file": ("bad.csv", io.BytesIO(body), "text/csv")})
    assert response.status_code == 422
    assert response.json()["error"]["problems"][0]["where"] == "line 3, column email"
    partial = client.post("/api/import/contacts", headers=rep.headers,
                          files={"file": ("bad.csv", io.BytesIO(body), "text/csv")})
    assert partial.status_code == 200
    assert (partial.json()["created"], partial.json()["rejected"]) == (1, 3)
    assert partial.json()["problems"][0].startswith("line 3, column email:")


def _peak_bytes_importing(engine, path: Path, rows: int) -> int:  # type: ignore[no-untyped-def]
    import tracemalloc

    with path.open("w") as out:
        out.write("email,first_name,country\n")
        for index in range(rows):
            out.write(f"person{index}@bulk{rows}.example,P{index},DE\n")
    tracemalloc.start()
    assert _import(engine, "rep@ember.example", path).created == rows
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_import_memory_grows_far_slower_than_the_file(engine, tmp_path) -> None:
    """Streaming: eight times the rows must not need anything like eight times the memory."""
    make_user(engine, "rep@ember.example")
    small = _peak_bytes_importing(engine, tmp_path / "small.csv", 2000)
    large = _peak_bytes_importing(engine, tmp_path / "large.csv", 16000)
    assert _count(engine, Contact) == 18000
    assert large < small * 3, (small, large)


def test_rows_that_would_steal_an_email_or_id_are_rejected_with_the_rest(engine, tmp_path) -> None:
    make_user(engine, "rep@ember.example")
    first = tmp_path / "first.csv"
    first.write_text("external_id,email\nA-1,a@firm.example\nB-2,b@firm.example\n")
    _import(engine, "rep@ember.example", first)
    later = tmp_path / "later.csv"
    later.write_text("external_id,email,title\nA-1,b@firm.example,CTO\nC-3,broken,CEO\nB-2,B@FIRM.example,CFO\n"
                     "D-4,d@firm.example,VP\n")
    rejected = tmp_path / "later.rejected.csv"
    report = _import(engine, "rep@ember.example", later, rejected_path=rejected)
    assert (report.created, report.updated, report.rejected) == (1, 1, 2)
    rows = list(csv.DictReader(rejected.open()))
    assert [r["Ember line"] for r in rows] == ["2", "3"]  # in file order, from both passes
    assert "this email belongs to another contact" in rows[0]["Ember reason"]
    with unit_of_work(engine) as session:
        titles = dict(session.execute(select(Contact.external_id, Contact.title)).all())
    assert titles == {"A-1": None, "B-2": "CFO", "D-4": "VP"}
