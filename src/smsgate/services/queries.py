"""Reading and canceling messages on behalf of an account."""

from __future__ import annotations

from dataclasses import replace

from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.message import Message
from smsgate.services.clock import now_ms
from smsgate.services.paging import check_limit, cut
from smsgate.store import messages, parts
from smsgate.store.database import Database, Tx
from smsgate.store.engine import Conn


class MessageQueries:
    def __init__(self, db: Database):
        self._db = db

    async def get(self, account: Account, message_id: int) -> Message:
        """One message with its status history and the detail of each part."""

        async def read(conn: Conn) -> Message | None:
            message = await messages.get(conn, account.id, message_id)
            if message is None:
                return None
            return replace(message, part_details=await parts.of_message(conn, message_id))

        message = await self._db.read(read)
        if message is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"no message {message_id}")
        return message

    async def find(
        self, account: Account, flt: messages.MessageFilter, limit: int
    ) -> tuple[list[Message], int | None]:
        """A page, newest first, and the cursor for the next page (None at the end)."""
        check_limit(limit)
        rows = await self._db.read(lambda conn: messages.find(conn, account.id, flt, limit + 1))
        return cut(rows, limit, lambda m: m.id)

    async def cancel(self, account: Account, message_id: int) -> Message:
        async def job(tx: Tx) -> bool:
            return await messages.cancel(tx, account.id, message_id, now_ms())

        canceled = await self._db.write(job)
        message = await self.get(account, message_id)
        if not canceled:
            raise DomainError(
                ErrorCode.NOT_CANCELABLE,
                f"message {message_id} is {message.status.value} and can no longer be canceled",
            )
        return message
