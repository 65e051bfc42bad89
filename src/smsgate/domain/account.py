"""An account as the send path sees it: who sends, and the rules applied to their messages."""

from __future__ import annotations

from dataclasses import dataclass

from smsgate.domain.pricing import ChargeOn
from smsgate.domain.sender import SenderPolicy


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    name: str
    default_region: str | None  # ISO 3166 region for numbers written without a country code
    max_parts: int  # longest message accepted, in parts
    test_mode: bool  # validate and answer, never send (the seeds' demo/demo account)
    active: bool = True
    price_list_id: int | None = None  # None: sends are not charged
    charge_on: ChargeOn = ChargeOn.SUBMIT
    sender_policy: SenderPolicy = SenderPolicy.OPEN
    default_sender: str | None = None  # for requests that name none
    parent_id: int | None = None  # the account that owns this sub-account (one level deep)
    # IANA zone of its campaigns' recipients without one, and of quiet hours given without one.
    timezone: str = "UTC"
