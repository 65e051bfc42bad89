"""Webhook endpoints, the per-send callback secret, dead letters and delivery logs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.urls import validate_callback_url
from smsgate.services.clock import now_ms
from smsgate.services.paging import check_limit, cut
from smsgate.store import outbox
from smsgate.store import webhooks as repo
from smsgate.store.database import Database, Tx
from smsgate.webhooks.directory import Directory, new_secret
from smsgate.webhooks.sender import Sender

MAX_ENDPOINTS = 100
MAX_DESCRIPTION = 200
STATES = (repo.PENDING, repo.DELIVERED, repo.DEAD)


def parse_events(events: Sequence[str] | None) -> frozenset[str] | None:
    """Event types to subscribe to; None (or "*") for all of them."""
    if events is None or "*" in events:
        return None
    if not events:
        raise DomainError(ErrorCode.INVALID_FIELD, "name at least one event type", field="events")
    unknown = sorted(set(events) - set(outbox.EVENT_TYPES))
    if unknown:
        raise DomainError(
            ErrorCode.INVALID_FIELD,
            f"unknown event type {unknown[0]!r}; known: * or {', '.join(outbox.EVENT_TYPES)}",
            field="events",
        )
    return frozenset(events)


def _description(description: str | None) -> str | None:
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise DomainError(
            ErrorCode.INVALID_FIELD,
            f"at most {MAX_DESCRIPTION} characters",
            field="description",
        )
    return description or None


class WebhookService:
    def __init__(self, db: Database, directory: Directory, sender: Sender):
        self._db = db
        self._directory = directory
        self._sender = sender

    # Endpoints

    async def create(
        self,
        account: Account,
        url: str,
        events: Sequence[str] | None = None,
        description: str | None = None,
    ) -> repo.Endpoint:
        url = validate_callback_url(url, "url")
        subscribed = parse_events(events)
        description = _description(description)

        async def job(tx: Tx) -> repo.Endpoint | None:
            if len(await repo.endpoints_of(tx.conn, account.id)) >= MAX_ENDPOINTS:
                return None
            return await repo.add_endpoint(
                tx.conn,
                account_id=account.id,
                url=url,
                secret=new_secret(),
                events=subscribed,
                description=description,
                now_ms=now_ms(),
            )

        endpoint = await self._db.write(job)
        if endpoint is None:
            raise DomainError(
                ErrorCode.INVALID_REQUEST, f"an account has at most {MAX_ENDPOINTS} endpoints"
            )
        self._directory.invalidate(account.id, endpoint.id)
        return endpoint

    async def list(self, account: Account) -> list[repo.Endpoint]:
        return await self._db.read(lambda conn: repo.endpoints_of(conn, account.id))

    async def get(self, account: Account, endpoint_id: int) -> repo.Endpoint:
        found = await self._db.read(lambda conn: repo.endpoint(conn, endpoint_id, account.id))
        if found is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"no webhook endpoint {endpoint_id}")
        return found

    async def update(
        self,
        account: Account,
        endpoint_id: int,
        *,
        url: str | None = None,
        events: Sequence[str] | None = None,
        active: bool | None = None,
        description: str | None = None,
    ) -> repo.Endpoint:
        """Change what is given (None leaves a field as it is; "" clears the description)."""
        values: dict[str, Any] = {}
        if url is not None:
            values["url"] = validate_callback_url(url, "url")
        if events is not None:
            values["events"] = repo.events_column(parse_events(events))
        if active is not None:
            values["active"] = active
        if description is not None:
            values["description"] = _description(description)
        return await self._change(account, endpoint_id, values)

    async def rotate_secret(self, account: Account, endpoint_id: int) -> repo.Endpoint:
        """A new secret signs every request from now on, retries of older events included."""
        return await self._change(account, endpoint_id, {"secret": new_secret()})

    async def delete(self, account: Account, endpoint_id: int) -> None:
        async def job(tx: Tx) -> bool:
            return await repo.delete_endpoint(tx.conn, account.id, endpoint_id)

        if not await self._db.write(job):
            raise DomainError(ErrorCode.NOT_FOUND, f"no webhook endpoint {endpoint_id}")
        self._directory.invalidate(account.id, endpoint_id)
        self._sender.drop(repo.TargetKey(account.id, endpoint_id))

    async def _change(
        self, account: Account, endpoint_id: int, values: dict[str, Any]
    ) -> repo.Endpoint:
        if not values:
            return await self.get(account, endpoint_id)

        async def job(tx: Tx) -> repo.Endpoint | None:
            return await repo.update_endpoint(tx.conn, account.id, endpoint_id, values, now_ms())

        endpoint = await self._db.write(job)
        if endpoint is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"no webhook endpoint {endpoint_id}")
        self._directory.invalidate(account.id, endpoint_id)
        self._sender.resume(repo.TargetKey(account.id, endpoint_id))
        return endpoint

    # The secret of per-send callbacks

    async def callback_secret(self, account: Account) -> str:
        return await self._directory.callback_secret(account.id)

    async def rotate_callback_secret(self, account: Account) -> str:
        secret = new_secret()

        async def job(tx: Tx) -> str:
            return await repo.set_callback_secret(
                tx.conn, account.id, secret, only_if_missing=False
            )

        await self._db.write(job)
        self._directory.forget_callback_secret(account.id)
        return secret

    # Deliveries and dead letters

    async def deliveries(
        self,
        account: Account,
        limit: int,
        *,
        state: str | None = None,
        endpoint_id: int | None = None,
        event_type: str | None = None,
        before_id: int | None = None,
    ) -> tuple[list[repo.StoredDelivery], int | None]:
        """A page of deliveries, newest first, and the cursor of the next page."""
        if state is not None and state not in STATES:
            raise DomainError(
                ErrorCode.INVALID_FIELD, f"state is one of {', '.join(STATES)}", field="state"
            )
        if event_type is not None and event_type not in outbox.EVENT_TYPES:
            raise DomainError(ErrorCode.INVALID_FIELD, "unknown event type", field="type")
        if endpoint_id is not None:
            await self.get(account, endpoint_id)
        check_limit(limit)
        flt = repo.DeliveryFilter(account.id, state, endpoint_id, False, event_type, before_id)
        rows = await self._db.read(lambda conn: repo.find_deliveries(conn, flt, limit + 1))
        return cut(rows, limit, lambda d: d.id)

    async def replay(self, account: Account, delivery_id: int) -> None:
        """Send one dead letter again, with a fresh retry period."""
        count = await self._replay(repo.DeliveryFilter(account.id), delivery_id)
        if count == 0:
            raise DomainError(ErrorCode.NOT_FOUND, f"no dead letter {delivery_id}")

    async def replay_all(self, account: Account, endpoint_id: int | None = None) -> int:
        """Send again every dead letter of the account, or of one of its endpoints."""
        if endpoint_id is not None:
            await self.get(account, endpoint_id)
        return await self._replay(repo.DeliveryFilter(account.id, endpoint_id=endpoint_id), None)

    async def _replay(self, flt: repo.DeliveryFilter, delivery_id: int | None) -> int:
        async def job(tx: Tx) -> tuple[int, dict[repo.TargetKey, int]]:
            return await repo.replay_dead(tx.conn, flt, now_ms(), delivery_id)

        count, firsts = await self._db.write(job)
        self._sender.rewind(firsts)
        return count
