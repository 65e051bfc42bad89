"""SMPP delivery receipts: the de-facto receipt text (SMPP 3.4 Appendix B), the
receipted_message_id, message_state and network_error_code TLVs, and what they mean in smsgate's
statuses and delivery errors, both ways.

Reading: SMSCs write the receipt text loosely (key case, order, spacing, `submit_date` for
`submit date`, dates with seconds, fields left out), so `parse_receipt` is tolerant. A structured
TLV wins over the text: receipted_message_id over `id:`, message_state over `stat:`,
network_error_code over `err:`. Intermediate states (ENROUTE, ACCEPTD) mean `sent`: ACCEPTD is
final in SMPP 3.4 ("accepted on behalf of the subscriber") but SMSCs send it for "taken by the
network", and reading it as final would lose the real outcome that follows. UNKNOWN is final, as
in SMPP 3.4, and means `undelivered`; DELETED too (the SMSC dropped the message).

The `err:` field and a GSM network_error_code are read as GSM MAP error codes (3GPP TS 29.002),
the common convention; codes outside the table leave the error to the state's default.

Writing: our receipts to customers state the times in UTC and write `err:` as the GSM MAP code of
the delivery error where one fits, 000 otherwise; the stat says the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import msgspec

from smsgate.domain.delivery_errors import DeliveryError
from smsgate.domain.status import Status
from smsgate.smpp.constants import MessageState
from smsgate.smpp.pdu import DataSm, DeliverSm
from smsgate.smpp.tlv import NetworkErrorCode, Tlvs

DELIVERY_RECEIPT = 0x04  # esm_class message type of an SMSC delivery receipt
INTERMEDIATE_NOTIFICATION = 0x20  # esm_class message type of an intermediate notification
_MESSAGE_TYPE = 0x3C
GSM_NETWORK = 3  # network_type of a network_error_code holding a GSM MAP error

IdBase = Literal["string", "hex", "decimal"]


class Receipt(msgspec.Struct, frozen=True, kw_only=True):
    """The fields of a receipt text. A field the SMSC left out (or wrote unreadably) is None and
    `format_receipt` leaves it out."""

    id: str
    stat: str | None = None  # as written: DELIVRD, UNDELIV, ...
    err: str | None = None  # as written: three digits by convention, vendors' codes sometimes
    sub: int | None = None
    dlvrd: int | None = None
    submit_date: datetime | None = None  # as the SMSC wrote it, no time zone
    done_date: datetime | None = None
    text: str | None = None  # the first characters of the message, informative only


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a receipt or a message state means for the message."""

    status: Status | None  # delivered, undelivered, expired, rejected, sent; None: not understood
    error_code: DeliveryError | None = None  # set on failures
    error_raw: str | None = None  # what the SMSC said, e.g. "stat:UNDELIV err:001 GSM-001"


@dataclass(frozen=True, slots=True)
class IncomingReceipt:
    message_id: str  # as the SMSC wrote it; compare through `canonical_id`
    outcome: Outcome
    receipt: Receipt | None  # the parsed text, if there was one


class ReceiptError(ValueError):
    """A PDU marked as a receipt in which no message id can be found."""


# --- the receipt text --------------------------------------------------------------------------

# A key starts the text or follows white space, so `xid:` inside a value is no key.
_KEY = re.compile(
    r"(?:^|(?<=\s))(id|sub|dlvrd|submit[ _]*date|done[ _]*date|stat|err|text)\s*:", re.IGNORECASE
)
_NUMBER = re.compile(r"[0-9]{1,9}")
_DATE = re.compile(r"[0-9]{10}(?:[0-9]{2}){0,2}")


def parse_receipt(data: bytes | str) -> Receipt | None:
    """The receipt in `data`, or None when it is not one: a receipt has a non-empty `id:` and at
    least one of stat, err, sub, dlvrd or a date. Bytes are read as latin-1.

    `text:` takes the rest of the data, colons and keys included; of a key given twice the first
    counts. Never raises.
    """
    message = data.decode("latin-1") if isinstance(data, bytes) else data
    values: dict[str, str] = {}
    text = None
    keys = list(_KEY.finditer(message))
    for n, key in enumerate(keys):
        name = key.group(1).lower().replace(" ", "").replace("_", "")
        if name == "text":
            text = message[key.end() :]
            break
        end = keys[n + 1].start() if n + 1 < len(keys) else len(message)
        token = message[key.end() : end].split(maxsplit=1)
        if token:
            values.setdefault(name, token[0])
    message_id = values.pop("id", None)
    if not message_id or not values:
        return None
    return Receipt(
        id=message_id,
        stat=values.get("stat"),
        err=values.get("err"),
        sub=_number(values.get("sub")),
        dlvrd=_number(values.get("dlvrd")),
        submit_date=_date(values.get("submitdate")),
        done_date=_date(values.get("donedate")),
        text=text,
    )


