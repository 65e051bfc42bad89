"""Bodies of the numbering plan API."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct


class NetworkRow(Struct, forbid_unknown_fields=True, kw_only=True):
    prefix: Annotated[str, Meta(description="a number range: E.164 digits, '+' optional")]
    mcc: Annotated[str, Meta(description="mobile country code, 3 digits")]
    mnc: Annotated[str, Meta(description="mobile network code, 2 or 3 digits")]
    name: str = ""


class NetworkPlanBody(Struct, forbid_unknown_fields=True, kw_only=True):
    networks: Annotated[
        list[NetworkRow],
        Meta(description="every range; the longest range that matches a number wins"),
    ]


class NetworkOut(Struct):
    prefix: str
    mcc: str
    mnc: str
    name: str
    code: Annotated[str, Meta(description='how price lists name the network: "MCC-MNC"')]


class NetworkPlanOut(Struct):
    networks: list[NetworkOut]
