"""The one error catalog.

Every failure the core can report has a stable code here. Doors (the native API, the provider
dialects, the SMPP server) render a `DomainError` in their own format: the native API as JSON with
an HTTP status chosen by `kind`, SMPP as a command_status, a dialect as its own numeric code. The
codes and their meaning never change once published; new codes may be added.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorKind(StrEnum):
    """Broad class of a failure; doors map it to their transport's status (HTTP 4xx, ...)."""

    INVALID = "invalid"  # the request or one of its fields is wrong
    UNAUTHORIZED = "unauthorized"  # no or wrong credentials
    FORBIDDEN = "forbidden"  # credentials fine, action not allowed
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"  # the state of a resource forbids the action
    TOO_LARGE = "too_large"
    LIMITED = "limited"  # rate or quota limits
    FUNDS = "funds"  # the balance does not cover the charge
    UNAVAILABLE = "unavailable"  # temporary failure inside smsgate


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    code: str
    kind: ErrorKind
    message: str


class ErrorCode:
    """Namespace of every published error. Attribute name == code string, upper-cased."""

    INVALID_REQUEST = ErrorSpec("invalid_request", ErrorKind.INVALID, "The request is malformed")
    INVALID_FIELD = ErrorSpec("invalid_field", ErrorKind.INVALID, "A field has a wrong value")
    MISSING_FIELD = ErrorSpec("missing_field", ErrorKind.INVALID, "A required field is missing")
    INVALID_NUMBER = ErrorSpec("invalid_number", ErrorKind.INVALID, "The phone number is invalid")
    DUPLICATE_RECIPIENT = ErrorSpec(
        "duplicate_recipient", ErrorKind.INVALID, "The number appears more than once"
    )
    NO_RECIPIENTS = ErrorSpec("no_recipients", ErrorKind.INVALID, "No recipient was given")
    TOO_MANY_RECIPIENTS = ErrorSpec(
        "too_many_recipients", ErrorKind.TOO_LARGE, "Too many recipients in one request"
    )
    EMPTY_TEXT = ErrorSpec("empty_text", ErrorKind.INVALID, "The message text is empty")
    TOO_MANY_PARTS = ErrorSpec(
        "too_many_parts", ErrorKind.INVALID, "The text needs more parts than allowed"
    )
    INVALID_SENDER = ErrorSpec("invalid_sender", ErrorKind.INVALID, "The sender is invalid")
    SENDER_PENDING = ErrorSpec(
        "sender_pending", ErrorKind.FORBIDDEN, "The sender is awaiting verification"
    )
    SENDER_REJECTED = ErrorSpec(
        "sender_rejected", ErrorKind.FORBIDDEN, "The sender was rejected by the operator"
    )
    SENDER_NOT_REGISTERED = ErrorSpec(
        "sender_not_registered",
        ErrorKind.FORBIDDEN,
        "The account sends only under approved senders; register this one first",
    )
    SENDER_NOT_OWNED = ErrorSpec(
        "sender_not_owned", ErrorKind.FORBIDDEN, "The number is not one of the account's numbers"
    )
    NO_TWO_WAY_NUMBER = ErrorSpec(
        "no_two_way_number",
        ErrorKind.FORBIDDEN,
        "No number that receives replies is available to the account",
    )
    SENDER_EXISTS = ErrorSpec(
        "sender_exists", ErrorKind.CONFLICT, "The account has registered this sender already"
    )
    INVALID_SCHEDULE = ErrorSpec(
        "invalid_schedule", ErrorKind.INVALID, "The scheduled time is invalid"
    )
    INVALID_VALIDITY = ErrorSpec(
        "invalid_validity", ErrorKind.INVALID, "The validity period is invalid"
    )
    INVALID_URL = ErrorSpec("invalid_url", ErrorKind.INVALID, "The URL is invalid")
    NUMBER_TAKEN = ErrorSpec(
        "number_taken", ErrorKind.CONFLICT, "The number belongs to another account"
    )
    CONTACT_EXISTS = ErrorSpec(
        "contact_exists", ErrorKind.CONFLICT, "The account has a contact with this number"
    )
    GROUP_EXISTS = ErrorSpec(
        "group_exists", ErrorKind.CONFLICT, "The account has a group of this name"
    )
    CAMPAIGN_STATE = ErrorSpec(
        "campaign_state", ErrorKind.CONFLICT, "The campaign cannot do that in its state"
    )
    OPTED_OUT = ErrorSpec(
        "opted_out", ErrorKind.FORBIDDEN, "The recipient opted out of messages from this account"
    )
    BODY_TOO_LARGE = ErrorSpec(
        "body_too_large", ErrorKind.TOO_LARGE, "The request body is too large"
    )
    UNAUTHORIZED = ErrorSpec("unauthorized", ErrorKind.UNAUTHORIZED, "Missing or wrong credentials")
    ACCOUNT_DISABLED = ErrorSpec("account_disabled", ErrorKind.FORBIDDEN, "The account is disabled")
    NOT_FOUND = ErrorSpec("not_found", ErrorKind.NOT_FOUND, "No such resource")
    NOT_A_PARENT = ErrorSpec(
        "not_a_parent", ErrorKind.FORBIDDEN, "A sub-account cannot own sub-accounts"
    )
    IDEMPOTENCY_CONFLICT = ErrorSpec(
        "idempotency_conflict",
        ErrorKind.CONFLICT,
        "The Idempotency-Key was already used with a different request",
    )
    NOT_CANCELABLE = ErrorSpec(
        "not_cancelable", ErrorKind.CONFLICT, "The message can no longer be canceled"
    )
    NO_PRICE = ErrorSpec(
        "no_price", ErrorKind.INVALID, "The account's price list has no price for this destination"
    )
    INSUFFICIENT_FUNDS = ErrorSpec(
        "insufficient_funds", ErrorKind.FUNDS, "The balance does not cover the cost of the send"
    )
    BILLING_CONFLICT = ErrorSpec(
        "billing_conflict", ErrorKind.CONFLICT, "The change would contradict the account's billing"
    )
    PRICES_LOADING = ErrorSpec(
        "prices_loading", ErrorKind.UNAVAILABLE, "The account's prices are loading; retry shortly"
    )
    RATE_LIMITED = ErrorSpec(
        "rate_limited", ErrorKind.LIMITED, "Too many requests; retry after the time given"
    )
    TOO_MANY_CONCURRENT = ErrorSpec(
        "too_many_concurrent",
        ErrorKind.LIMITED,
        "Too many requests of the account are in progress; retry when one is answered",
    )
    DUPLICATE_REQUEST = ErrorSpec(
        "duplicate_request",
        ErrorKind.CONFLICT,
        "The same send request was accepted moments ago; it is not sent twice",
    )
    SUBSCRIBER_LIMIT = ErrorSpec(
        "subscriber_limit",
        ErrorKind.LIMITED,
        "The account sent this number as many messages as it may within the window",
    )
    AUTH_BLOCKED = ErrorSpec(
        "auth_blocked",
        ErrorKind.LIMITED,
        "Too many failed authentications from this address; retry later",
    )
    NO_ROUTE = ErrorSpec("no_route", ErrorKind.UNAVAILABLE, "No connector can take the message")
    CONNECTOR_EXISTS = ErrorSpec(
        "connector_exists", ErrorKind.CONFLICT, "A connector of that name exists already"
    )
    CONNECTOR_IN_CONFIG = ErrorSpec(
        "connector_in_config",
        ErrorKind.CONFLICT,
        "The connector is defined in the config file; change it there",
    )
    ADMIN_DISABLED = ErrorSpec(
        "admin_disabled",
        ErrorKind.FORBIDDEN,
        "The admin API is off: set admin_token (SMSGATE_ADMIN_TOKEN) to use it",
    )
    METHOD_NOT_ALLOWED = ErrorSpec(
        "method_not_allowed", ErrorKind.INVALID, "The method is not allowed here"
    )
    INTERNAL = ErrorSpec("internal", ErrorKind.UNAVAILABLE, "Internal error; retry later")

    @classmethod
    def all(cls) -> list[ErrorSpec]:
        return [v for v in vars(cls).values() if isinstance(v, ErrorSpec)]


class DomainError(Exception):
    """A failure with a catalog code, an optional field it concerns and a specific message."""

    def __init__(
        self,
        spec: ErrorSpec,
        detail: str | None = None,
        field: str | None = None,
        *,
        retry_after_s: float | None = None,
    ):
        self.spec = spec
        self.detail = detail or spec.message
        self.field = field
        self.retry_after_s = retry_after_s  # for a limit: when trying again can succeed
        super().__init__(f"{spec.code}: {self.detail}")

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def kind(self) -> ErrorKind:
        return self.spec.kind
