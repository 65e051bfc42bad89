"""`smsgate connectors`: managed on the store directly, like accounts and numbers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from typer.testing import CliRunner

from smsgate.cli import app
from smsgate.connectors.base import BindStatus, ConnectorStatus
from smsgate.connectors.registry import MASK
from smsgate.services.clock import now_ms
from smsgate.store import connectors as repo
from smsgate.store.database import Database, Tx

runner = CliRunner()


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.delenv("SMSGATE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray ./smsgate.toml
    return ["--data-dir", str(tmp_path / "data")]


def listed(data: list[str]) -> dict[str, Any]:
    result = runner.invoke(app, ["connectors", "list", "--json", *data])
    assert result.exit_code == 0, result.output
    body: dict[str, Any] = json.loads(result.output)
    return body


def by_name(data: list[str]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in listed(data)["data"]}


def test_without_a_config_file_the_simulator_is_the_one_connector(data: list[str]) -> None:
    (simulator,) = listed(data)["data"]
    assert (simulator["name"], simulator["source"], simulator["state"]) == (
        "simulator",
        "config",
        "unknown",
    )


def test_options_given_as_text_are_read_as_their_types(data: list[str]) -> None:
    added = runner.invoke(
        app,
        ["connectors", "add", "carrier", "--kind", "simulator", *data,
         "-o", "window=5", "-o", "throughput=2.5", "-o", "seed=null", "-o", "number=0048",
         "-o", "reply_texts=yes", "-o", "reply_texts=no"],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "carrier" in added.output
    carrier = by_name(data)["carrier"]
    assert carrier["source"] == "database" and carrier["enabled"] is True
    assert carrier["options"] == {
        "window": 5,
        "throughput": 2.5,
        "seed": None,
        "number": "0048",
        "reply_texts": ["yes", "no"],
    }


def test_options_may_come_as_one_json_object(data: list[str]) -> None:
    options = '{"window": 7, "reply_texts": ["a"]}'
    added = runner.invoke(
        app,
        ["connectors", "add", "carrier", "--kind", "simulator", "--options-json", options, *data],
    )
    assert added.exit_code == 0, added.output
    assert by_name(data)["carrier"]["options"] == {"window": 7, "reply_texts": ["a"]}


def test_bad_options_are_refused_naming_each(data: list[str]) -> None:
    result = runner.invoke(
        app,
        ["connectors", "add", "carrier", "--kind", "simulator", "-o", "window=0", "-o", "hots=1",
         *data],
    )  # fmt: skip
    said = " ".join(result.output.split())  # as printed, wrapped to the terminal
    assert result.exit_code == 1
    assert "options.window: Input should be greater than or equal to 1" in said
    assert "options.hots: unknown option" in said
    assert "carrier" not in by_name(data)


def test_an_smpp_connector_added_with_the_cli_is_listed_with_its_password_masked(
    data: list[str],
) -> None:
    added = runner.invoke(
        app,
        ["connectors", "add", "carrier", "--kind", "smpp", *data,
         "-o", "host=smsc.example.net", "-o", "port=2776", "-o", "system_id=acme",
         "-o", "password=secret", "-o", "bind_mode=pair", "-o", "binds=2", "-o", "window=50",
         "-o", "temporary_statuses=1024", "-o", "temporary_statuses=1025"],
    )  # fmt: skip
    table = runner.invoke(app, ["connectors", "list", *data], env={"COLUMNS": "160"})
    assert added.exit_code == 0, added.output
    assert "carrier added (smpp, enabled)" in added.output
    carrier = by_name(data)["carrier"]
    assert (carrier["kind"], carrier["source"], carrier["state"]) == ("smpp", "database", "unknown")
    assert carrier["options"] == {
        "host": "smsc.example.net",
        "port": 2776,
        "system_id": "acme",
        "password": MASK,
        "bind_mode": "pair",
        "binds": 2,
        "window": 50,
        "temporary_statuses": [1024, 1025],
    }
    row = next(line for line in table.output.splitlines() if "carrier" in line)
    assert row.split()[:4] == ["carrier", "smpp", "database", "yes"]


def test_an_unknown_kind_is_refused(data: list[str]) -> None:
    result = runner.invoke(app, ["connectors", "add", "carrier", "--kind", "pigeon", *data])
    assert result.exit_code == 1
    assert "unknown connector kind" in result.output


def test_an_option_without_a_value_is_a_usage_error(data: list[str]) -> None:
    result = runner.invoke(
        app, ["connectors", "add", "carrier", "--kind", "simulator", "-o", "window", *data]
    )
    assert result.exit_code == 2


def test_a_connector_is_removed(data: list[str]) -> None:
    runner.invoke(app, ["connectors", "add", "carrier", "--kind", "simulator", *data])
    removed = runner.invoke(app, ["connectors", "remove", "carrier", *data])
    again = runner.invoke(app, ["connectors", "remove", "carrier", *data])
    assert removed.exit_code == 0
    assert "carrier" not in by_name(data)
    assert again.exit_code == 1 and "no connector carrier" in again.output


def test_a_config_file_connector_can_be_disabled_but_not_removed(data: list[str]) -> None:
    removed = runner.invoke(app, ["connectors", "remove", "simulator", *data])
    disabled = runner.invoke(app, ["connectors", "disable", "simulator", *data])
    state_when_disabled = by_name(data)["simulator"]["state"]
    enabled = runner.invoke(app, ["connectors", "enable", "simulator", *data])
    assert removed.exit_code == 1 and "config file" in removed.output
    assert disabled.exit_code == 0 and enabled.exit_code == 0
    assert state_when_disabled == "disabled"
    assert by_name(data)["simulator"]["enabled"] is True


def test_connectors_of_the_config_file_are_listed_in_its_order(
    data: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "smsgate.toml"
    config.write_text(
        '[[connectors]]\nname = "b"\nkind = "simulator"\nwindow = 3\n\n'
        '[[connectors]]\nname = "a"\nkind = "simulator"\nenabled = false\n'
    )
    monkeypatch.setenv("SMSGATE_CONFIG", str(config))
    connectors = listed(data)["data"]
    assert [(c["name"], c["enabled"], c["options"]) for c in connectors] == [
        ("b", True, {"window": 3}),
        ("a", False, {}),
    ]


def report(data_dir: Path, node: str, name: str, status: ConnectorStatus, age_ms: int) -> None:
    """What a running node writes every couple of seconds."""

    async def run() -> None:
        db = Database(f"sqlite:///{data_dir / 'smsgate.db'}")
        await db.open()

        async def job(tx: Tx) -> None:
            states = {name: msgspec.json.encode(status)}
            await repo.report_status(tx.conn, node, states, now_ms() - age_ms)

        try:
            await db.write(job)
        finally:
            await db.close()

    asyncio.run(run())


def test_the_list_shows_each_node_s_binds_window_use_rate_and_errors(
    data: list[str], tmp_path: Path
) -> None:
    runner.invoke(app, ["connectors", "list", *data])  # creates the store
    status = ConnectorStatus(
        state="up",
        binds=[BindStatus("transceiver", "bound", now_ms()), BindStatus("receiver", "down", 0)],
        window=10,
        in_flight=3,
        rate=42.5,
        submitted=900,
        submit_errors=7,
        reports=880,
        inbound=2,
        last_error="ESME_RTHROTTLED: throttled",
    )
    report(tmp_path / "data", "node-0", "simulator", status, age_ms=0)
    report(tmp_path / "data", "node-1", "simulator", status, age_ms=60_000)
    result = runner.invoke(app, ["connectors", "list", *data], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    fresh = next(line for line in lines if "node-0" in line)
    stale = next(line for line in lines if "node-1" in line)
    for shown in ("up", "transceiver:bound, receiver:down", "3/10", "42.5", "7"):
        assert shown in fresh
    assert "stale 60 s" in stale
    assert "last error of simulator on node-0: ESME_RTHROTTLED: throttled" in result.output
