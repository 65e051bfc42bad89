"""Address books on the CLI: an import with its progress bar and summary, a listing, an
export."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from smsgate import cli
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


def test_an_import_on_a_terminal_draws_a_progress_bar_before_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = book(tmp_path, "phone\n500600700\n600700800\n")
    terminal = Console(stderr=True, force_terminal=True, force_interactive=True, width=100)
    monkeypatch.setattr(cli, "err_console", terminal)
    result = runner.invoke(
        app, ["contacts", "import", path, "--account", "shop", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    # The bar is drawn in place (the cursor hidden, each frame over the last): empty at the
    # start, full at the end.
    assert result.stderr.startswith("\x1b[?25l")
    frames = re.split(r"[\r\n]", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stderr))
    drawn = [" ".join(f.split()) for f in frames if f.startswith("importing")]
    assert re.fullmatch(r"importing ━{20,} 0/2 0:00:0\d", drawn[0])
    assert re.fullmatch(r"importing ━{20,} 2/2 0:00:0\d", drawn[-1])
    assert "created 2, updated 0, unchanged 0, duplicates 0, rejected 0" in result.stdout


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
