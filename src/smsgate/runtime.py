"""Wires the parts of one smsgate process together: store, services, connectors, dispatcher."""

from __future__ import annotations

import structlog

from smsgate.config import Settings
from smsgate.connectors import registry
from smsgate.connectors.base import Connector
from smsgate.dispatch.dispatcher import Dispatcher
from smsgate.dispatch.failover import Failover
from smsgate.dispatch.reconciler import Reconciler
from smsgate.dispatch.router import Router
from smsgate.services.accounts import AccountService
from smsgate.services.billing import BillingService, PriceBook
from smsgate.services.campaigns import CampaignService
from smsgate.services.channel_sink import ChannelSink
from smsgate.services.connectors import (
    ConnectorService,
    check_configured,
    configured_connectors,
    given_connectors,
)
from smsgate.services.contacts import ContactService
from smsgate.services.counters import MemoryCounters, RedisCounters
from smsgate.services.events import EventLog
from smsgate.services.inbound import InboundService
from smsgate.services.limits import AuthGuard, LimitBook, LimitService
from smsgate.services.networks import NetworkService
from smsgate.services.opt_outs import OptOutService
from smsgate.services.queries import MessageQueries
from smsgate.services.reports import ReportService
from smsgate.services.routing import RouteBook, RoutingService
from smsgate.services.senders import SenderBook, SenderService
from smsgate.services.sending import SendingService
from smsgate.services.smpp_accounts import Lockout, SmppAccounts
from smsgate.services.smpp_deliveries import RetryPolicy as DeliverRetry
from smsgate.services.smpp_deliveries import SmppDeliverer, SmppFanout
from smsgate.services.smpp_door import SmppDoor
from smsgate.services.smpp_queries import SmppQueries
from smsgate.services.smpp_submits import SmppSubmits
from smsgate.services.subaccounts import SubAccountService
from smsgate.services.templates import TemplateService
from smsgate.services.webhooks import WebhookService
from smsgate.smpp.server import Listener, SmppServer, tls_context
from smsgate.smpp.session import Timers
from smsgate.store.database import Database
from smsgate.store.opt_outs import OptOutIndex
from smsgate.webhooks.directory import Directory
from smsgate.webhooks.fanout import Fanout
from smsgate.webhooks.policy import RetryPolicy
from smsgate.webhooks.sender import Sender, SenderSettings

log = structlog.get_logger(__name__)


def build_connectors(settings: Settings) -> list[Connector]:
    """The enabled connectors of the config file, built (not started)."""
    return [
        registry.build(d.name, d.kind, d.options)
        for d in configured_connectors(settings)
        if d.enabled
    ]


