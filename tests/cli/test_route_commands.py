"""Operator routing commands: rules, connector costs and the dry run, on the store directly."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from smsgate.cli import app

runner = CliRunner()


def run(tmp_path: Path, *args: str) -> str:
    result = runner.invoke(app, [*args, "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return result.output


def fails(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--data-dir", str(tmp_path)])
    assert result.exit_code != 0
    return result.exit_code, result.output


def test_a_rule_set_on_the_cli_is_listed_with_what_it_matches(tmp_path: Path) -> None:
    run(tmp_path, "routes", "set", "pl", "--to", "simulator", "--prefix", "48", "--urgent")
    listed = run(tmp_path, "routes", "list")
    assert "pl" in listed
    assert "+48, urgent" in listed
    assert "simulator:1" in listed


def test_the_dry_run_names_the_rule_and_the_price(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop")
    run(tmp_path, "prices", "set", "retail", "48=0.16", "--currency", "PLN")
    run(tmp_path, "accounts", "billing", "shop", "--price-list", "retail")
    run(tmp_path, "routes", "set", "pl", "--to", "simulator", "--prefix", "48")
    shown = run(tmp_path, "routes", "test", "shop", "+48500600700", "--text", "x" * 200)
    assert "connector:  simulator" in shown
    assert "rule:       pl" in shown
    assert "price:      0.32 PLN" in shown


def test_a_connectors_cost_is_kept_in_a_price_list(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop")
    run(tmp_path, "prices", "set", "sim-costs", "48=0.02", "--currency", "EUR")
    run(tmp_path, "routes", "cost", "simulator", "sim-costs")
    shown = run(tmp_path, "routes", "test", "shop", "+48500600700")
    assert "cost:       0.02 EUR" in shown


def test_a_removed_rule_no_longer_routes(tmp_path: Path) -> None:
    run(tmp_path, "routes", "set", "pl", "--to", "simulator")
    run(tmp_path, "routes", "remove", "pl")
    assert "pl" not in run(tmp_path, "routes", "list")
    assert fails(tmp_path, "routes", "remove", "pl")[0] == 1


def test_a_rule_to_an_unknown_connector_is_refused(tmp_path: Path) -> None:
    code, output = fails(tmp_path, "routes", "set", "x", "--to", "nowhere")
    assert (code, "no connector nowhere" in output) == (1, True)


def test_a_bad_weight_or_strategy_is_refused(tmp_path: Path) -> None:
    assert fails(tmp_path, "routes", "set", "x", "--to", "simulator:heavy")[0] == 2
    assert fails(tmp_path, "routes", "set", "x", "--to", "simulator", "--strategy", "cheap")[0] == 2
