"""The event log of an account: every status change, read from the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from smsgate.domain.account import Account
from smsgate.services.paging import MAX_PAGE, check_limit
from smsgate.store import outbox
from smsgate.store.database import Database

# A live stream looks for new events this often while there are none.
STREAM_POLL_S = 0.2


class EventLog:
    def __init__(self, db: Database):
        self._db = db
        self._closing = False

    def close(self) -> None:
        """End every live stream at its next look (a server stopping must not wait on them).
        Safe to call from a signal handler."""
        self._closing = True

    async def page(self, account: Account, after: int, limit: int) -> list[outbox.Event]:
        check_limit(limit)
        return await self._db.read(lambda conn: outbox.after(conn, account.id, after, limit))

    async def follow(self, account: Account, after: int) -> AsyncIterator[outbox.Event]:
        """Events after `after`, then each new one as it is committed, until the reader
        goes away or the log is closed."""
        while not self._closing:
            events = await self.page(account, after, MAX_PAGE)
            for event in events:
                yield event
                after = event.id
            if len(events) < MAX_PAGE:
                await asyncio.sleep(STREAM_POLL_S)
