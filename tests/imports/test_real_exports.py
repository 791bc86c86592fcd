"""CRM exports as they are delivered: HubSpot and Salesforce files in their real shapes
(written by us), each checked for what a user would look at after importing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from ember.db import unit_of_work
from ember.imports.service import ImportReport, import_csv
from ember.models import Account, Contact, Deal, Touch
from ember.users.access import Actor
from ember.users.repository import user_by_email
from ember.users.service import add_user

FIXTURES = Path(__file__).parent / "fixtures"
JANE = "jane.doe@ember.example"


@pytest.fixture
def jane(engine) -> str:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        add_user(session, email=JANE, name="Jane Doe", role="admin", team="East")
        add_user(session, email="sam.cole@ember.example", name="Sam Cole", role="rep", team="East")
    return JANE


def run(engine, kind: str, path: Path, **options) -> ImportReport:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        user = user_by_email(session, JANE)
        assert user is not None
        return import_csv(session, Actor.of(user), kind, path, **options)


def contacts(engine) -> dict[str, Contact]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        found = {c.external_id or c.email or str(c.id): c for c in session.scalars(select(Contact))}
        session.expunge_all()
        return found


def test_hubspot_contacts_with_company_import_as_delivered(engine, jane, tmp_path) -> None:
    source = tmp_path / "hubspot.csv"
    source.write_bytes((FIXTURES / "hubspot_contacts_with_company.csv").read_bytes())
    report = run(engine, "contacts", source, rejected_path=tmp_path / "hubspot.rejected.csv")
    # 8 rows: 6 people, one of them twice (same email, other case), one broken row.
    assert (report.created, report.updated, report.merged, report.rejected) == (6, 0, 1, 1)
    assert any("column 16 (Record ID) repeats column 1" in n and "company's" in n for n in report.notes)
    assert any("column 18 (Phone Number)" in n for n in report.notes)
    assert {"Lifecycle Stage", "Lead Status", "Create Date"} <= set(report.ignored_columns)
    assert any("'Pat Unknown' is not a user you can assign records to: 1 row" in w for w in report.warnings)
    found = contacts(engine)
    park = found["5107"]  # merged: the later row's id and title win, earlier values stay
    assert park.email == "jiwoo.park@hanbit.example" and park.title == "VP Sales Operations"
    assert park.phone == "+82 2 555 0141" and park.mobile_phone == "+82 10 5550 0141"
    assert {c.country for c in found.values()} == {"KR", "CI", "CV", "SZ", "RE", "PS"}
    assert found["5102"].do_not_email and not found["5102"].do_not_call
    assert found["5102"].phone is None  # NULL and N/A are empty
    lopes = found["5103"]  # no email: imported all the same, and callable
    assert lopes.email is None and lopes.phone_key == "+2382601234"
    with unit_of_work(engine) as session:
        account = session.get(Account, park.account_id)
        assert account is not None and account.name == "Hanbit Systems Co." and account.external_id == "9001"
        assert account.domain == "hanbit.example" and account.country == "KR"
    rejected = list(csv.reader((tmp_path / "hubspot.rejected.csv").open(encoding="utf-8")))
    assert rejected[0][-2:] == ["Ember line", "Ember reason"]
    assert [row[-2] for row in rejected[1:]] == ["9"]
    assert "not-an-email" in rejected[1][-1] and "Atlantis" in rejected[1][-1]


def test_owner_display_names_and_unknown_owner_fallback(engine, jane, tmp_path) -> None:
    run(engine, "contacts", FIXTURES / "hubspot_contacts_with_company.csv", default_owner_email="Sam Cole")
    with unit_of_work(engine) as session:
        owners = {c.external_id: session.get_one(type(user_by_email(session, JANE)), c.owner_id).email
                  for c in session.scalars(select(Contact))}
    assert owners["5107"] == JANE and owners["5102"] == JANE
    assert owners["5104"] == "sam.cole@ember.example"  # 'Pat Unknown' went to --owner


def test_salesforce_data_loader_export(engine, jane) -> None:
    report = run(engine, "contacts", FIXTURES / "salesforce_contacts_dataloader.csv")
    assert (report.created, report.rejected) == (3, 1)
    assert any("line 4" in str(p) and "deleted" in str(p) for p in report.problems)
    found = contacts(engine)
    ngozi = found["0035g00000AbCdEAAV"]
    assert ngozi.do_not_call and not ngozi.do_not_email and ngozi.assistant_phone == "+234 1 555 0199"
    bola = found["0035g00000AbCdFAAV"]  # only a home phone: that is the number to call
    assert bola.email is None and bola.phone == "+234 1 555 0108" and bola.home_phone == bola.phone
    lena = found["0035g00000AbCdHAAV"]
    assert lena.do_not_call and lena.do_not_email and lena.phone == "+49 30 555 0110"
    assert any("company you cannot link to" in w for w in report.warnings)


def test_salesforce_report_export_skips_its_footer(engine, jane) -> None:
    report = run(engine, "contacts", FIXTURES / "salesforce_report.csv")
    assert (report.created, report.rejected) == (2, 0)
    assert any("report footer" in n for n in report.notes)
    assert contacts(engine)["omar@nilecargo.example"].mobile_phone == "+20 100 555 0112"


def test_reimport_matches_by_external_id_then_email_then_phone_and_name(engine, jane, tmp_path) -> None:
    run(engine, "contacts", FIXTURES / "salesforce_contacts_dataloader.csv")
    later = tmp_path / "later.csv"
    later.write_text(
        "Id,FirstName,LastName,Email,HomePhone,Title\n"
        "0035g00000AbCdEAAV,Ngozi,Okafor,ngozi@new-address.example,,CEO\n"  # by id: the email changes
        ",Lena,Weiss,lena.weiss@kranich.example,,CIO\n"  # by email
        ",Bola,Adeyemi,bola@lagoslink.example,+234 1 555 0108,Lead Engineer\n")  # phone + name: gains an email
    report = run(engine, "contacts", later)
    assert (report.created, report.updated, report.merged, report.rejected) == (0, 3, 0, 0)
    found = contacts(engine)
    assert found["0035g00000AbCdEAAV"].email == "ngozi@new-address.example"
    assert found["0035g00000AbCdHAAV"].title == "CIO"
    assert found["0035g00000AbCdFAAV"].email == "bola@lagoslink.example"


@pytest.mark.parametrize(("name", "encoding"), [("windows1252_contacts.csv", "Windows-1252 (assumed)"),
                                                ("utf16_contacts.csv", "UTF-16"),
                                                ("utf8_bom_contacts.csv", "UTF-8 with a byte-order mark")])
def test_encodings_are_read_and_reported(engine, jane, name: str, encoding: str) -> None:
    report = run(engine, "contacts", FIXTURES / name)
    assert report.created == 3 and report.encoding == encoding
    found = contacts(engine)
    assert found["francois.muller@bresson.example"].last_name == "Müller"
    assert found["begona.pena@alcala.example"].title == "Jefa de compras – Iberia"
    assert found["begona.pena@alcala.example"].country == "ES"
    assert found["soren@fjeld.example"].title == "“Head” of IT"


def test_deals_and_touches_in_crm_shapes(engine, jane) -> None:
    run(engine, "contacts", FIXTURES / "hubspot_contacts_with_company.csv")
    deals = run(engine, "deals", FIXTURES / "hubspot_deals.csv")
    assert (deals.created, deals.rejected) == (3, 0)
    opportunities = run(engine, "deals", FIXTURES / "salesforce_opportunities.csv")
    assert (opportunities.created, opportunities.rejected) == (2, 0)
    touches = run(engine, "touches", FIXTURES / "dialer_touches.csv")
    assert (touches.created, touches.rejected) == (3, 0)
    with unit_of_work(engine) as session:
        by_name = {d.name: d for d in session.scalars(select(Deal))}
        assert by_name["Hanbit rollout"].stage == "closed_won"
        assert by_name["Hanbit rollout"].closed_at.isoformat() == "2024-05-02T17:00:00+00:00"  # type: ignore[union-attr]
        assert by_name["SahelNet pilot"].stage == "demo" and str(by_name["SahelNet pilot"].amount) == "12500.50"
        assert by_name["Kranich renewal"].stage == "closed_lost" and by_name["Kranich renewal"].source == "partner"
        calls = sorted(t.occurred_at.isoformat() for t in session.scalars(select(Touch)) if t.channel == "call")
    assert calls == ["2024-03-15T14:05:00+00:00", "2024-03-18T16:30:00+00:00"]


@pytest.mark.parametrize("fmt", ["ours", "hubspot", "salesforce"])
def test_export_and_reimport_keep_every_phone_and_opt_out(engine, jane, tmp_path, fmt: str) -> None:
    from ember.imports.export import export_lines

    run(engine, "contacts", FIXTURES / "salesforce_contacts_dataloader.csv")
    before = {k: (c.phone, c.mobile_phone, c.home_phone, c.assistant_phone, c.do_not_call, c.do_not_email)
              for k, c in contacts(engine).items()}
    with unit_of_work(engine) as session:
        user = user_by_email(session, JANE)
        assert user is not None
        text = "".join(export_lines(session, Actor.of(user), "contacts", fmt))
    path = tmp_path / "export.csv"
    path.write_text(text)
    report = run(engine, "contacts", path)
    assert (report.created, report.updated, report.rejected, report.ignored_columns) == (0, 3, 0, ())
    after = {k: (c.phone, c.mobile_phone, c.home_phone, c.assistant_phone, c.do_not_call, c.do_not_email)
             for k, c in contacts(engine).items()}
    assert after == before
