"""Bodies of the sub-accounts API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from msgspec import Meta, Struct

from smsgate.domain.status import Status
from smsgate.http.native.billing_schemas import Amount, BalanceOut

Label = Annotated[str, Meta(min_length=1, max_length=100)]


class SubAccountBody(Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, Meta(description="unique among all accounts")]
    region: Annotated[
        str | None, Meta(description="default region of national numbers; the parent's")
    ] = None
    max_parts: (
        Annotated[int, Meta(ge=1, le=255, description="longest message, in parts; the parent's")]
        | None
    ) = None
    key_label: Label | None = None


class StateBody(Struct, forbid_unknown_fields=True, kw_only=True):
    active: Annotated[bool, Meta(description="false: its keys and SMPP binds are refused")]


class KeyBody(Struct, forbid_unknown_fields=True, kw_only=True):
    label: Label | None = None


class KeyOut(Struct):
    account: str
    key_id: str
    token: Annotated[str, Meta(description="the Bearer token; shown once, never again")]


class TransferBody(Struct, forbid_unknown_fields=True, kw_only=True):
    amount: Annotated[
        Decimal, Meta(description="above zero: to the sub-account; below zero: back from it")
    ]
    reason: Annotated[str, Meta(max_length=200)] | None = None


class TrafficOut(Struct):
    status: Status
    messages: int
    parts: int
    cost: Amount


class SubAccountOut(Struct):
    name: str
    active: bool
    region: str | None
    max_parts: int
    balance: BalanceOut


class SubAccountDetail(SubAccountOut):
    traffic_since: datetime
    traffic: list[TrafficOut]


class SubAccountIndex(Struct):
    data: list[SubAccountOut]


class TransferOut(Struct):
    parent: BalanceOut
    sub_account: BalanceOut
