"""Bodies of the admin API (msgspec Structs: validated at the edge)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from msgspec import Meta, Struct

from smsgate.connectors.base import ConnectorStatus


class ConnectorBody(Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, Meta(description="1-64 letters, digits or _ - .; unique")]
    kind: Annotated[str, Meta(description="the connector kind: simulator, smpp")]
    enabled: bool = True
    options: Annotated[
        dict[str, Any], Meta(description="the kind's options (docs/configuration.md#connectors)")
    ] = msgspec.field(default_factory=dict)


class NodeStateOut(Struct):
    node: str
    updated_at: datetime
    stale: Annotated[bool, Meta(description="the node has not reported for over 10 s")]
    status: ConnectorStatus


class ConnectorOut(Struct):
    name: str
    kind: str
    source: Annotated[str, Meta(description="config (the config file) or database (API, CLI)")]
    enabled: bool
    state: Annotated[
        str,
        Meta(
            description="disabled, or the best fresh state of a node: up, connecting, down; "
            "unknown when no node reports it"
        ),
    ]
    options: Annotated[dict[str, Any], Meta(description="as given; secrets masked")]
    queued: Annotated[int, Meta(description="messages waiting for this connector")]
    created_at: datetime | None
    nodes: list[NodeStateOut]


class ConnectorList(Struct):
    data: list[ConnectorOut]
    orphaned: Annotated[
        dict[str, int],
        Meta(description="messages queued for connectors no longer defined, by connector name"),
    ]


class TimezoneBody(Struct, forbid_unknown_fields=True, kw_only=True):
    timezone: Annotated[str, Meta(description="an IANA time zone name, e.g. Europe/Warsaw")]


class AccountTimezoneOut(Struct):
    account: str
    timezone: Annotated[
        str,
        Meta(
            description="of its campaigns' recipients and its quiet hours without one of their own"
        ),
    ]
