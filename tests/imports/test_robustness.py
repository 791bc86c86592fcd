"""Files that are broken, hostile or not CSV at all: a clear error or a correct import, never a
traceback, and nothing half-written. Exports quote cells a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from tests.factories import make_user

from ember.csvcells import escape_cell, unescape_cell
from ember.db import unit_of_work
from ember.errors import InvalidInput
from ember.imports.export import export_lines
from ember.imports.service import import_csv
from ember.models import Contact
from ember.nurture.service import export_lines as nurture_lines
from ember.users.access import Actor
from ember.users.repository import user_by_email

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3",
           "'=already quoted", "\tTabbed", "+1 555 0100", "-5"]


def _actor(session, email: str = "rep@ember.example") -> Actor:  # type: ignore[no-untyped-def]
    user = user_by_email(session, email)
    assert user is not None
    return Actor.of(user)


def _import(engine, path: Path, **options):  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return import_csv(session, _actor(session), "contacts", path, **options)


def _count(engine) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Contact)) or 0)


@given(st.text())
def test_escaping_round_trips_every_string(value: str) -> None:
    escaped = escape_cell(value)
    assert not str(escaped).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert unescape_cell(escaped) == value


def test_export_quotes_formulas_and_reimport_is_lossless(engine, tmp_path) -> None:
    make_user(engine, "rep@ember.example")
    source = tmp_path / "hostile.csv"
    with source.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["email", "first_name", "last_name", "title", "phone"])
        for index, value in enumerate(HOSTILE):
            writer.writerow([f"p{index}@firm.example", value, value, value, "+1 555 0100"])
    assert _import(engine, source).created == len(HOSTILE)
    with unit_of_work(engine) as session:
        stored = sorted(session.scalars(select(Contact.title)))
    assert "=HYPERLINK(\"http://evil.example\",\"click\")" in stored and "-5" in stored
    for fmt in ("ours", "hubspot", "salesforce"):
        with unit_of_work(engine) as session:
            text = "".join(export_lines(session, _actor(session), "contacts", fmt))
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t"))], fmt
        assert "'+1 555 0100" in cells
    exported = tmp_path / "export.csv"
    exported.write_text(text)
    again = _import(engine, exported)
    assert (again.created, again.updated, again.rejected) == (0, len(HOSTILE), 0)
    with unit_of_work(engine) as session:
        titles = sorted(session.scalars(select(Contact.title)))
        phones = set(session.scalars(select(Contact.phone)))
    assert titles == stored
    assert phones == {"+1 555 0100"}


def test_nurture_export_quotes_formulas(engine, client) -> None:
    make_user(engine, "rep@ember.example")
    with unit_of_work(engine) as session:
        actor = _actor(session)
        session.add(Contact(owner_id=actor.id, first_name="=HYPERLINK(1)", last_name="@x",
                            email="n@firm.example", status="nurture"))
    with unit_of_work(engine) as session:
        text = "".join(nurture_lines(session, _actor(session)))
    assert "'=HYPERLINK(1)" in text and "'@x" in text


@pytest.mark.parametrize(("content", "message"), [
    (b"", "is empty"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "is a PDF document"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "is a ZIP archive"),
    (b"email,notes\n\"a@firm.example,never closed\n" + b"x" * (2 << 20), "a cell is larger than 1024 KiB"),
])
def test_unreadable_files_get_one_clear_error_and_change_nothing(engine, tmp_path, content, message) -> None:
    make_user(engine, "rep@ember.example")
    path = tmp_path / "contacts.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as caught:
        _import(engine, path)
    text = caught.value.message + " " + " ".join(str(p) for p in caught.value.problems)
    assert message in text
    assert _count(engine) == 0


def test_a_128_kib_cell_rejects_its_row_only(engine, tmp_path) -> None:
    make_user(engine, "rep@ember.example")
    path = tmp_path / "contacts.csv"
    path.write_text("email,title\nok@firm.example,CTO\nbig@firm.example," + "x" * (128 * 1024 + 1) + "\n")
    report = _import(engine, path)
    assert (report.created, report.rejected) == (1, 1)
    assert "line 3, column title: is 131073 characters long; shorten it to 200" in str(report.problems[0])


def test_cli_reads_utf16_and_latin1_and_refuses_huge_cells_without_traceback(ember, tmp_path) -> None:
    ember("users", "add", "sam@acme.example", "--name", "Sam")
    text = "Email,First Name,Job Title\nzoe@firm.example,Zoë,Directrice générale\n"
    for codec in ("utf-16", "latin-1"):
        path = tmp_path / f"{codec}.csv"
        path.write_bytes(text.encode(codec))
        result = ember("import", "contacts", str(path), "--as", "sam@acme.example")
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
    huge = tmp_path / "huge.csv"
    huge.write_text("Email,Notes\n\"x@firm.example," + "y" * (2 << 20))
    result = ember("import", "contacts", str(huge), "--as", "sam@acme.example")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "larger than 1024 KiB" in result.stderr


CELLS = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.one_of(
    st.binary(max_size=400),
    st.lists(st.lists(CELLS, min_size=1, max_size=6), min_size=1, max_size=6).map(
        lambda rows: "\n".join(",".join(r) for r in [["email", "phone", "country", "owner"], *rows]).encode()),
), codec=st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_fuzzed_files_import_or_fail_clearly(engine, tmp_path, raw: bytes, codec: str) -> None:
    make_user(engine, "rep@ember.example") if _count_users(engine) == 0 else None
    path = tmp_path / "fuzz.csv"
    try:
        path.write_bytes(raw.decode("utf-8").encode(codec))
    except (UnicodeDecodeError, UnicodeEncodeError):
        path.write_bytes(raw)
    before = _count(engine)
    try:
        _import(engine, path, all_or_nothing=True)
    except InvalidInput as error:
        assert error.message
        assert _count(engine) == before  # nothing half-written


def _count_users(engine) -> int:  # type: ignore[no-untyped-def]
    from ember.models import User

    with unit_of_work(engine) as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


@pytest.mark.parametrize(("number", "country", "key"), [
    ("+1 212 555 0100", None, "+12125550100"), ("(212) 555-0100", "US", "+12125550100"),
    ("+44 (0)20 7946 0000", None, "+442079460000"), ("020 7946 0000", "GB", "+442079460000"),
    ("0044 20 7946 0000", None, "+442079460000"), ("12", None, None),
])
def test_one_number_written_many_ways_is_one_key(number: str, country: str | None, key: str | None) -> None:
    from ember.phones import phone_key

    assert phone_key(number, country) == key