def _number(value: str | None) -> int | None:
    return int(value) if value is not None and _NUMBER.fullmatch(value) else None


def _date(value: str | None) -> datetime | None:
    """YYMMDDhhmm, YYMMDDhhmmss or YYYYMMDDhhmmss; None for anything else."""
    if value is None or not _DATE.fullmatch(value):
        return None
    digits = value if len(value) == 14 else "20" + value
    month, day, hour, minute, second = (int(digits[n : n + 2] or 0) for n in range(4, 14, 2))
    try:
        return datetime(int(digits[:4]), month, day, hour, minute, second)
    except ValueError:  # digits that are no date, e.g. a 13th month
        return None


# (attribute, key, format spec) of each field, in the order of Appendix B.
_WRITTEN = (
    ("id", "id", ""),
    ("sub", "sub", "03"),
    ("dlvrd", "dlvrd", "03"),
    ("submit_date", "submit date", "%y%m%d%H%M"),
    ("done_date", "done date", "%y%m%d%H%M"),
    ("stat", "stat", ""),
    ("err", "err", ""),
    ("text", "text", ""),
)


def format_receipt(receipt: Receipt) -> bytes:
    """`id:… sub:… dlvrd:… submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:… err:… text:…`,
    leaving out None fields, in ASCII ("?" for any other character): the keys and ids are ASCII
    and a peer reads the receipt in whatever alphabet its data_coding 0 means."""
    fields = (
        f"{key}:{value:{spec}}"
        for attribute, key, spec in _WRITTEN
        if (value := getattr(receipt, attribute)) is not None
    )
    return " ".join(fields).encode("ascii", "replace")


# --- states, statuses and errors ---------------------------------------------------------------

_STATS = {
    MessageState.ENROUTE: "ENROUTE",
    MessageState.DELIVERED: "DELIVRD",
    MessageState.EXPIRED: "EXPIRED",
    MessageState.DELETED: "DELETED",
    MessageState.UNDELIVERABLE: "UNDELIV",
    MessageState.ACCEPTED: "ACCEPTD",
    MessageState.UNKNOWN: "UNKNOWN",
    MessageState.REJECTED: "REJECTD",
}
_STATE_OF_STAT = {stat: state for state, stat in _STATS.items()} | {
    "DELIVERED": MessageState.DELIVERED,
    "UNDELIVERABLE": MessageState.UNDELIVERABLE,
    "UNDELIVERED": MessageState.UNDELIVERABLE,
    "ACCEPTED": MessageState.ACCEPTED,
    "REJECTED": MessageState.REJECTED,
}
# What a state means for us, and the delivery error of a failure no code explains.
_MEANING: dict[MessageState, tuple[Status, DeliveryError | None]] = {
    MessageState.ENROUTE: (Status.SENT, None),
    MessageState.ACCEPTED: (Status.SENT, None),
    MessageState.DELIVERED: (Status.DELIVERED, None),
    MessageState.EXPIRED: (Status.EXPIRED, DeliveryError.EXPIRED),
    MessageState.DELETED: (Status.UNDELIVERED, DeliveryError.REJECTED),
    MessageState.UNDELIVERABLE: (Status.UNDELIVERED, DeliveryError.UNKNOWN),
    MessageState.UNKNOWN: (Status.UNDELIVERED, DeliveryError.UNKNOWN),
    MessageState.REJECTED: (Status.REJECTED, DeliveryError.REJECTED),
}
# GSM MAP errors (3GPP TS 29.002) and what they mean for the subscriber.
_GSM_ERRORS = {
    1: DeliveryError.INVALID_NUMBER,  # unknown subscriber
    5: DeliveryError.INVALID_NUMBER,  # unidentified subscriber
    6: DeliveryError.ABSENT_SUBSCRIBER,  # absent subscriber SM
    9: DeliveryError.INVALID_NUMBER,  # illegal subscriber
    11: DeliveryError.INVALID_NUMBER,  # teleservice (SMS) not provisioned
    12: DeliveryError.INVALID_NUMBER,  # illegal equipment
    13: DeliveryError.BLOCKED,  # call barred
    21: DeliveryError.NETWORK_ERROR,  # facility not supported
    27: DeliveryError.ABSENT_SUBSCRIBER,  # absent subscriber
    31: DeliveryError.ABSENT_SUBSCRIBER,  # subscriber busy for MT SMS
    32: DeliveryError.NETWORK_ERROR,  # SM delivery failure
    33: DeliveryError.ABSENT_SUBSCRIBER,  # message waiting list full
    34: DeliveryError.NETWORK_ERROR,  # system failure
    35: DeliveryError.NETWORK_ERROR,  # data missing
    36: DeliveryError.NETWORK_ERROR,  # unexpected data value
}
# The code our receipts give each delivery error; those without a GSM MAP code get 0.
_ERR_OF: dict[str, int] = {
    DeliveryError.INVALID_NUMBER: 1,
    DeliveryError.BLOCKED: 13,
    DeliveryError.ABSENT_SUBSCRIBER: 27,
    DeliveryError.NETWORK_ERROR: 34,
}
_NETWORK_TYPES = {
    1: "ANSI136-ADR",
    2: "IS95-ADR",
    3: "GSM",
    4: "ANSI136-CC",
    5: "IS95-CC",
    6: "ANSI41",
    7: "SMPP",
    8: "SMSC",
}


