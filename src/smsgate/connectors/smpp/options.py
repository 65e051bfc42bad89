"""The settings of one SMPP upstream (a carrier's SMSC), as `[[connectors]]` in the config file
or the API give them. docs/smpp-carriers.md explains each."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from smsgate.smpp.coding import Alphabet, CodingMap
from smsgate.smpp.long_messages import LongMode
from smsgate.smpp.receipts import IdBase

BindMode = Literal["transceiver", "pair", "transmitter"]


class DataCoding(BaseModel):
    """How the upstream uses data_coding 0 and 1, and which value GSM-7 text goes out in."""

    model_config = ConfigDict(extra="forbid")

    default_alphabet: Alphabet = Alphabet.GSM7  # what data_coding 0 means
    ia5_alphabet: Alphabet = Alphabet.ASCII  # what data_coding 1 means
    gsm7_data_coding: Literal[0, 1, 3] = 0

    def to_map(self) -> CodingMap:
        return CodingMap(
            default_alphabet=self.default_alphabet,
            ia5_alphabet=self.ia5_alphabet,
            gsm7_data_coding=self.gsm7_data_coding,
        )


class SmppOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str
    port: int = Field(default=2775, ge=1, le=65535)
    system_id: str = Field(min_length=1, max_length=15)
    password: str = Field(default="", max_length=8)
    system_type: str = Field(default="", max_length=12)
    # transceiver: each bind submits and receives; pair: each bind is a transmitter plus a
    # receiver; transmitter: submits only (no receipts, no inbound messages).
    bind_mode: BindMode = "transceiver"
    binds: int = Field(default=1, ge=1, le=32)
    window: int = Field(default=10, ge=1, le=1000)  # submits in flight per bind
    throughput: float | None = Field(default=None, gt=0)  # messages/s for the whole connector
    # messages/s of each sender name (the carrier's cap); the dispatcher defers the rest
    sender_throughput: float | None = Field(default=None, gt=0)
    # None: chosen from each address (docs/smpp-carriers.md, "Addresses").
    source_ton: int | None = Field(default=None, ge=0, le=255)
    source_npi: int | None = Field(default=None, ge=0, le=255)
    dest_ton: int | None = Field(default=None, ge=0, le=255)
    dest_npi: int | None = Field(default=None, ge=0, le=255)
    service_type: str = Field(default="", max_length=5)
    data_coding: DataCoding = DataCoding()
    # How the upstream writes message ids, so the id of submit_sm_resp and the one a receipt
    # carries compare equal: the receipted_message_id TLV and the text's `id:` default to
    # the base of submit_sm_resp.
    submit_id_base: IdBase = "string"
    receipt_tlv_id_base: IdBase | None = None
    receipt_text_id_base: IdBase | None = None
    long_messages: LongMode = LongMode.UDH
    registered_delivery: bool = True
    tls: bool = False
    tls_verify: bool = True
    tls_ca_file: Path | None = None
    reconnect_initial_s: float = Field(default=1.0, gt=0)
    reconnect_max_s: float = Field(default=60.0, gt=0)
    connect_timeout_s: float = Field(default=10.0, gt=0)
    enquire_link_s: float = Field(default=30.0, ge=0)
    # Within the dispatcher's own 60 s limit on a submit.
    response_timeout_s: float = Field(default=10.0, gt=0, le=30)
    throttle_initial_s: float = Field(default=1.0, gt=0)
    throttle_max_s: float = Field(default=30.0, gt=0, le=30)
    # How long a submit waits for a bound bind before it is retried later.
    bind_wait_s: float = Field(default=2.0, ge=0, le=30)
    # The upstream's own statuses (0x400..0x4FF are vendor-specific) that mean "try later".
    temporary_statuses: list[int] = []

    @model_validator(mode="after")
    def _spans(self) -> SmppOptions:
        if self.reconnect_max_s < self.reconnect_initial_s:
            raise ValueError("reconnect_max_s must be at least reconnect_initial_s")
        if self.throttle_max_s < self.throttle_initial_s:
            raise ValueError("throttle_max_s must be at least throttle_initial_s")
        return self

    @property
    def tlv_id_base(self) -> IdBase:
        return self.receipt_tlv_id_base or self.submit_id_base

    @property
    def text_id_base(self) -> IdBase:
        return self.receipt_text_id_base or self.submit_id_base

    @property
    def window_total(self) -> int:
        """Submits in flight for the whole connector when every bind is up."""
        return self.binds * self.window
