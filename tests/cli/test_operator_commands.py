"""Operator commands work on the store directly, without a running server."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from smsgate.cli import app

runner = CliRunner()


def test_an_account_and_a_key_created_on_the_cli_are_listed(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    created = runner.invoke(app, ["accounts", "create", "shop", "--region", "PL", *data])
    assert created.exit_code == 0, created.output
    key = runner.invoke(app, ["keys", "create", "shop", "--json", *data])
    assert key.exit_code == 0, key.output
    issued = json.loads(key.output)
    assert issued["token"] == f"{issued['key_id']}.{issued['secret']}"
    listed = runner.invoke(app, ["accounts", "list", *data])
    assert "shop" in listed.output


def test_a_sub_account_made_on_the_cli_is_listed_with_its_parent(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    runner.invoke(app, ["accounts", "create", "agency", "--max-parts", "4", *data])
    created = runner.invoke(app, ["accounts", "create", "shop", "--parent", "agency", *data])
    assert created.exit_code == 0, created.output
    assert "a sub-account of agency" in created.output
    row = next(
        line
        for line in runner.invoke(app, ["accounts", "list", *data]).output.splitlines()
        if "shop" in line
    )
    assert "agency" in row and " 4 " in row


def test_a_sub_account_cannot_be_made_under_a_sub_account(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    runner.invoke(app, ["accounts", "create", "agency", *data])
    runner.invoke(app, ["accounts", "create", "shop", "--parent", "agency", *data])
    nested = runner.invoke(app, ["accounts", "create", "kiosk", "--parent", "shop", *data])
    assert nested.exit_code == 1
    assert "cannot own sub-accounts" in nested.output


def test_creating_an_account_twice_is_a_clear_error(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    runner.invoke(app, ["accounts", "create", "shop", *data])
    again = runner.invoke(app, ["accounts", "create", "shop", *data])
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_an_unknown_region_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["accounts", "create", "shop", "--region", "XX", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "unknown region" in result.output


def test_revoking_an_unknown_key_fails(tmp_path: Path) -> None:
    result = runner.invoke(app, ["keys", "revoke", "nope", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1


def test_a_number_given_to_an_account_is_listed_until_removed(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    runner.invoke(app, ["accounts", "create", "shop", *data])
    added = runner.invoke(app, ["numbers", "add", "48500000001", "shop", *data])
    listed = runner.invoke(app, ["numbers", "list", *data])
    removed = runner.invoke(app, ["numbers", "remove", "+48500000001", *data])
    after = runner.invoke(app, ["numbers", "list", *data])
    assert added.exit_code == 0, added.output
    assert "+48500000001" in listed.output and "shop" in listed.output
    assert removed.exit_code == 0
    assert "+48500000001" not in after.output


def test_a_number_of_another_account_cannot_be_taken(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    for name in ("shop", "bank"):
        runner.invoke(app, ["accounts", "create", name, *data])
    runner.invoke(app, ["numbers", "add", "+48500000001", "shop", *data])
    taken = runner.invoke(app, ["numbers", "add", "+48500000001", "bank", *data])
    assert taken.exit_code == 1
    assert "another account" in taken.output
