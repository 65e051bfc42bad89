"""Endpoints and secrets as the fan-out and the sender need them, cached in memory.

Every change goes through `services/webhooks.py`, which calls `invalidate` after its commit.
A load that raced with a change is not cached: `generation` tells the two apart.
"""

from __future__ import annotations

import secrets

from smsgate.store import webhooks as repo
from smsgate.store.database import Database, Tx

Subscriptions = dict[int, tuple[repo.Endpoint, ...]]  # account id -> its active endpoints


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Directory:
    def __init__(self, db: Database):
        self._db = db
        self._subscriptions: Subscriptions = {}
        self._endpoints: dict[int, repo.Endpoint | None] = {}
        self._callback_secrets: dict[int, str] = {}
        self.generation = 0

    def snapshot(self) -> tuple[int, Subscriptions]:
        """A copy of the cached subscriptions, safe to read on the store thread."""
        return self.generation, dict(self._subscriptions)

    def learn(self, generation: int, loaded: dict[int, list[repo.Endpoint]]) -> None:
        if generation == self.generation:
            self._subscriptions.update((a, tuple(eps)) for a, eps in loaded.items())

    def invalidate(self, account_id: int, endpoint_id: int | None = None) -> None:
        self.generation += 1
        self._subscriptions.pop(account_id, None)
        if endpoint_id is not None:
            self._endpoints.pop(endpoint_id, None)

    def forget_callback_secret(self, account_id: int) -> None:
        self._callback_secrets.pop(account_id, None)

    async def endpoint(self, endpoint_id: int) -> repo.Endpoint | None:
        """The endpoint (active or not), or None once deleted."""
        if endpoint_id in self._endpoints:
            return self._endpoints[endpoint_id]
        generation = self.generation
        found = await self._db.read(lambda conn: repo.endpoint(conn, endpoint_id))
        if generation == self.generation:
            self._endpoints[endpoint_id] = found
        return found

    async def callback_secret(self, account_id: int) -> str:
        """The secret that signs an account's per-send callbacks, made on first use."""
        cached = self._callback_secrets.get(account_id)
        if cached is not None:
            return cached
        candidate = new_secret()

        async def job(tx: Tx) -> str:
            return await repo.set_callback_secret(
                tx.conn, account_id, candidate, only_if_missing=True
            )

        secret = await self._db.write(job)
        self._callback_secrets[account_id] = secret
        return secret