def outcome(
    *,
    stat: str | None = None,
    err: str | None = None,
    message_state: int | None = None,
    network_error: NetworkErrorCode | None = None,
) -> Outcome:
    """What a receipt's `stat:`/`err:` and the message_state/network_error_code TLVs (any of them
    may be missing) mean for the message. The TLVs win over the text."""
    raw = _raw(stat, err, message_state, network_error)
    state = _state(message_state, stat)
    if state is None:
        return Outcome(None, None, raw)
    status, default_error = _MEANING[state]
    if default_error is None:
        return Outcome(status)
    error = _gsm_error(network_error) or _err_error(err) or default_error
    return Outcome(status, error, raw)


def _state(message_state: int | None, stat: str | None) -> MessageState | None:
    if message_state in _MEANING:
        return MessageState(message_state)
    if stat is not None:
        return _STATE_OF_STAT.get(stat.strip().upper())
    return None


def _gsm_error(network_error: NetworkErrorCode | None) -> DeliveryError | None:
    if network_error is None or network_error.network_type != GSM_NETWORK:
        return None
    return _GSM_ERRORS.get(network_error.error_code)


def _err_error(err: str | None) -> DeliveryError | None:
    code = _number(err)
    return None if code is None else _GSM_ERRORS.get(code)


def _raw(
    stat: str | None,
    err: str | None,
    message_state: int | None,
    network_error: NetworkErrorCode | None,
) -> str | None:
    parts = []
    if stat is not None:
        parts.append(f"stat:{stat}")
    if err is not None:
        parts.append(f"err:{err}")
    if message_state is not None:
        parts.append(f"message_state:{message_state}")
    if network_error is not None:
        kind = _NETWORK_TYPES.get(network_error.network_type, str(network_error.network_type))
        parts.append(f"{kind}-{network_error.error_code:03}")
    return " ".join(parts) or None


_STATE_OF_STATUS = {
    Status.ACCEPTED: MessageState.ENROUTE,
    Status.SCHEDULED: MessageState.ENROUTE,
    Status.QUEUED: MessageState.ENROUTE,
    Status.SENT: MessageState.ENROUTE,
    Status.DELIVERED: MessageState.DELIVERED,
    Status.UNDELIVERED: MessageState.UNDELIVERABLE,
    Status.FAILED: MessageState.UNDELIVERABLE,
    Status.EXPIRED: MessageState.EXPIRED,
    Status.REJECTED: MessageState.REJECTED,
    Status.CANCELED: MessageState.DELETED,
}


