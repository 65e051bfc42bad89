"""Operator billing commands: price lists, account terms, top-ups and the ledger."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from smsgate.cli import app

runner = CliRunner()


def run(tmp_path: Path, *args: str) -> str:
    result = runner.invoke(app, [*args, "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_price_list_set_on_the_cli_is_shown_with_its_prices(tmp_path: Path) -> None:
    run(tmp_path, "prices", "set", "retail", "48=0.16", "=0.30", "--currency", "PLN")
    shown = run(tmp_path, "prices", "show", "retail")
    assert "0.16" in shown
    assert "(any other)" in shown
    assert "retail" in run(tmp_path, "prices", "list")


def test_a_price_that_is_not_prefix_equals_price_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["prices", "set", "retail", "48:0.16", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "PREFIX=PRICE" in result.output


def test_an_account_put_on_a_list_and_topped_up_shows_its_balance(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop")
    run(tmp_path, "prices", "set", "retail", "48=0.16", "--currency", "PLN")
    terms = run(tmp_path, "accounts", "billing", "shop", "--price-list", "retail")
    assert "retail" in terms
    topped = run(tmp_path, "balance", "topup", "shop", "12.5", "--reason", "invoice 3")
    assert "12.5 PLN" in topped
    ledger = run(tmp_path, "balance", "ledger", "shop")
    assert "invoice 3" in ledger
    assert "topup" in ledger


def test_a_top_up_without_a_positive_amount_fails_clearly(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop")
    result = runner.invoke(
        app, ["balance", "topup", "shop", "0", "--reason", "x", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "above zero" in result.output


def test_a_list_in_use_cannot_be_removed(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop")
    run(tmp_path, "prices", "set", "retail", "48=0.16")
    run(tmp_path, "accounts", "billing", "shop", "--price-list", "retail")
    result = runner.invoke(app, ["prices", "remove", "retail", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "use this price list" in result.output
