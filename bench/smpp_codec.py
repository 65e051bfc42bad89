"""Micro-benchmark of the SMPP codec: encode + decode of one submit_sm, per second on one core.

.venv/bin/python bench/smpp_codec.py
"""

from __future__ import annotations

import time

import msgspec

from smsgate.smpp.pdu import SubmitSm, decode_pdu, encode_pdu
from smsgate.smpp.tlv import Tlvs

ROUNDS = 200_000

PLAIN = SubmitSm(
    sequence_number=7,
    source_addr_ton=5,
    source_addr="smsgate",
    dest_addr_ton=1,
    dest_addr_npi=1,
    destination_addr="447700900123",
    registered_delivery=1,
    short_message=b"Your code is 123456. It expires in 10 minutes.",
)
WITH_TLV = msgspec.structs.replace(PLAIN, tlvs=Tlvs(user_message_reference=42))


def rate(pdu: SubmitSm) -> float:
    assert decode_pdu(encode_pdu(pdu)) == pdu
    start = time.perf_counter()
    for _ in range(ROUNDS):
        decode_pdu(encode_pdu(pdu))
    return ROUNDS / (time.perf_counter() - start)


def main() -> None:
    for name, pdu in (("submit_sm", PLAIN), ("submit_sm + 1 TLV", WITH_TLV)):
        per_second = rate(pdu)
        print(f"{name:18} encode+decode: {per_second:9,.0f}/s ({1e6 / per_second:.2f} µs)")


if __name__ == "__main__":
    main()
