"""Per-account keyword rules and reply window; an account without a row has the defaults."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from smsgate.domain.keywords import KeywordRules, parse_words
from smsgate.store.engine import Conn
from smsgate.store.schema import inbound_settings

_WORD_COLUMNS = ("stop_words", "start_words", "help_words")
_REPLY_COLUMNS = ("stop_reply", "start_reply", "help_reply")


@dataclass(frozen=True, slots=True)
class InboundSettings:
    rules: KeywordRules
    reply_window_s: int | None  # None: the server's default


async def get(conn: Conn, account_id: int) -> InboundSettings:
    row = (
        await conn.execute(
            select(inbound_settings).where(inbound_settings.c.account_id == account_id)
        )
    ).first()
    if row is None:
        return InboundSettings(KeywordRules(), None)
    return InboundSettings(
        KeywordRules(
            stop_words=parse_words(row.stop_words.split(",")),
            start_words=parse_words(row.start_words.split(",")),
            help_words=parse_words(row.help_words.split(",")),
            stop_reply=row.stop_reply,
            start_reply=row.start_reply,
            help_reply=row.help_reply,
        ),
        row.reply_window_s,
    )


async def put(conn: Conn, account_id: int, settings: InboundSettings, now_ms: int) -> None:
    rules = settings.rules
    values = {name: ",".join(sorted(getattr(rules, name))) for name in _WORD_COLUMNS}
    values.update({name: getattr(rules, name) for name in _REPLY_COLUMNS})
    await conn.execute(delete(inbound_settings).where(inbound_settings.c.account_id == account_id))
    await conn.execute(
        insert(inbound_settings).values(
            account_id=account_id,
            reply_window_s=settings.reply_window_s,
            updated_at=now_ms,
            **values,
        )
    )
