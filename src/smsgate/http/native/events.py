"""GET /v1/events: the account's status events as a paginated log and as a live SSE stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, get
from litestar.params import FromQuery, HeaderParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from smsgate.http.native import render
from smsgate.http.native.routes import Limit, authenticated, gateway_of, parse_cursor
from smsgate.http.native.schemas import EventPage

_encode = msgspec.json.Encoder().encode


@get("/events", summary="Status events, oldest first, after a cursor")
async def list_events(
    request: Request[Any, Any, Any],
    cursor: FromQuery[str | None] = None,
    limit: Limit = 100,
) -> EventPage:
    account = await authenticated(request)
    after = parse_cursor(cursor, "cursor") or 0
    events = await gateway_of(request).events.page(account, after, limit)
    return EventPage(
        data=[render.event_out(e) for e in events],
        # Always a cursor: the end of the log today is where tomorrow's events start.
        next_cursor=str(events[-1].id) if events else cursor,
    )


@get("/events/stream", summary="Status events as Server-Sent Events, live")
async def stream_events(
    request: Request[Any, Any, Any],
    cursor: FromQuery[str | None] = None,
    last_event_id: Annotated[
        str | None, HeaderParameter(name="Last-Event-ID", required=False)
    ] = None,
) -> ServerSentEvent:
    """Each event's SSE id is its cursor: a reconnecting client sends it back as
    Last-Event-ID and resumes with nothing lost."""
    account = await authenticated(request)
    after = parse_cursor(last_event_id, "Last-Event-ID") or parse_cursor(cursor, "cursor") or 0
    log = gateway_of(request).events

    async def messages() -> AsyncIterator[ServerSentEventMessage]:
        async for event in log.follow(account, after):
            yield ServerSentEventMessage(
                data=_encode(render.event_out(event)).decode(),
                event=event.event,
                id=str(event.id),
            )

    return ServerSentEvent(messages())


router = Router(path="/v1", route_handlers=[list_events, stream_events], tags=["events"])
