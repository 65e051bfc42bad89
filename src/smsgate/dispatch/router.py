"""Chooses the connector a message goes to. Rules (prefix, sender, weights, failover) come with
the operator features; until then every message takes the default connector."""

from __future__ import annotations

from smsgate.domain.errors import DomainError, ErrorCode


class Router:
    def __init__(self, default_connector: str | None):
        self._default = default_connector

    def route(self, account_id: int, recipient: str, urgent: bool) -> str:
        if self._default is None:
            raise DomainError(ErrorCode.NO_ROUTE, "no connector is configured")
        return self._default