class Gateway:
    def __init__(self, settings: Settings, connectors: list[Connector] | None = None):
        """`connectors`: built by the caller (tests), instead of the config file's."""
        self.settings = settings
        self.db = Database(
            settings.resolved_database_url,
            node_id=settings.node_id,
            group_max=settings.group_commit_max,
        )
        configured = (
            configured_connectors(settings) if connectors is None else given_connectors(connectors)
        )
        check_configured(configured)
        self.reports = ReportService(self.db)
        self.router = Router()  # the reconciler points it at a connector at start
        opt_out_index = OptOutIndex()
        self.price_book = PriceBook(self.db)
        self.sender_book = SenderBook(self.db)
        self.accounts = AccountService(self.db)
        self._build_limits(settings)
        self.sending = SendingService(
            self.db,
            self.router,
            opt_out_index,
            self.price_book,
            self.sender_book,
            self.limits,
            on_queued=self._wake_dispatcher,
        )
        self.inbound = InboundService(
            self.db,
            self.sending,
            opt_out_index,
            reply_window_s=settings.inbound.reply_window_s,
            concat_timeout_s=settings.inbound.concat_timeout_s,
        )
        self.dispatcher = Dispatcher(
            self.db,
            ChannelSink(self.reports, self.inbound),
            node=f"node-{settings.node_id}",
            batch=settings.dispatch_batch,
            router=self.router,
            counters=self.counters,
        )
        self.reconciler = Reconciler(
            self.db,
            configured,
            self.dispatcher,
            self.router,
            default_connector=settings.default_connector,
            failover=Failover(
                self.db, self.router, self.dispatcher, after_s=settings.failover_after_s
            ),
        )
        self.connectors = ConnectorService(self.db, configured, on_change=self.reconciler.refresh)
        self.billing = BillingService(self.db, self.accounts, self.price_book)
        self.networks = NetworkService(self.db, self.price_book)
        self.contacts = ContactService(self.db)
        self.templates = TemplateService(self.db, self.contacts, self.sending)
        self.campaigns = CampaignService(
            self.db, self.contacts, self.templates, self.sending, self.limits
        )
        self.subaccounts = SubAccountService(self.db, self.accounts, self.billing, self.limits)
        self.senders = SenderService(self.db, self.accounts, self.sender_book)
        self.route_book = RouteBook(self.db, self.router, self.price_book)
        self.routing = RoutingService(
            self.db, self.route_book, self.router, self.accounts, self.connectors, self.price_book
        )
        self.opt_outs = OptOutService(self.db, opt_out_index)
        self.queries = MessageQueries(self.db)
        self.events = EventLog(self.db)
        hooks = settings.webhooks
        directory = Directory(self.db)
        self.webhook_sender = Sender(
            self.db,
            directory,
            SenderSettings(
                concurrency=hooks.concurrency,
                timeout_s=hooks.timeout_s,
                queue_per_target=hooks.queue_per_endpoint,
                retry=RetryPolicy(hooks.retry_base_s, hooks.retry_cap_s, hooks.retry_for_s),
                breaker_threshold=hooks.breaker_threshold,
                breaker_cooldown_s=hooks.breaker_cooldown_s,
                breaker_cooldown_cap_s=hooks.breaker_cooldown_cap_s,
            ),
        )
        self.fanout = Fanout(self.db, directory, self.webhook_sender.offer)
        self.webhooks = WebhookService(self.db, directory, self.webhook_sender)
        self._build_smpp_server(settings)

    def _build_limits(self, settings: Settings) -> None:
        """Limit counters in Redis when configured (shared by every node), else in memory."""
        given = settings.limits
        self.counters = (
            RedisCounters(settings.redis_url, settings.redis_prefix)
            if settings.redis_url
            else MemoryCounters()
        )
        self.limit_book = LimitBook(self.db, given.as_limits())
        self.limits = LimitService(self.db, self.limit_book, self.counters, self.accounts)
        self.auth_guard = AuthGuard(
            self.counters,
            failures=given.auth_failures,
            window_s=given.auth_window_s,
            block_s=given.auth_block_s,
        )

    def _build_smpp_server(self, settings: Settings) -> None:
        """The SMPP server customers bind to (docs/smpp-server.md)."""
        smpp = settings.smpp_server
        self.smpp_accounts = SmppAccounts(self.db, self.accounts)
        self.smpp_submits = SmppSubmits(
            self.db, self.sending, concat_timeout_s=smpp.concat_timeout_s
        )
        self.smpp_fanout = SmppFanout(self.db)
        door = SmppDoor(
            self.smpp_accounts,
            self.smpp_submits,
            SmppQueries(self.db, self.sending, self.queries),
            Lockout(smpp.bind_failures, smpp.bind_failure_window_s, smpp.bind_lock_s),
            on_receivers=lambda _: self.smpp_deliverer.wake(),
        )
        host = smpp.host or settings.host
        listeners = [Listener(host, settings.smpp_port)]
        if smpp.tls_port is not None and smpp.tls_cert and smpp.tls_key:
            tls = tls_context(str(smpp.tls_cert), str(smpp.tls_key))
            listeners.append(Listener(host, smpp.tls_port, tls))
        timers = Timers(
            response_timeout=smpp.response_timeout_s,
            enquire_link=smpp.enquire_link_s,
            inactivity=smpp.inactivity_s,
        )
        self.smpp_server = SmppServer(door, listeners, window=smpp.window, timers=timers)
        self.smpp_deliverer = SmppDeliverer(
            self.db,
            self.smpp_server,
            window=smpp.window,
            retry=DeliverRetry(smpp.retry_base_s, smpp.retry_cap_s),
            keep_s=smpp.keep_deliveries_s,
            # A deliver_sm in flight is never taken again by another round before its answer
            # is due: it waits for a window slot, then for the response timeout.
            lease_s=2 * smpp.response_timeout_s + 30,
        )

    def _wake_dispatcher(self, connectors: set[str], urgent: bool) -> None:
        self.dispatcher.wake(connectors, urgent=urgent)

    async def start(self) -> None:
        await self.db.open()
        if self.settings.demo_account:
            await self.accounts.ensure_demo()
        await self.price_book.start()
        await self.sender_book.start()
        await self.route_book.start()
        await self.limit_book.start()
        # Before anything can write events: the fan-out's cursor starts at the end of the
        # outbox the first time, and the sender resumes what an earlier run left pending.
        await self.webhook_sender.start()
        await self.fanout.start()
        await self.smpp_fanout.start()
        self.reports.start()
        self.inbound.start()
        await self.dispatcher.start()
        await self.reconciler.start()
        if self.settings.smpp_server.enabled:
            self.smpp_submits.start()
            self.smpp_deliverer.start()
            await self.smpp_server.start()
        log.info("gateway started", database=self.db.dialect)

    async def stop(self) -> None:
        if self.settings.smpp_server.enabled:
            # Customers are unbound first: the submits they are owed answers for are
            # committed and answered before the store closes.
            await self.smpp_server.stop()
            await self.smpp_submits.close()
            await self.smpp_deliverer.stop()
        await self.smpp_fanout.stop()
        await self.reconciler.stop()
        await self.dispatcher.stop()
        await self.inbound.close()
        await self.reports.close()
        await self.fanout.stop()
        await self.webhook_sender.stop()
        await self.price_book.stop()
        await self.sender_book.stop()
        await self.route_book.stop()
        await self.limit_book.stop()
        await self.counters.close()
        await self.db.close()
        log.info("gateway stopped")
