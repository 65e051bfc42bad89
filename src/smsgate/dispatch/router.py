"""Chooses the connector a message goes to, from the routing table in memory (rules and
connector costs, kept current by the route book) and the connectors that are up (kept current
by the connector reconciler, as connectors come, go, bind and lose their binds)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.message import OutboundMessage
from smsgate.domain.routing import Decision, Message, RoutingTable


class Router:
    def __init__(self, default_connector: str | None = None, rand: random.Random | None = None):
        self._default = default_connector
        self._up: frozenset[str] = frozenset()
        self.table = RoutingTable()
        self._rand = rand or random.Random()

    @property
    def default(self) -> str | None:
        return self._default

    def use(self, default_connector: str | None) -> None:
        self._default = default_connector

    def set_up(self, connectors: frozenset[str]) -> None:
        self._up = connectors

    def load(self, table: RoutingTable) -> None:
        self.table = table

    def decide(self, m: Message) -> Decision:
        return self.table.decide(m, default=self._default, is_up=self._is_up, rand=self._rand)

    def route(
        self, account_id: int, recipient: str, sender: str | None, urgent: bool, at_ms: int
    ) -> str:
        if not self.table.rules:  # the common case costs no Message
            connector = self._default
        else:
            connector = self.decide(Message(account_id, recipient, sender, urgent, at_ms)).connector
        if connector is None:
            raise DomainError(ErrorCode.NO_ROUTE, "no connector is configured")
        return connector

    def failover(self, m: Message) -> str | None:
        """Where a message waiting for a connector that is down goes instead: the connector
        its rule chooses now among those up. None when its rule has none up, or no rule chose
        its connector (the default connector is nobody's choice to leave)."""
        decision = self.decide(m)
        return decision.connector if decision.rule is not None and decision.candidates else None

    def reroute(self, message: OutboundMessage, failed: str, at_ms: int) -> str | None:
        """Where a message refused for good by `failed` goes next: the next connector of its
        rule when the rule re-routes, else nowhere (the refusal stands)."""
        m = Message(
            message.account_id,
            message.recipient,
            message.sender,
            message.urgent,
            at_ms,
        )
        tried = frozenset((*message.tried, failed))
        return self.table.decide(
            m, default=None, is_up=self._is_up, rand=self._rand, tried=tried
        ).connector

    def _is_up(self, connector: str) -> bool:
        return connector in self._up


def choose_default(
    preferred: str | None, running: Sequence[str], defined: Sequence[str]
) -> str | None:
    """The preferred connector (`default_connector`) while it runs, else the first that runs.
    With none running, messages still queue for the preferred (or first) defined one, to go
    out once it is enabled again: disabling a connector stops sending, not accepting."""
    for candidates in (running, defined):
        if preferred in candidates:
            return preferred
        if candidates:
            return candidates[0]
    return None
