"""Message templates of an account, and the preview of a send: each recipient's own text, its
encoding, parts and price, before anything is sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from smsgate.domain.account import Account
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.templates import Template, template, template_name
from smsgate.domain.text import segment
from smsgate.services.clock import now_ms
from smsgate.services.contacts import Audience, ContactService
from smsgate.services.paging import check_limit
from smsgate.services.sending import SendCommand, SendingService
from smsgate.store import templates as repo
from smsgate.store.database import Database
from smsgate.store.templates import StoredTemplate


@dataclass(frozen=True, slots=True)
class PreviewRow:
    to: str
    text: str
    encoding: str
    parts: int | None  # None: the recipient would be refused (see error_code)
    price: Decimal | None
    missing: tuple[str, ...]  # placeholders the recipient has no value for
    error_code: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Preview:
    template: Template
    recipients: int  # numbers the send reaches, opted-out ones included
    opted_out: int
    audience: Audience
    rows: list[PreviewRow]  # the first recipients'
    currency: str | None


class TemplateService:
    def __init__(self, db: Database, contacts: ContactService, sending: SendingService):
        self._db = db
        self._contacts = contacts
        self._sending = sending

    async def all(self, account: Account) -> list[StoredTemplate]:
        return await self._db.read(lambda conn: repo.all_of(conn, account.id))

    async def get(self, account: Account, name: str) -> StoredTemplate:
        found = await self._db.read(lambda conn: repo.one(conn, account.id, name))
        if found is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"no template named {name}", "template")
        return found

    async def put(self, account: Account, name: str, text: str) -> StoredTemplate:
        """Make the template or replace its text."""
        name = template_name(name)
        template(text)
        await self._db.write(lambda tx: repo.put(tx, account.id, name, text, now_ms()))
        return await self.get(account, name)

    async def remove(self, account: Account, name: str) -> None:
        if not await self._db.write(lambda tx: repo.remove(tx, account.id, name)):
            raise DomainError(ErrorCode.NOT_FOUND, f"no template named {name}", "template")

    async def compiled(self, account: Account, *, name: str | None, text: str | None) -> Template:
        """The template a request names, or the text it gives: exactly one of them."""
        if (name is None) == (text is None):
            raise DomainError(ErrorCode.INVALID_FIELD, "give either template or text", "template")
        if name is not None:
            return template((await self.get(account, name)).text, "template")
        assert text is not None
        return template(text)

    async def preview(
        self,
        account: Account,
        *,
        name: str | None = None,
        text: str | None = None,
        groups: Sequence[str] = (),
        contact_ids: Sequence[int] = (),
        numbers: Sequence[str] = (),
        sender: str | None = None,
        limit: int = 100,
    ) -> Preview:
        """The first `limit` recipients' texts and what each would cost; nothing is sent."""
        check_limit(limit)
        filling = await self.compiled(account, name=name, text=text)
        audience = await self._contacts.audience(
            account, groups=groups, contact_ids=contact_ids, numbers=numbers
        )
        shown = audience.recipients[:limit]
        filled = [filling.fill(r.value) for r in shown]
        sendable = [i for i, r in enumerate(shown) if not r.opted_out]
        estimate = await self._sending.send(
            account,
            SendCommand(
                personalised=tuple((shown[i].number, filled[i].text) for i in sendable),
                sender=sender,
                estimate=True,
            ),
        ) if sendable else None  # fmt: skip
        answers = dict(zip(sendable, estimate.recipients if estimate else (), strict=True))
        rows = []
        for i, (recipient, done) in enumerate(zip(shown, filled, strict=True)):
            answer = answers.get(i)
            rows.append(
                PreviewRow(
                    to=recipient.number,
                    text=done.text,
                    encoding=segment(done.text).encoding.value,
                    parts=answer.parts if answer is not None else None,
                    price=answer.price if answer is not None else None,
                    missing=done.missing,
                    error_code=ErrorCode.OPTED_OUT.code if answer is None else answer.error_code,
                    error=ErrorCode.OPTED_OUT.message if answer is None else answer.error,
                )
            )
        return Preview(
            template=filling,
            recipients=len(audience.recipients),
            opted_out=sum(r.opted_out for r in audience.recipients),
            audience=audience,
            rows=rows,
            currency=estimate.currency if estimate else None,
        )
