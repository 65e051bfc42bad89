"""The normalised vocabulary of delivery failures.

Upstreams report failures in their own codes (SMPP network_error_code, a provider's numbers,
a phone's error strings). Each connector keeps that code raw and maps it to one of these, so
customers can act on a failure without knowing which channel carried the message.
"""

from __future__ import annotations

from enum import StrEnum


class DeliveryError(StrEnum):
    INVALID_NUMBER = "invalid_number"  # the number does not exist or cannot receive SMS
    ABSENT_SUBSCRIBER = "absent_subscriber"  # phone off or out of coverage until validity ran out
    SENDER_REJECTED = "sender_rejected"  # the sender name or number was refused
    BLOCKED = "blocked"  # refused by the network or the subscriber (spam filter, barring)
    EXPIRED = "expired"  # validity ran out before a final report
    NETWORK_ERROR = "network_error"  # a failure in the network or the upstream
    REJECTED = "rejected"  # refused by the upstream for a reason it did not give
    UNKNOWN = "unknown"
