"""/v1/campaigns: sends to groups, contacts and numbers, released on a schedule, with their
progress as JSON and as a live SSE stream."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

import msgspec
from litestar import Request, Router, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import ServerSentEvent, ServerSentEventMessage

from smsgate.domain.account import Account
from smsgate.domain.campaigns import Release, delayed_start
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.hours import time_window
from smsgate.domain.pricing import amount_text
from smsgate.domain.status import Status
from smsgate.http.native import render
from smsgate.http.native.campaign_schemas import (
    CampaignBody,
    CampaignMadeOut,
    CampaignOut,
    CampaignPage,
    CanceledOut,
    ProgressOut,
    RefusedOut,
)
from smsgate.http.native.routes import Limit, authenticated, gateway_of, parse_cursor, parse_id
from smsgate.services.campaigns import CampaignInput, CampaignService
from smsgate.services.clock import now_ms
from smsgate.store.campaigns import Campaign, Progress

AnyRequest = Request[Any, Any, Any]
_encode = msgspec.json.Encoder().encode
_FAILED = (Status.UNDELIVERED, Status.REJECTED, Status.FAILED, Status.EXPIRED)


def campaign_out(c: Campaign, p: Progress) -> CampaignOut:
    return CampaignOut(
        id=str(c.id),
        name=c.name,
        state=CampaignService.state(c, p),
        text=c.text,
        recipients=c.recipients,
        skipped=c.skipped,
        starts_at=render.time_at(c.starts_at),
        ends_at=render.time_at(c.ends_at),
        created_at=render.time_at(c.created_at),
        progress=ProgressOut(
            scheduled=p.count(Status.SCHEDULED),
            queued=p.count(Status.QUEUED),
            sent=p.count(Status.SENT),
            delivered=p.count(Status.DELIVERED),
            failed=p.count(*_FAILED),
            canceled=p.count(Status.CANCELED),
            replies=p.replies,
            opt_outs=p.opt_outs,
            cost=amount_text(p.cost),
        ),
    )


def release_in(data: CampaignBody) -> Release:
    start: int | None = None
    if data.start is not None:
        start = (
            delayed_start(data.start, now_ms()) if data.start.startswith("+") else _at(data.start)
        )
    window = time_window(data.hours, "UTC", data.days) if data.hours else None
    return Release(
        start_ms=start,
        local_start=data.local_start,
        window=window,
        period_s=data.period,
        every_s=data.every,
    )


def _at(value: str) -> int:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise DomainError(
            ErrorCode.INVALID_FIELD, "start is ISO 8601 or +MINUTES", "start"
        ) from None
    if at.tzinfo is None:
        raise DomainError(ErrorCode.INVALID_FIELD, "start needs a UTC offset", "start")
    return int(at.timestamp() * 1000)


def _campaigns(request: AnyRequest) -> CampaignService:
    return gateway_of(request).campaigns


@post("/campaigns", summary="Make a campaign: every message stored at once, released on time")
async def create_campaign(request: AnyRequest, data: JSONBody[CampaignBody]) -> CampaignMadeOut:
    account = await authenticated(request)
    service = _campaigns(request)
    made = await service.create(
        account,
        CampaignInput(
            name=data.name,
            template=data.template,
            text=data.text,
            groups=data.groups,
            contact_ids=[parse_id(c, "contact") for c in data.contacts],
            numbers=data.to,
            sender=data.sender,
            urgent=data.urgent,
            release=release_in(data),
            time_zone=data.time_zone,
            validity_s=data.validity,
        ),
    )
    found, progress = await service.progress(account, made.campaign.id)
    return CampaignMadeOut(
        campaign=campaign_out(found, progress),
        opted_out=made.opted_out,
        refused=[
            *(RefusedOut(r.raw, r.code, r.reason) for r in made.not_numbers),
            *(
                RefusedOut(r.to, r.error_code or "", r.error or "")
                for r in made.result.recipients
                if r.id is None
            ),
        ],
    )


@get("/campaigns", summary="The account's campaigns, newest first, with a cursor")
async def list_campaigns(
    request: AnyRequest, cursor: FromQuery[str | None] = None, limit: Limit = 20
) -> CampaignPage:
    account = await authenticated(request)
    service = _campaigns(request)
    page, next_id = await service.page(account, parse_cursor(cursor, "cursor"), limit)
    shown = [campaign_out(*await service.progress(account, c.id)) for c in page]
    return CampaignPage(shown, str(next_id) if next_id is not None else None)


@get("/campaigns/{campaign_id:str}", summary="A campaign and its progress")
async def get_campaign(request: AnyRequest, campaign_id: FromPath[str]) -> CampaignOut:
    account = await authenticated(request)
    found = parse_id(campaign_id, "campaign")
    return campaign_out(*await _campaigns(request).progress(account, found))


@get("/campaigns/{campaign_id:str}/stream", summary="A campaign's progress, live, as SSE")
async def stream_campaign(request: AnyRequest, campaign_id: FromPath[str]) -> ServerSentEvent:
    """One `progress` event now and one at each change, until every message is settled."""
    account = await authenticated(request)
    service = _campaigns(request)
    found = parse_id(campaign_id, "campaign")
    await service.get(account, found)  # a 404 before the stream starts

    async def events() -> AsyncIterator[ServerSentEventMessage]:
        async for c, p in service.watch(account, found):
            yield ServerSentEventMessage(
                data=_encode(campaign_out(c, p)).decode(), event="progress"
            )

    return ServerSentEvent(events())


Act = Callable[[CampaignService, Account, int], Awaitable[object]]


async def _acted(request: AnyRequest, campaign_id: str, act: Act) -> CampaignOut:
    account = await authenticated(request)
    service = _campaigns(request)
    found = parse_id(campaign_id, "campaign")
    await act(service, account, found)
    return campaign_out(*await service.progress(account, found))


@post("/campaigns/{campaign_id:str}/pause", summary="Hold back its releases", status_code=200)
async def pause_campaign(request: AnyRequest, campaign_id: FromPath[str]) -> CampaignOut:
    return await _acted(request, campaign_id, CampaignService.pause)


@post(
    "/campaigns/{campaign_id:str}/resume",
    summary="Release again, later by the time paused",
    status_code=200,
)
async def resume_campaign(request: AnyRequest, campaign_id: FromPath[str]) -> CampaignOut:
    return await _acted(request, campaign_id, CampaignService.resume)


@post(
    "/campaigns/{campaign_id:str}/cancel",
    summary="Cancel every message not handed to a connector yet",
    status_code=200,
)
async def cancel_campaign(request: AnyRequest, campaign_id: FromPath[str]) -> CanceledOut:
    account = await authenticated(request)
    service = _campaigns(request)
    found = parse_id(campaign_id, "campaign")
    _, canceled = await service.cancel(account, found)
    return CanceledOut(campaign_out(*await service.progress(account, found)), canceled)


router = Router(
    path="/v1",
    route_handlers=[
        create_campaign,
        list_campaigns,
        get_campaign,
        stream_campaign,
        pause_campaign,
        resume_campaign,
        cancel_campaign,
    ],
    tags=["campaigns"],
)
