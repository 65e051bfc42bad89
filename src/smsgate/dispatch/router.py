"""Chooses the connector a message goes to. Rules (prefix, sender, weights, failover) come with
the operator features; until then every message takes the default connector, which the
connector reconciler sets as connectors come, go, are enabled and disabled."""

from __future__ import annotations

from collections.abc import Sequence

from smsgate.domain.errors import DomainError, ErrorCode


class Router:
    def __init__(self, default_connector: str | None = None):
        self._default = default_connector

    @property
    def default(self) -> str | None:
        return self._default

    def use(self, default_connector: str | None) -> None:
        self._default = default_connector

    def route(self, account_id: int, recipient: str, urgent: bool) -> str:
        if self._default is None:
            raise DomainError(ErrorCode.NO_ROUTE, "no connector is configured")
        return self._default


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
