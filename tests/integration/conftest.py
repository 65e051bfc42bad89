"""A real gateway behind a real HTTP server on 127.0.0.1, on each engine."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import uvicorn

from smsgate.config import Settings, SimulatorSettings
from smsgate.connectors.base import Connector
from smsgate.dispatch import dispatcher
from smsgate.domain.errors import DomainError
from smsgate.http.app import create_app
from smsgate.http.native import campaigns as campaigns_http
from smsgate.runtime import Gateway, build_connectors
from smsgate.services import campaigns, sending
from smsgate.services.clock import now_ms
from tests.integration.smpp_carrier import Carrier

FINAL = {"delivered", "undelivered", "expired", "rejected", "failed", "canceled"}


@dataclass
class Running:
    gateway: Gateway
    base_url: str
    client: httpx.AsyncClient  # authenticated as the test account
    token: str

    def anonymous(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base_url, timeout=30)

    def as_key(self, token: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    async def wait_for_status(
        self,
        message_id: str,
        statuses: set[str],
        timeout: float = 10.0,
        *,
        account: str | None = None,  # a sub-account of the test account's, by name
    ) -> dict[str, object]:
        deadline = asyncio.get_running_loop().time() + timeout
        params = {"account": account} if account else {}
        while True:
            answer = await self.client.get(f"/v1/messages/{message_id}", params=params)
            body: dict[str, object] = answer.json()
            if body.get("status") in statuses:
                return body
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"message {message_id} stuck in {body.get('status')}")
            await asyncio.sleep(0.02)


async def start_gateway(
    settings: Settings, connectors: list[Connector] | None = None
) -> AsyncIterator[Running]:
    gateway = Gateway(settings, connectors)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(gateway), host="127.0.0.1", port=0, log_level="warning", lifespan="on"
        )
    )
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    if task.done():
        task.result()
    port = server.servers[0].sockets[0].getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    with contextlib.suppress(DomainError):  # there already when restarted on the same store
        await gateway.accounts.create_account("acme", default_region="PL")
    key = await gateway.accounts.create_key("acme")
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {key.token}"}, timeout=30
    ) as client:
        try:
            yield Running(gateway, base_url, client, key.token)
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, 20)


def settings_for(database_url: str, tmp_path: Path, **simulator: object) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        smpp_port=0,  # the SMPP server on a free port, never the shared default 2775
        simulator=SimulatorSettings(
            **{"submit_latency_ms": 0.0, "report_delay_ms": 20.0, "seed": 7, **simulator}
        ),
    )


@pytest.fixture
async def gw(database_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    async for running in start_gateway(settings_for(database_url, tmp_path)):
        yield running


@pytest.fixture
def gateway_with(database_url: str, tmp_path: Path) -> Callable[..., AsyncIterator[Running]]:
    """Start a gateway with custom connectors: `async for gw in gateway_with([...]): ...`."""

    def start(
        connectors: list[Connector] | None = None, **simulator: object
    ) -> AsyncIterator[Running]:
        settings = settings_for(database_url, tmp_path, **simulator)
        return start_gateway(settings, connectors or build_connectors(settings))

    return start


class Clock:
    """A wall clock that stands still, where the test sets it (at first, when it was made)."""

    def __init__(self) -> None:
        self.now_ms = now_ms()

    def __call__(self) -> int:
        return self.now_ms

    def set(self, moment: str) -> None:
        """Stand at `moment`, ISO 8601 with an offset."""
        self.now_ms = int(datetime.fromisoformat(moment).timestamp() * 1000)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The clock a campaign's times pass through, injected: making, pausing and resuming it,
    and the dispatcher releasing and claiming its messages."""
    injected = Clock()
    for module in (campaigns_http, campaigns, sending, dispatcher):
        monkeypatch.setattr(module, "now_ms", injected)
    return injected


@pytest.fixture
async def carrier() -> AsyncIterator[Carrier]:
    """A carrier's SMSC on a free port of 127.0.0.1 (smpp_carrier.py)."""
    smsc = await Carrier().start()
    yield smsc
    await smsc.close()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: (cert, key)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt"),
            *("ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key
