"""Inbound messages, opt-out lists, keyword settings and the account's numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Request, Response, Router, delete, get, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from smsgate.domain.account import Account
from smsgate.domain.inbound import canonical_address
from smsgate.domain.phone import normalize
from smsgate.http.native import render
from smsgate.http.native.routes import (
    Limit,
    authenticated,
    gateway_of,
    id_bound,
    parse_cursor,
    parse_id,
)
from smsgate.http.native.schemas import (
    InboundOut,
    InboundPage,
    InboundSettingsBody,
    NumberOut,
    OptOutOut,
    OptOutPage,
)
from smsgate.services import opt_outs as opt_out_rules
from smsgate.store.inbound import Inbound, InboundFilter
from smsgate.store.inbound_settings import InboundSettings
from smsgate.store.opt_outs import OptOut

AnyRequest = Request[Any, Any, Any]


def _inbound_out(m: Inbound) -> InboundOut:
    return InboundOut(
        id=str(m.id),
        from_=m.sender,
        to=m.recipient,
        text=m.text,
        parts=m.parts,
        reply_to=str(m.reply_to) if m.reply_to is not None else None,
        keyword=m.keyword,
        received_at=render.time_at(m.received_at),
    )


def _opt_out_out(o: OptOut) -> OptOutOut:
    return OptOutOut(number=o.number, source=o.source, created_at=render.time_at(o.created_at))


@get(
    "/inbound", summary="Inbound messages and replies, newest first, with filters", tags=["inbound"]
)
async def list_inbound(
    request: AnyRequest,
    from_: Annotated[str | None, QueryParameter(name="from")] = None,
    to: FromQuery[str | None] = None,
    reply_to: FromQuery[str | None] = None,
    since: Annotated[datetime | None, QueryParameter(description="received at or after")] = None,
    until: Annotated[datetime | None, QueryParameter(description="received before")] = None,
    cursor: FromQuery[str | None] = None,
    limit: Limit = 100,
) -> InboundPage:
    account = await authenticated(request)
    flt = InboundFilter(
        sender=normalize(from_, account.default_region, field="from") if from_ else None,
        recipient=canonical_address(to) if to else None,
        reply_to=parse_cursor(reply_to, "reply_to"),
        id_from=id_bound("since", since),
        id_to=id_bound("until", until),
        before_id=parse_cursor(cursor, "cursor"),
    )
    page, next_id = await gateway_of(request).inbound.find(account, flt, limit)
    return InboundPage(
        data=[_inbound_out(m) for m in page],
        next_cursor=str(next_id) if next_id is not None else None,
    )


@get("/inbound/{inbound_id:str}", summary="One inbound message", tags=["inbound"])
async def get_inbound(request: AnyRequest, inbound_id: FromPath[str]) -> InboundOut:
    account = await authenticated(request)
    found = await gateway_of(request).inbound.get(account, parse_id(inbound_id, "inbound message"))
    return _inbound_out(found)


@get("/opt-outs", summary="Numbers that opted out, in number order", tags=["opt-outs"])
async def list_opt_outs(
    request: AnyRequest,
    cursor: FromQuery[str | None] = None,
    limit: Limit = 100,
) -> OptOutPage:
    account = await authenticated(request)
    page, next_number = await gateway_of(request).opt_outs.page(account, cursor or None, limit)
    return OptOutPage(data=[_opt_out_out(o) for o in page], next_cursor=next_number)


@get("/opt-outs/{number:str}", summary="Whether a number opted out", tags=["opt-outs"])
async def get_opt_out(request: AnyRequest, number: FromPath[str]) -> OptOutOut:
    account = await authenticated(request)
    return _opt_out_out(await gateway_of(request).opt_outs.get(account, number))


@put("/opt-outs/{number:str}", summary="Opt a number out", tags=["opt-outs"])
async def put_opt_out(request: AnyRequest, number: FromPath[str]) -> Response[OptOutOut]:
    """201 when the number was added, 200 when it was on the list already."""
    account = await authenticated(request)
    entry, added = await gateway_of(request).opt_outs.add(account, number)
    return Response(_opt_out_out(entry), status_code=201 if added else 200)


@delete(
    "/opt-outs/{number:str}",
    summary="Opt a number back in",
    status_code=204,
    tags=["opt-outs"],
)
async def delete_opt_out(request: AnyRequest, number: FromPath[str]) -> None:
    account = await authenticated(request)
    await gateway_of(request).opt_outs.remove(account, number)


def _settings_body(settings: InboundSettings) -> InboundSettingsBody:
    rules = settings.rules
    return InboundSettingsBody(
        stop_words=sorted(w.upper() for w in rules.stop_words),
        start_words=sorted(w.upper() for w in rules.start_words),
        help_words=sorted(w.upper() for w in rules.help_words),
        stop_reply=rules.stop_reply,
        start_reply=rules.start_reply,
        help_reply=rules.help_reply,
        reply_window=settings.reply_window_s,
    )


@get("/settings/inbound", summary="Keywords, automatic answers, reply window", tags=["opt-outs"])
async def get_inbound_settings(request: AnyRequest) -> InboundSettingsBody:
    account = await authenticated(request)
    return _settings_body(await gateway_of(request).opt_outs.settings(account))


@put("/settings/inbound", summary="Replace keywords and automatic answers", tags=["opt-outs"])
async def put_inbound_settings(
    request: AnyRequest, data: JSONBody[InboundSettingsBody]
) -> InboundSettingsBody:
    account = await authenticated(request)
    rules = opt_out_rules.rules(
        data.stop_words,
        data.start_words,
        data.help_words,
        data.stop_reply,
        data.start_reply,
        data.help_reply,
    )
    settings = InboundSettings(rules, data.reply_window)
    return _settings_body(await gateway_of(request).opt_outs.set_settings(account, settings))


@get("/numbers", summary="The account's own numbers (inbound to them is its)", tags=["inbound"])
async def list_numbers(request: AnyRequest) -> list[NumberOut]:
    account: Account = await authenticated(request)
    owned = await gateway_of(request).inbound.numbers(account)
    return [NumberOut(number=n.number, created_at=render.time_at(n.created_at)) for n in owned]


router = Router(
    path="/v1",
    route_handlers=[
        list_inbound,
        get_inbound,
        list_opt_outs,
        get_opt_out,
        put_opt_out,
        delete_opt_out,
        get_inbound_settings,
        put_inbound_settings,
        list_numbers,
    ],
)
