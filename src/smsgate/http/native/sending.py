"""POST /v1/messages: everything between a decoded body and the answer.

Shared by the Litestar route (which documents the operation in OpenAPI) and the raw ASGI fast
path in http/fast_send.py (which serves it; see docs/decisions/0004-raw-asgi-send-route.md).
"""

from __future__ import annotations

import re

import msgspec

from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.http.credentials import parse_authorization
from smsgate.http.native import render
from smsgate.http.native.schemas import ErrorBody, RejectedBatch, SendBody, SendResponse
from smsgate.runtime import Gateway
from smsgate.services.sending import SendCommand

MAX_IDEMPOTENCY_KEY = 255

_decoder = msgspec.json.Decoder(SendBody)
# msgspec ends its messages with " - at `$.to[0]`"; the path names the field.
_AT_PATH = re.compile(r" - at `\$\.?([^`]*)`$")
_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]*)`")


def decode_body(raw: bytes) -> SendBody:
    try:
        return _decoder.decode(raw)
    except msgspec.ValidationError as exc:
        message = str(exc)
        at = _AT_PATH.search(message)
        detail = message[: at.start()] if at else message
        unknown = _UNKNOWN_FIELD.search(detail)
        field = (at.group(1) if at else None) or (unknown.group(1) if unknown else None)
        spec = ErrorCode.INVALID_FIELD if field else ErrorCode.INVALID_REQUEST
        raise DomainError(spec, detail, field=field) from None
    except msgspec.DecodeError as exc:
        raise DomainError(ErrorCode.INVALID_REQUEST, f"malformed JSON: {exc}") from None


def command(body: SendBody) -> SendCommand:
    if body.send_at is not None and body.send_at.tzinfo is None:
        raise DomainError(
            ErrorCode.INVALID_SCHEDULE,
            "send_at needs a UTC offset, e.g. 2026-12-24T18:00:00+01:00",
            field="send_at",
        )
    return SendCommand(
        to=(body.to,) if isinstance(body.to, str) else tuple(body.to or ()),
        text=body.text,
        personalised=tuple((m.to, m.text) for m in body.messages or ()),
        sender=body.sender,
        two_way=body.two_way,
        send_at_ms=int(body.send_at.timestamp() * 1000) if body.send_at else None,
        validity_s=body.validity,
        client_ref=body.client_ref,
        urgent=body.urgent,
        test=body.test,
        estimate=body.estimate,
        smart=body.smart_encoding,
        translit=body.transliterate,
        single=body.single,
        status_callback=body.status_callback,
        reply_callback=body.reply_callback,
    )


async def accept(
    gateway: Gateway,
    authorization: str | None,
    idempotency_key: str | None,
    body: SendBody,
) -> tuple[int, SendResponse | RejectedBatch | ErrorBody]:
    """(HTTP status, body): 201 with each recipient's id or rejection; 200 for an estimate;
    400 when no recipient could be accepted; errors in the native format."""
    try:
        if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
            raise DomainError(
                ErrorCode.INVALID_FIELD,
                f"Idempotency-Key is 1-{MAX_IDEMPOTENCY_KEY} characters",
                field="Idempotency-Key",
            )
        account = await gateway.accounts.authenticate(*parse_authorization(authorization))
        result = await gateway.sending.send(account, command(body), idempotency_key)
    except DomainError as err:
        return render.HTTP_STATUS[err.kind], render.error_body(err)
    response = render.send_response(result)
    if result.accepted == 0 and not result.estimate:
        err = DomainError(ErrorCode.NO_RECIPIENTS, "no recipient could be accepted", field="to")
        return 400, RejectedBatch(render.error_body(err).error, response.messages)
    return (200 if result.estimate else 201), response
