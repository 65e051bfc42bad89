"""Core results rendered as native API bodies; errors as {"error": {code, message, field}}."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from smsgate.domain.errors import DomainError, ErrorKind
from smsgate.domain.message import Message
from smsgate.domain.pricing import amount_text as amount
from smsgate.http.native.schemas import (
    ErrorBody,
    ErrorDetail,
    EventOut,
    MessageOut,
    PartOut,
    RecipientOut,
    SendResponse,
    StatusTime,
)
from smsgate.services.sending import SendResult
from smsgate.store import outbox

HTTP_STATUS = {
    ErrorKind.INVALID: 400,
    ErrorKind.UNAUTHORIZED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.LIMITED: 429,
    ErrorKind.FUNDS: 402,
    ErrorKind.UNAVAILABLE: 503,
}


def error_body(err: DomainError) -> ErrorBody:
    return ErrorBody(ErrorDetail(code=err.code, message=err.detail, field=err.field))


def time_at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def time_of(ms: int | None) -> datetime | None:
    return None if ms is None else time_at(ms)


def send_response(result: SendResult) -> SendResponse:
    status = result.status.value if result.status is not None else None
    return SendResponse(
        status=status,
        test=result.test,
        estimate=result.estimate,
        accepted=result.accepted,
        rejected=result.rejected,
        parts=result.parts,
        encoding=result.encoding,
        messages=[
            RecipientOut(
                index=r.index,
                to=r.to,
                id=str(r.id) if r.id is not None else None,
                parts=r.parts,
                price=amount(r.price) if r.price is not None else None,
                status=status if r.error_code is None else None,
                error=(
                    ErrorDetail(code=r.error_code, message=r.error or r.error_code)
                    if r.error_code is not None
                    else None
                ),
            )
            for r in result.recipients
        ],
        cost=amount(result.cost) if result.cost is not None else None,
        currency=result.currency,
    )


_decode_payload = msgspec.json.Decoder(dict[str, object]).decode


def event_out(event: outbox.Event) -> EventOut:
    return EventOut(
        id=str(event.id),
        type=event.event,
        at=time_at(event.created_at),
        data=_decode_payload(event.payload),
    )


def message_out(m: Message, *, with_parts: bool = False) -> MessageOut:
    history = [StatusTime(s.value, time_at(at)) for s, at in m.status_times.items()]
    return MessageOut(
        id=str(m.id),
        to=m.recipient,
        sender=m.sender,
        text=m.text,
        encoding=m.encoding.value,
        parts=m.parts,
        status=m.status.value,
        urgent=m.urgent,
        client_ref=m.client_ref,
        send_at=time_of(m.send_at),
        expires_at=time_of(m.expires_at),
        connector=m.connector,
        upstream_id=m.upstream_id,
        price=amount(m.price) if m.price is not None else None,
        error=(
            ErrorDetail(code=m.error_code, message=m.error_detail or m.error_code, raw=m.error_raw)
            if m.error_code
            else None
        ),
        created_at=time_at(m.accepted_at),
        updated_at=time_at(max(m.status_times.values())),
        history=history,
        status_callback=m.status_callback,
        reply_callback=m.reply_callback,
        part_details=(
            [
                PartOut(
                    p.part_no,
                    p.upstream_id,
                    p.status.value,
                    p.error_code,
                    p.error_raw,
                    time_at(p.updated_at),
                )
                for p in m.part_details
            ]
            if with_parts
            else None
        ),
    )
