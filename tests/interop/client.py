"""What the interop tests of our client connector share: a gateway with one SMPP connector
pointed at a real carrier peer, and sending through the HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from smsgate.connectors.smpp import SmppConnector, SmppOptions
from tests.integration.conftest import Running, settings_for, start_gateway
from tests.interop.peers.process import Carrier

OUR_NUMBER = "+48500000001"
FINAL = {"delivered", "undelivered", "expired", "rejected", "failed"}


def connector_for(smsc: Carrier, **options: Any) -> SmppConnector:
    return SmppConnector(
        "carrier",
        SmppOptions.model_validate(
            {
                "host": smsc.host,
                "port": smsc.port,
                "system_id": "smsgate",
                "password": "secret",
                "reconnect_initial_s": 0.05,
                "reconnect_max_s": 0.5,
                "response_timeout_s": 5,
                **options,
            }
        ),
    )


@asynccontextmanager
async def gateway(tmp_path: Path, connector: SmppConnector) -> AsyncIterator[Running]:
    """A gateway on SQLite in `tmp_path` whose one connector is `connector`, bound."""
    settings = settings_for(f"sqlite:///{tmp_path / 'smsgate.db'}", tmp_path)
    async for running in start_gateway(settings, [connector]):
        yield running


async def send(gw: Running, text: str, to: str = "+48600111222", **extra: Any) -> str:
    response = await gw.client.post("/v1/messages", json={"to": [to], "text": text, **extra})
    assert response.status_code == 201, response.text
    message_id: str = response.json()["messages"][0]["id"]
    return message_id


async def send_many(gw: Running, count: int, text: str = "bulk") -> list[str]:
    recipients = [f"+4860011{n:04d}" for n in range(count)]
    response = await gw.client.post("/v1/messages", json={"to": recipients, "text": text})
    assert response.status_code == 201, response.text
    return [m["id"] for m in response.json()["messages"]]
