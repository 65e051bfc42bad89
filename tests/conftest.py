"""Shared fixtures: the engines every store-backed test runs on, and Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import asyncpg
import pytest

PG_DSN = os.environ.get("SMSGATE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("SMSGATE_TEST_REDIS", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("SMSGATE_REQUIRE_SERVICES") == "1"


def _unreachable(service: str, exc: Exception) -> NoReturn:
    if REQUIRE_SERVICES:
        pytest.fail(f"{service} is required (SMSGATE_REQUIRE_SERVICES=1) but: {exc}")
    pytest.skip(f"{service} not reachable: {exc}")


async def _admin() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(PG_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        _unreachable("PostgreSQL", exc)


async def fresh_postgres_url() -> AsyncIterator[str]:
    """A new, empty database for one test; dropped afterwards."""
    admin = await _admin()
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


@dataclass(frozen=True, slots=True)
class RedisSpace:
    """The tests' Redis, and a key prefix of one test's own (the gateway's `redis_prefix`):
    tests running at once on one Redis never count into each other's keys."""

    url: str
    prefix: str


async def fresh_redis_space() -> AsyncIterator[RedisSpace]:
    """A key prefix of its own on the tests' Redis; its keys are deleted afterwards."""
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    redis = Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        await redis.ping()
    except (OSError, RedisError) as exc:
        await redis.aclose()
        _unreachable("Redis", exc)
    prefix = f"smsgate-test-{uuid.uuid4().hex[:12]}:"
    try:
        yield RedisSpace(REDIS_URL, prefix)
    finally:
        left = [key async for key in redis.scan_iter(match=f"{prefix}*")]
        if left:
            await redis.delete(*left)
        await redis.aclose()


@pytest.fixture
async def redis_space() -> AsyncIterator[RedisSpace]:
    async for space in fresh_redis_space():
        yield space
