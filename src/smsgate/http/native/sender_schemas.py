"""Bodies of the senders API: registered sender names, the sender policy, numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from msgspec import UNSET, Meta, Struct, UnsetType

from smsgate.domain.sender import NumberKind, SenderPolicy, SenderState
from smsgate.http.native.schemas import NumberOut

SenderName = Annotated[str, Meta(min_length=1, max_length=16)]


class SenderBody(Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[
        SenderName, Meta(description="alphanumeric (at most 11 characters) or numeric (15 digits)")
    ]


class RejectBody(Struct, forbid_unknown_fields=True, kw_only=True):
    reason: Annotated[str, Meta(max_length=255, description="told to the account")] | None = None


class DefaultSenderBody(Struct, forbid_unknown_fields=True, kw_only=True):
    sender: Annotated[
        SenderName | None,
        Meta(description="an approved name or one of the account's numbers; null: none"),
    ]


class PolicyBody(Struct, forbid_unknown_fields=True, kw_only=True):
    policy: SenderPolicy


class SenderOut(Struct, omit_defaults=True):
    name: str
    state: SenderState
    reason: str | None = None
    account: str | None = None  # in the operator's list of every account's senders


class SenderIndex(Struct):
    data: list[SenderOut]


class GatewayNumberOut(Struct, omit_defaults=True):
    number: str
    kind: NumberKind
    created_at: datetime
    account: str | None = None  # the owner of a dedicated number


class NumberIndex(Struct):
    data: list[GatewayNumberOut]


class NumberBody(Struct, forbid_unknown_fields=True, kw_only=True):
    """A number for one account (`account`), or for a pool (`pool`)."""

    number: str
    account: str | UnsetType = UNSET
    pool: Literal["shared", "two_way"] | UnsetType = UNSET


class AccountSendersOut(Struct):
    policy: SenderPolicy
    default_sender: str | None
    senders: list[SenderOut]
    numbers: list[NumberOut]
