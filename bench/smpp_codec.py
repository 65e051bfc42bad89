"""Micro-benchmark of the SMPP codec: encode + decode of one submit_sm, per second on one core.

.venv/bin/python bench/smpp_codec.py
"""

from __future__ import annotations

import time

from smsgate.smpp.pdu import SubmitSm, decode_pdu, encode_pdu
from smsgate.smpp.tlv import Tlvs

ROUNDS = 200_000


def main() -> None:
    pdu = SubmitSm(
        sequence_number=7,
        source_addr_ton=5,
        source_addr="smsgate",
        dest_addr_ton=1,
        dest_addr_npi=1,
        destination_addr="447700900123",
        registered_delivery=1,
        short_message=b"Your code is 123456. It expires in 10 minutes.",
        tlvs=Tlvs(user_message_reference=42),
    )
    assert decode_pdu(encode_pdu(pdu)) == pdu
    start = time.perf_counter()
    for _ in range(ROUNDS):
        decode_pdu(encode_pdu(pdu))
    elapsed = time.perf_counter() - start
    print(f"submit_sm encode+decode: {ROUNDS / elapsed:,.0f}/s ({elapsed / ROUNDS * 1e6:.2f} µs)")


if __name__ == "__main__":
    main()
