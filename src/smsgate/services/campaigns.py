"""Campaigns: one send to groups, contacts and numbers, each message with its own text and
release time, paused, resumed and canceled as a whole, its progress counted live.

Making a campaign stores every message at once (queued when due already, else scheduled for
its release; the cost reserved) in one transaction with the campaign: it is there whole or not
at all, and the dispatcher's scheduler releases each message when its time comes, from the
store, whatever restarts between. Pausing holds back the releases still to come; resuming
moves them later by the pause's length and back into the campaign's daily hours and out of the
account's quiet hours, a spread campaign keeping its pace (domain.campaigns.resumed_times).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from smsgate.domain.account import Account
from smsgate.domain.campaigns import Release, release_times, resumed_times
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.hours import time_zone
from smsgate.domain.phone import Rejected
from smsgate.domain.status import Status
from smsgate.services.clock import now_ms
from smsgate.services.contacts import ContactService
from smsgate.services.limits import LimitService
from smsgate.services.paging import check_limit, cut
from smsgate.services.sending import SendCommand, SendingService, SendResult
from smsgate.services.templates import TemplateService
from smsgate.store import campaigns as repo
from smsgate.store import messages
from smsgate.store.campaigns import Campaign, Progress
from smsgate.store.database import Database, Tx

NAME_MAX = 64


@dataclass(frozen=True, slots=True)
class CampaignInput:
    name: str
    template: str | None = None  # a template's name, or
    text: str | None = None
    groups: Sequence[str] = ()
    contact_ids: Sequence[int] = ()
    numbers: Sequence[str] = ()
    sender: str | None = None
    urgent: bool = False
    release: Release = field(default_factory=Release)
    time_zone: str | None = None  # of recipients whose contact has none; None: the account's
    validity_s: int | None = None


@dataclass(frozen=True, slots=True)
class Made:
    campaign: Campaign
    result: SendResult  # each recipient's message or refusal, as a send answers
    opted_out: int  # recipients left out for their opt-out
    not_numbers: list[Rejected]  # entries of the numbers given that are not numbers


class CampaignService:
    def __init__(
        self,
        db: Database,
        contacts: ContactService,
        templates: TemplateService,
        sending: SendingService,
        limits: LimitService,
    ):
        self._db = db
        self._contacts = contacts
        self._templates = templates
        self._sending = sending
        self._limits = limits

    async def create(self, account: Account, given: CampaignInput) -> Made:
        if not 1 <= len(given.name) <= NAME_MAX:
            raise DomainError(ErrorCode.INVALID_FIELD, f"a name is 1-{NAME_MAX} characters", "name")
        if account.test_mode:
            raise DomainError(
                ErrorCode.INVALID_REQUEST, "a test-mode account sends no campaigns", "account"
            )
        limits = self._limits.of(account)
        zone = time_zone(given.time_zone or account.timezone, "time_zone")
        filling = await self._templates.compiled(account, name=given.template, text=given.text)
        audience = await self._contacts.audience(
            account, groups=given.groups, contact_ids=given.contact_ids, numbers=given.numbers
        )
        reached = [r for r in audience.recipients if not r.opted_out]
        if not reached:
            raise DomainError(ErrorCode.NO_RECIPIENTS, "the campaign reaches no one", "to")
        now = now_ms()
        times = release_times(
            given.release,
            now,
            [r.contact.time_zone or zone if r.contact else zone for r in reached],
            None if given.urgent else limits.quiet,
        )
        campaign_id = self._db.ids.next()
        cmd = SendCommand(
            personalised=tuple((r.number, filling.fill(r.value).text) for r in reached),
            sender=given.sender,
            urgent=given.urgent,
            validity_s=given.validity_s,
            campaign_id=campaign_id,
            release_at=tuple(times),
        )
        prepared = await self._sending.capped(self._sending.prepare(account, cmd))

        async def job(tx: Tx) -> tuple[SendResult, Campaign, set[str]] | DomainError:
            try:
                result, connectors = await self._sending.stage(tx, prepared)
            except DomainError as refused:  # nothing written: the jobs beside it stand
                return refused
            if not result.accepted:
                return DomainError(ErrorCode.NO_RECIPIENTS, "no message could be made", "to")
            accepted = {r.index for r in result.recipients if r.id is not None}
            made = Campaign(
                id=campaign_id,
                account_id=account.id,
                name=given.name,
                state="running",
                text=filling.text,
                recipients=result.accepted,
                skipped=result.rejected
                + len(audience.recipients)
                - len(reached)
                + len(audience.rejected),
                starts_at=min(times[i] for i in accepted),
                ends_at=max(times[i] for i in accepted),
                paused_at=None,
                created_at=now,
                updated_at=now,
                window=given.release.window,
                time_zone=zone,
                urgent=given.urgent,
            )
            repo.defer_add(tx, made)
            return result, made, connectors

        stored = await self._db.write(job)
        if isinstance(stored, DomainError):
            raise stored
        result, made, connectors = stored
        self._sending.wake(connectors)  # for the messages due at once
        return Made(made, result, len(audience.recipients) - len(reached), audience.rejected)

    @staticmethod
    def state(found: Campaign, progress: Progress) -> str:
        """running, paused, canceled, or finished: running with every message settled."""
        return "finished" if found.state == "running" and not progress.pending else found.state

    async def get(self, account: Account, campaign_id: int) -> Campaign:
        found = await self._db.read(lambda conn: repo.get(conn, account.id, campaign_id))
        if found is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"no campaign {campaign_id}", "campaign")
        return found

    async def page(
        self, account: Account, before_id: int | None, limit: int
    ) -> tuple[list[Campaign], int | None]:
        check_limit(limit)
        rows = await self._db.read(lambda conn: repo.page(conn, account.id, before_id, limit + 1))
        return cut(rows, limit, lambda c: c.id)

    async def progress(self, account: Account, campaign_id: int) -> tuple[Campaign, Progress]:
        found = await self.get(account, campaign_id)
        return found, await self._db.read(lambda conn: repo.progress(conn, found))

    async def pause(self, account: Account, campaign_id: int) -> Campaign:
        """Hold back the releases still to come (messages already queued still go)."""
        found = await self.get(account, campaign_id)
        if found.state == "paused":
            return found
        self._running(found)
        now = now_ms()
        await self._db.write(lambda tx: repo.set_state(tx, found.id, "paused", now, now))
        return await self.get(account, campaign_id)

    async def resume(self, account: Account, campaign_id: int) -> Campaign:
        """Release again: every release still to come later by the time paused, then in the
        campaign's daily hours and out of the account's quiet hours, at the spread's pace."""
        found = await self.get(account, campaign_id)
        if found.state == "running":
            return found
        self._running(found, paused_ok=True)
        now = now_ms()
        quiet = None if found.urgent else self._limits.of(account).quiet

        async def job(tx: Tx) -> DomainError | None:
            waiting = await repo.pending(tx, found)
            try:
                times = resumed_times(
                    found.window,
                    quiet,
                    [(p.time_zone or found.time_zone, p.send_at) for p in waiting],
                    now - (found.paused_at or now),
                    now,
                )
            except DomainError as refused:  # nothing written: the jobs beside it stand
                return refused
            moves = [(p.id, at - p.send_at) for p, at in zip(waiting, times, strict=True)]
            await repo.reschedule(tx, found.id, moves)
            await repo.set_state(tx, found.id, "running", now, None)
            return None

        refused = await self._db.write(job)
        if refused is not None:
            raise refused
        return await self.get(account, campaign_id)

    async def cancel(self, account: Account, campaign_id: int) -> tuple[Campaign, int]:
        """Cancel every message not handed to a connector yet (their charges come back);
        returns the campaign and how many were canceled."""
        found = await self.get(account, campaign_id)
        if found.state == "canceled":
            return found, 0
        now = now_ms()

        async def job(tx: Tx) -> int:
            waiting = await repo.waiting(tx, found.id)
            await messages.apply_changes(
                tx, [messages.Change(mid, Status.CANCELED, now) for mid in waiting]
            )
            await repo.set_state(tx, found.id, "canceled", now, found.paused_at)
            return len(waiting)

        canceled = await self._db.write(job)
        return await self.get(account, campaign_id), canceled

    async def watch(
        self, account: Account, campaign_id: int, every_s: float = 1.0
    ) -> AsyncIterator[tuple[Campaign, Progress]]:
        """The campaign's progress now and at each change, until it is settled (every message
        final) or canceled with nothing left in flight."""
        last: Progress | None = None
        while True:
            found, now = await self.progress(account, campaign_id)
            if now != last:
                yield found, now
                last = now
            if now.pending == 0 or (found.state == "canceled" and not now.count(Status.QUEUED)):
                return
            await asyncio.sleep(every_s)

    @staticmethod
    def _running(found: Campaign, *, paused_ok: bool = False) -> None:
        if found.state == "canceled" or (found.state == "paused" and not paused_ok):
            raise DomainError(
                ErrorCode.CAMPAIGN_STATE, f"the campaign is {found.state}", "campaign"
            )
