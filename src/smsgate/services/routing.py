"""Routing rules and connector costs: what operators set, the route book that keeps the
router's table current on every node, and the dry run that says where a message would go and
what it would cost."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from smsgate.dispatch.router import Router, choose_default
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.hours import time_window
from smsgate.domain.networks import Network
from smsgate.domain.phone import normalize
from smsgate.domain.pricing import PriceList
from smsgate.domain.routing import (
    Decision,
    Message,
    RoutingTable,
    Rule,
    Strategy,
    Target,
    pattern,
)
from smsgate.domain.sender import validate_sender
from smsgate.domain.text import TextPolicy, prepare
from smsgate.services.accounts import AccountService
from smsgate.services.billing import PriceBook
from smsgate.services.clock import now_ms
from smsgate.services.connectors import ConnectorService
from smsgate.services.periodic import Refreshing
from smsgate.store import routes as repo
from smsgate.store.database import Database, Tx
from smsgate.store.engine import Conn

REFRESH_S = 5.0  # how soon a rule changed on another node (or by the CLI) applies here
MAX_RULES = 1000


class RouteBook(Refreshing):
    """Loads the rules and costs into the router, at start, after every change made here, and
    every REFRESH_S for the changes made elsewhere."""

    def __init__(self, db: Database, router: Router, prices: PriceBook):
        super().__init__(REFRESH_S, "route-book")
        self._db = db
        self._router = router
        self._prices = prices

    async def refresh(self) -> None:
        async def read(conn: Conn) -> tuple[list[Rule], dict[str, int]]:
            return await repo.all_rules(conn), await repo.costs(conn)

        rules, cost_ids = await self._db.read(read)
        if any(self._prices.get(i) is None for i in cost_ids.values()):
            await self._prices.refresh()
        costs = {c: pl for c, i in cost_ids.items() if (pl := self._prices.get(i)) is not None}
        self._router.load(RoutingTable.of(rules, costs))


@dataclass(frozen=True, slots=True)
class RuleInput:
    """A rule as an operator writes it: accounts by name, times as text."""

    priority: int
    targets: Sequence[tuple[str, int]]  # (connector, weight)
    strategy: Strategy = Strategy.FAILOVER
    prefixes: Sequence[str] = ()
    pattern: str | None = None
    account: str | None = None
    sender: str | None = None
    urgent: bool | None = None
    hours: str | None = None
    timezone: str = "UTC"
    days: Sequence[int] = ()
    reroute: bool = False


@dataclass(frozen=True, slots=True)
class RuleView:
    rule: Rule
    account: str | None  # the name of the account it is limited to


@dataclass(frozen=True, slots=True)
class DryRun:
    """Where a message would go, and what it would cost the account and the operator."""

    decision: Decision
    network: Network | None  # the recipient's, as the numbering plan tells it
    parts: int
    price: Decimal | None  # what the account pays (None: it sends free)
    currency: str | None
    cost: Decimal | None  # what the connector costs (None: no cost list prices it)
    cost_currency: str | None


class RoutingService:
    def __init__(
        self,
        db: Database,
        book: RouteBook,
        router: Router,
        accounts: AccountService,
        connectors: ConnectorService,
        prices: PriceBook,
    ):
        self._db = db
        self._book = book
        self._router = router
        self._accounts = accounts
        self._connectors = connectors
        self._prices = prices

    async def use_reported_states(self, preferred: str | None) -> None:
        """Count as up the connectors a running node reports up, and choose the default
        connector as a node would: for a dry run away from the nodes (the CLI), whose router
        knows no live state of its own."""
        views = (await self._connectors.list()).connectors
        up = [v.name for v in views if v.state == "up"]
        self._router.set_up(frozenset(up))
        self._router.use(choose_default(preferred, up, [v.name for v in views if v.enabled]))

    async def rules(self) -> list[RuleView]:
        await self._book.refresh()
        names = await self._accounts.names()
        return [
            RuleView(r, names[r.account_id] if r.account_id is not None else None)
            for r in self._router.table.rules
        ]

    async def put(self, name: str, given: RuleInput) -> RuleView:
        """Create a rule or replace the one of that name; it applies at once here."""
        rule = await self._rule(name, given)

        async def job(tx: Tx) -> None:
            if len(await repo.all_rules(tx.conn)) >= MAX_RULES:
                raise DomainError(ErrorCode.INVALID_REQUEST, f"at most {MAX_RULES} rules")
            await repo.put(tx.conn, rule, now_ms())

        await self._db.write(job)
        await self._book.refresh()
        return RuleView(rule, given.account)

    async def remove(self, name: str) -> None:
        async def job(tx: Tx) -> bool:
            return await repo.remove(tx.conn, name)

        if not await self._db.write(job):
            raise DomainError(ErrorCode.NOT_FOUND, f"no rule named {name}", "name")
        await self._book.refresh()

    async def set_cost(self, connector: str, price_list: str | None) -> PriceList | None:
        """What sending through `connector` costs, as a price list (None: unknown)."""
        if connector not in await self._connectors.names():
            raise DomainError(ErrorCode.NOT_FOUND, f"no connector {connector}", "connector")
        await self._prices.refresh()
        chosen = self._prices.by_name(price_list) if price_list is not None else None
        if price_list is not None and chosen is None:
            raise DomainError(
                ErrorCode.NOT_FOUND, f"no price list named {price_list}", "price_list"
            )

        async def job(tx: Tx) -> None:
            await repo.set_cost(tx.conn, connector, chosen.id if chosen else None)

        await self._db.write(job)
        await self._book.refresh()
        return chosen

    async def costs(self) -> dict[str, PriceList]:
        await self._book.refresh()
        return dict(self._router.table.costs)

    async def dry_run(
        self,
        account_name: str,
        to: str,
        *,
        sender: str | None = None,
        urgent: bool = False,
        at_ms: int | None = None,
        text: str = "",
    ) -> DryRun:
        """Where a message would go now (or at `at_ms`) and its price and cost; nothing is
        stored or sent."""
        account = await self._accounts.account(account_name)
        recipient = normalize(to, account.default_region, field="to")
        parts = prepare(text, TextPolicy(max_parts=255))[1].count if text else 1
        await self._prices.refresh()  # before the route book, which takes its costs from it
        await self._book.refresh()
        decision = self._router.decide(
            Message(
                account.id,
                recipient,
                validate_sender(sender) if sender is not None else None,
                urgent,
                at_ms if at_ms is not None else now_ms(),
            )
        )
        prices = self._prices.get(account.price_list_id) if account.price_list_id else None
        costs = self._router.table.costs.get(decision.connector or "")
        return DryRun(
            decision=decision,
            network=self._prices.networks.of(recipient),
            parts=parts,
            price=prices.price(recipient, parts) if prices else None,
            currency=prices.currency if prices else None,
            cost=costs.price(recipient, parts) if costs else None,
            cost_currency=costs.currency if costs else None,
        )

    async def _rule(self, name: str, given: RuleInput) -> Rule:
        if not 1 <= len(name) <= 64:
            raise DomainError(ErrorCode.INVALID_FIELD, "a name is 1-64 characters", "name")
        defined = await self._connectors.names()
        unknown = [c for c, _ in given.targets if c not in defined]
        if unknown:
            raise DomainError(
                ErrorCode.INVALID_FIELD, f"no connector {', '.join(unknown)}", "targets"
            )
        if len({c for c, _ in given.targets}) != len(given.targets):
            raise DomainError(ErrorCode.INVALID_FIELD, "a connector is named twice", "targets")
        account = await self._accounts.account(given.account) if given.account else None
        return Rule(
            name=name,
            priority=given.priority,
            targets=tuple(Target(c, w) for c, w in given.targets),
            strategy=given.strategy,
            prefixes=tuple(p.removeprefix("+") for p in given.prefixes),
            pattern=pattern(given.pattern) if given.pattern is not None else None,
            account_id=account.id if account is not None else None,
            sender=validate_sender(given.sender) if given.sender is not None else None,
            urgent=given.urgent,
            window=time_window(given.hours, given.timezone, given.days) if given.hours else None,
            reroute=given.reroute,
        )
