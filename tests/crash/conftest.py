"""The store each crash run uses: a SQLite data dir, or a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.conftest import fresh_postgres_url
from tests.crash.harness import PostgresView, SqliteView, Store


@pytest_asyncio.fixture(
    scope="module",
    loop_scope="module",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
async def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Store]:
    data_dir = tmp_path_factory.mktemp(f"crash-{request.param}")
    if request.param == "sqlite":
        yield Store("sqlite", data_dir, {}, SqliteView(data_dir / "smsgate.db"))
        return
    async for url in fresh_postgres_url():
        yield Store("postgres", data_dir, {"SMSGATE_DATABASE_URL": url}, PostgresView(url))
