"""Address books on the CLI: an import with its summary, a listing, an export."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from smsgate.cli import app

runner = CliRunner()


def run(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--data-dir", str(tmp_path)])
    return result.exit_code, result.output


def book(tmp_path: Path, text: str) -> str:
    run(tmp_path, "accounts", "create", "shop", "--region", "PL")
    path = tmp_path / "book.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_an_import_ends_with_a_summary_and_each_rejected_line(tmp_path: Path) -> None:
    path = book(tmp_path, "Tel;Imię\n500600700;Anna\n12;Bad\n500600700;Again\n")
    code, output = run(
        tmp_path, "contacts", "import", path, "--account", "shop", "--map", "Imię=first_name"
    )
    assert code == 0, output
    assert "created 1, updated 0, unchanged 0, duplicates 1, rejected 1" in output
    assert "line 3: number: too short" in output


def test_imported_contacts_are_listed_with_their_groups(tmp_path: Path) -> None:
    path = book(tmp_path, "phone,name\n500600700,Anna\n")
    run(tmp_path, "contacts", "import", path, "--account", "shop", "--group", "vip")
    code, listed = run(tmp_path, "contacts", "list", "--account", "shop")
    assert code == 0
    row = next(line for line in listed.splitlines() if "+48500600700" in line)
    assert "Anna" in row and "vip" in row
    assert "vip" in run(tmp_path, "contacts", "groups", "--account", "shop")[1]


def test_an_export_writes_every_contact_to_a_csv_file(tmp_path: Path) -> None:
    path = book(tmp_path, "phone,name,city\n500600700,Anna,Kraków\n600700800,Jan,\n")
    run(tmp_path, "contacts", "import", path, "--account", "shop")
    out = tmp_path / "out.csv"
    code, output = run(tmp_path, "contacts", "export", "--account", "shop", "--output", str(out))
    assert (code, " ".join(output.split())) == (0, f"2 contacts written to {out}")  # wrapped
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["number"], r["city"]) for r in rows] == [
        ("+48500600700", "Kraków"),
        ("+48600700800", ""),
    ]


def test_an_import_for_an_unknown_account_fails(tmp_path: Path) -> None:
    path = book(tmp_path, "phone\n500600700\n")
    code, output = run(tmp_path, "contacts", "import", path, "--account", "nobody")
    assert code == 1
    assert "nobody" in output
