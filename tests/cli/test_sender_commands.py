"""Operator sender commands: deciding registered names, default senders, the sender policy,
and pool numbers."""

from __future__ import annotations

import asyncio
from pathlib import Path

from typer.testing import CliRunner

from smsgate.cli import app
from smsgate.config import Settings
from smsgate.services.accounts import AccountService
from smsgate.services.senders import SenderBook, SenderService
from smsgate.store.database import Database

runner = CliRunner()


def run(tmp_path: Path, *args: str) -> str:
    result = runner.invoke(app, [*args, "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return result.output


def fails(tmp_path: Path, *args: str) -> str:
    result = runner.invoke(app, [*args, "--data-dir", str(tmp_path)])
    assert result.exit_code != 0
    return result.output


def register(tmp_path: Path, account: str, name: str) -> None:
    """What the account does through the API (POST /v1/senders)."""

    async def work() -> None:
        db = Database(Settings(data_dir=tmp_path).resolved_database_url)
        await db.open()
        try:
            accounts = AccountService(db)
            senders = SenderService(db, accounts, SenderBook(db))
            await senders.register(await accounts.account(account), name)
        finally:
            await db.close()

    asyncio.run(work())


def test_a_registered_name_is_listed_as_pending_until_approved(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop")
    register(tmp_path, "shop", "ShopNews")
    assert "ShopNews" in run(tmp_path, "senders", "list", "--pending")
    run(tmp_path, "senders", "approve", "shop", "ShopNews")
    assert "ShopNews" not in run(tmp_path, "senders", "list", "--pending")
    assert "approved" in run(tmp_path, "senders", "list", "shop")


def test_a_rejected_name_shows_its_reason(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop")
    register(tmp_path, "shop", "MyBank")
    run(tmp_path, "senders", "reject", "shop", "MyBank", "--reason", "not a bank")
    listed = run(tmp_path, "senders", "list")
    assert "rejected" in listed
    assert "not a bank" in listed


def test_an_approved_name_becomes_the_default_sender(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop")
    run(tmp_path, "senders", "add", "shop", "Shop")
    run(tmp_path, "senders", "default", "shop", "Shop")
    run(tmp_path, "senders", "policy", "shop", "registered")
    shown = run(tmp_path, "senders", "list", "shop")
    assert "default sender: Shop" in shown
    assert "policy: registered" in shown


def test_a_pending_name_cannot_be_the_default_sender(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop")
    register(tmp_path, "shop", "ShopNews")
    assert "awaiting verification" in fails(tmp_path, "senders", "default", "shop", "ShopNews")


def test_an_unknown_policy_is_refused(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop")
    assert "open or registered" in fails(tmp_path, "senders", "policy", "shop", "closed")


def test_pool_numbers_are_listed_with_their_pool(tmp_path: Path) -> None:
    run(tmp_path, "numbers", "add", "+48600000001", "--pool", "shared")
    run(tmp_path, "numbers", "add", "+48700000001", "--pool", "two_way")
    listed = run(tmp_path, "numbers", "list")
    assert "shared" in listed
    assert "two_way" in listed


def test_a_number_goes_to_an_account_or_a_pool_not_both(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop")
    assert "not both" in fails(
        tmp_path, "numbers", "add", "+48600000001", "shop", "--pool", "shared"
    )
    assert "--pool" in fails(tmp_path, "numbers", "add", "+48600000001", "--pool", "private")