def message_state_of(status: Status) -> MessageState:
    """The message_state (for receipts and query_sm_resp) of a message in `status`: ENROUTE until
    it is final; a failure of ours (`failed`) is UNDELIVERABLE, a cancel DELETED. Raises
    ValueError for `received`, which is no outbound status."""
    state = _STATE_OF_STATUS.get(status)
    if state is None:
        raise ValueError(f"{status} is not the status of an outbound message")
    return state


# --- our receipts to customers -----------------------------------------------------------------


def receipt_for(
    message_id: str,
    status: Status,
    submitted_ms: int,
    done_ms: int,
    error_code: str | None,
    text: str,
) -> Receipt:
    """The receipt of one of our messages: `error_code` is a DeliveryError value (or None),
    `text` the message text, of which the receipt keeps the first 20 characters."""
    err = _ERR_OF.get(error_code, 0) if error_code else 0
    return Receipt(
        id=message_id,
        sub=1,
        dlvrd=1 if status is Status.DELIVERED else 0,
        submit_date=_utc(submitted_ms),
        done_date=_utc(done_ms),
        stat=_STATS[message_state_of(status)],
        err=f"{err:03}",
        text=text[:20],
    )


_EPOCH = datetime(1970, 1, 1)


def _utc(epoch_ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=epoch_ms)


def receipt_tlvs(receipt: Receipt) -> Tlvs:
    """The TLVs that go with `receipt` in a deliver_sm: receipted_message_id, message_state and,
    for a non-zero `err:`, network_error_code (GSM)."""
    state = _state(None, receipt.stat)
    code = _number(receipt.err)
    return Tlvs(
        receipted_message_id=receipt.id,
        message_state=state,
        network_error_code=NetworkErrorCode(GSM_NETWORK, code) if code else None,
    )


# --- receipts from SMSCs -----------------------------------------------------------------------


def read_receipt(pdu: DeliverSm | DataSm) -> IncomingReceipt | None:
    """The receipt a deliver_sm or data_sm carries, or None when it carries an ordinary message.

    A PDU is a receipt when its esm_class says so, when it has receipted_message_id, or when its
    text parses as a receipt (some SMSCs leave esm_class 0). The text is read as latin-1 (its
    keys and ids are ASCII), as UTF-16 in data_coding 8. Raises ReceiptError for a PDU marked
    as a receipt in which no message id can be found.
    """
    tlvs = pdu.tlvs
    data = tlvs.message_payload or (pdu.short_message if isinstance(pdu, DeliverSm) else b"")
    text = data.decode("utf-16-be", "replace") if pdu.data_coding == 8 else data.decode("latin-1")
    receipt = parse_receipt(text)
    tlv_id = (tlvs.receipted_message_id or "").strip()
    marked = (pdu.esm_class & _MESSAGE_TYPE) in (DELIVERY_RECEIPT, INTERMEDIATE_NOTIFICATION)
    if not (marked or tlv_id or receipt):
        return None
    message_id = tlv_id or (receipt.id if receipt else "")
    if not message_id:
        raise ReceiptError(f"a receipt without a message id: {text[:80]!r}")
    result = outcome(
        stat=receipt.stat if receipt else None,
        err=receipt.err if receipt else None,
        message_state=tlvs.message_state,
        network_error=tlvs.network_error_code,
    )
    return IncomingReceipt(message_id, result, receipt)


# --- message ids -------------------------------------------------------------------------------

_HEX = re.compile(r"(?:0[xX])?([0-9A-Fa-f]{1,64})")
_DECIMAL = re.compile(r"[0-9]{1,64}")


def canonical_id(raw: str, base: IdBase) -> str:
    """An SMSC's message id in a form that compares equal however it was written: a hex or decimal
    id as its value in decimal (leading zeros, letter case and a 0x prefix do not matter), a
    string id stripped of surrounding white space. Use it on both the submit_sm_resp id and the
    receipt's id, each with the base the connector is configured with for it.

    An id that is not a number in its base is kept as written (stripped), so a wrong base makes
    matching fail rather than raise.
    """
    value = raw.strip()
    if base == "hex":
        match = _HEX.fullmatch(value)
        if match:
            return str(int(match.group(1), 16))
    elif base == "decimal" and _DECIMAL.fullmatch(value):
        return str(int(value))
    return value
