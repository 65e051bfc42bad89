"""What the interop tests of our SMPP server share: a gateway on SQLite whose account "acme"
binds with SMPP credentials, and deliver_sm retries quick enough for a test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from smsgate.config import SmppServerSettings
from tests.integration.smpp_customer import Smpp, start_smpp

SERVER = SmppServerSettings(retry_base_s=0.2, retry_cap_s=0.5)


@asynccontextmanager
async def smsgate_for_customers(tmp_path: Path, **credentials: object) -> AsyncIterator[Smpp]:
    """`credentials` as `SmppAccounts.set_credentials` takes them (dc1="gsm7", ...)."""
    data = tmp_path / "smsgate"
    data.mkdir()
    async for smpp in start_smpp(f"sqlite:///{data / 'smsgate.db'}", data, SERVER, **credentials):
        yield smpp
