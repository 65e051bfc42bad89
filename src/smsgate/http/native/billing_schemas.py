"""Bodies of the billing API: price lists, account terms, balances and the ledger.

Amounts go out as decimal strings ("0.07"): a JSON number would pass through binary floating
point in most clients. They come in as strings or numbers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from msgspec import UNSET, Meta, Struct, UnsetType

from smsgate.domain.pricing import ChargeOn

Amount = Annotated[str, Meta(description='a decimal string, e.g. "0.07"')]


class PriceListBody(Struct, forbid_unknown_fields=True, kw_only=True):
    currency: Annotated[str, Meta(description="ISO 4217 code, e.g. EUR")]
    prices: Annotated[
        dict[str, Decimal],
        Meta(
            description="price per part by destination prefix (E.164 digits, '+' optional) "
            'or mobile network ("260-01": MCC-MNC); a network\'s price wins when the numbering '
            'plan places the number on it, else the longest matching prefix; "" prices every '
            "other destination"
        ),
    ]


class PriceListOut(Struct):
    name: str
    currency: str
    prices: dict[str, Amount]


class PriceListIndex(Struct):
    data: list[PriceListOut]


class TermsBody(Struct, forbid_unknown_fields=True, kw_only=True):
    price_list: Annotated[
        str | UnsetType | None,
        Meta(description="the list the account pays by; null: it sends without charge"),
    ] = UNSET
    charge_on: Annotated[
        ChargeOn | UnsetType,
        Meta(
            description="submit: a charge is final once a connector takes the message; "
            "delivery: undelivered and expired messages are refunded too"
        ),
    ] = UNSET
    credit_limit: Annotated[
        Decimal | UnsetType, Meta(description="how far below zero the balance may go")
    ] = UNSET


class TopUpBody(Struct, forbid_unknown_fields=True, kw_only=True):
    amount: Annotated[Decimal, Meta(description="a top-up is above zero; an adjustment signed")]
    reason: Annotated[str, Meta(min_length=1, max_length=255)]
    kind: Literal["topup", "adjustment"] = "topup"


class BalanceOut(Struct):
    account: str
    currency: str | None
    balance: Amount
    credit_limit: Amount
    available: Annotated[str, Meta(description="balance + credit_limit: what sends may spend")]
    price_list: str | None
    charge_on: ChargeOn


class MovementOut(Struct, omit_defaults=True):
    id: str
    kind: Annotated[str, Meta(description="topup, adjustment, charge (a send) or refund")]
    amount: Annotated[str, Meta(description="signed: what it did to the balance")]
    at: datetime
    messages: int = 0
    message_id: Annotated[
        str | None, Meta(description="the (first) message a charge or refund is for")
    ] = None
    reason: str | None = None


class MovementPage(Struct):
    data: list[MovementOut]
    next_cursor: str | None
