from __future__ import annotations

import json
from pathlib import Path


def test_users_add_list_and_token(ember, client) -> None:
    result = ember("users", "add", "ana@acme.example", "--name", "Ana Reyes", "--role", "manager",
                   "--team", "East", "--timezone", "America/New_York", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["team"] == "East"
    listed = json.loads(ember("users", "list", "--json").stdout)
    assert listed[0]["email"] == "ana@acme.example" and listed[0]["timezone"] == "America/New_York"
    token = ember("users", "token", "ana@acme.example").stdout.strip()
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()["name"] == "Ana Reyes"


def test_bad_user_input_goes_to_stderr_with_exit_code(ember) -> None:
    result = ember("users", "add", "ana@acme.example", "--name", "Ana", "--role", "boss")
    assert result.exit_code == 1
    assert "role" in result.stderr and "rep, manager or admin" in result.stderr
    assert result.stdout == ""
    zone = ember("users", "add", "ana@acme.example", "--name", "Ana", "--timezone", "Europe/Atlantis")
    assert zone.exit_code == 1 and "Europe/Berlin" in zone.stderr
    assert json.loads(ember("users", "list", "--json").stdout) == []


def test_import_refuses_invalid_file_with_line_numbers(ember, tmp_path: Path) -> None:
    ember("users", "add", "sam@acme.example", "--name", "Sam")
    path = tmp_path / "leads.csv"
    path.write_text("Email,Time Zone\nok@lead.example,Europe/Paris\nbroken,Europe/Paris\n")
    result = ember("import", "contacts", str(path), "--as", "sam@acme.example", "--all-or-nothing")
    assert result.exit_code == 1
    assert "line 3, column Email:" in result.stderr and "nothing was imported" in result.stderr
    export = ember("export", "contacts", "--as", "sam@acme.example")
    assert export.stdout.strip().count("\n") == 0  # header only: nothing was written


def test_import_takes_the_valid_rows_and_says_so_in_its_exit_code(ember, tmp_path: Path) -> None:
    ember("users", "add", "sam@acme.example", "--name", "Sam")
    path = tmp_path / "leads.csv"
    path.write_text("Email,Time Zone\nok@lead.example,Europe/Paris\nbroken,Europe/Paris\n")
    result = ember("import", "contacts", str(path), "--as", "sam@acme.example", "--json")
    assert result.exit_code == 3, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["created"], summary["rejected"]) == (1, 1)
    assert summary["rejected_file"] == str(tmp_path / "leads.rejected.csv")
    assert "broken" in (tmp_path / "leads.rejected.csv").read_text()
    clean = tmp_path / "clean.csv"
    clean.write_text("Email\nother@lead.example\n")
    assert ember("import", "contacts", str(clean), "--as", "sam@acme.example").exit_code == 0
    assert not (tmp_path / "clean.rejected.csv").exists()


def test_import_with_owner_then_export_as_hubspot(ember, tmp_path: Path) -> None:
    ember("users", "add", "boss@acme.example", "--name", "Boss", "--role", "admin")
    ember("users", "add", "sam@acme.example", "--name", "Sam")
    path = tmp_path / "leads.csv"
    path.write_text("first_name,email,country\nLea,lea@lead.example,France\n")
    result = ember("import", "contacts", str(path), "--owner", "sam@acme.example", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["created"] == 1
    out = tmp_path / "out.csv"
    ember("export", "contacts", str(out), "--format", "hubspot", "--as", "sam@acme.example")
    header, row = out.read_text().strip().splitlines()
    assert header.startswith("First Name,Last Name,Email") and "lea@lead.example" in row and ",FR," in row


def test_db_upgrade_reports_the_database(ember) -> None:
    result = ember("db", "upgrade")
    assert result.exit_code == 0 and "up to date" in result.stdout
