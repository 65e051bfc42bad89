"""The numbering plan on the CLI: imported from CSV, listed, refused by its line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from smsgate.cli import app

runner = CliRunner()

CSV = "prefix,mcc,mnc,name\n48500,260,01,Plus\n+48600,260,02,T-Mobile\n"


def invoke(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--data-dir", str(tmp_path)])
    return result.exit_code, result.output


def test_an_imported_plan_is_listed_with_each_network_code(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(CSV)
    assert invoke(tmp_path, "networks", "import", str(plan)) == (0, "numbering plan: 2 ranges\n")
    code, listed = invoke(tmp_path, "networks", "list")
    rows = [line for line in listed.splitlines() if "260-" in line]
    assert code == 0
    assert "48500" in rows[0] and "Plus" in rows[0]
    assert "260-02" in rows[1]


def test_a_bad_row_is_refused_by_its_line_and_nothing_is_imported(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(CSV + "49,2620,01,Telekom\n")
    code, output = invoke(tmp_path, "networks", "import", str(plan))
    assert code == 1
    assert "line 4.mcc" in output
    assert "260-01" not in invoke(tmp_path, "networks", "list")[1]


def test_a_file_without_the_plan_columns_is_refused(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text("range,network\n48,260-01\n")
    code, output = invoke(tmp_path, "networks", "import", str(plan))
    assert code == 1
    assert "no column mcc, mnc, prefix" in output


def test_the_dry_run_prices_a_number_by_the_network_the_plan_places_it_on(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(CSV)
    invoke(tmp_path, "networks", "import", str(plan))
    invoke(tmp_path, "accounts", "create", "shop")
    invoke(tmp_path, "prices", "set", "retail", "260-01=0.03", "48=0.05", "--currency", "PLN")
    invoke(tmp_path, "accounts", "billing", "shop", "--price-list", "retail")
    code, shown = invoke(tmp_path, "routes", "test", "shop", "+48500600700")
    assert code == 0, shown
    assert "network:    260-01 Plus" in shown
    assert "price:      0.03 PLN" in shown
