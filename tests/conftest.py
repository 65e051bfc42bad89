"""Shared fixtures: the engines every store-backed test runs on."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

PG_DSN = os.environ.get("SMSGATE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_SERVICES = os.environ.get("SMSGATE_REQUIRE_SERVICES") == "1"


async def _admin() -> asyncpg.Connection | None:
    try:
        return await asyncpg.connect(PG_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        if REQUIRE_SERVICES:
            pytest.fail(f"PostgreSQL is required (SMSGATE_REQUIRE_SERVICES=1) but: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    return None


async def fresh_postgres_url() -> AsyncIterator[str]:
    """A new, empty database for one test; dropped afterwards."""
    admin = await _admin()
    assert admin is not None
    name = f"smsgate_test_{uuid.uuid4().hex[:12]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base = PG_DSN.rsplit("/", 1)[0]
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'smsgate.db'}"
        return
    async for url in fresh_postgres_url():
        yield url
