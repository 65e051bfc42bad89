"""/v1/templates: the account's message templates, and the preview of a send."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, delete, get, post, put
from litestar.params import FromPath, JSONBody

from smsgate.domain.pricing import amount_text
from smsgate.domain.templates import template
from smsgate.http.native import render
from smsgate.http.native.routes import authenticated, gateway_of, parse_id
from smsgate.http.native.template_schemas import (
    PreviewBody,
    PreviewOut,
    PreviewRowOut,
    RejectedOut,
    TemplateBody,
    TemplateIndex,
    TemplateOut,
)
from smsgate.services.templates import TemplateService
from smsgate.store.templates import StoredTemplate

AnyRequest = Request[Any, Any, Any]


def template_out(t: StoredTemplate) -> TemplateOut:
    return TemplateOut(
        name=t.name,
        text=t.text,
        fields=list(template(t.text).fields),
        created_at=render.time_at(t.created_at),
        updated_at=render.time_at(t.updated_at),
    )


def _templates(request: AnyRequest) -> TemplateService:
    return gateway_of(request).templates


@get("/templates", summary="The account's templates")
async def list_templates(request: AnyRequest) -> TemplateIndex:
    account = await authenticated(request)
    return TemplateIndex([template_out(t) for t in await _templates(request).all(account)])


@get("/templates/{name:str}", summary="One template")
async def get_template(request: AnyRequest, name: FromPath[str]) -> TemplateOut:
    account = await authenticated(request)
    return template_out(await _templates(request).get(account, name))


@put("/templates/{name:str}", summary="Make a template or replace its text")
async def put_template(
    request: AnyRequest, name: FromPath[str], data: JSONBody[TemplateBody]
) -> TemplateOut:
    account = await authenticated(request)
    return template_out(await _templates(request).put(account, name, data.text))


@delete("/templates/{name:str}", summary="Remove a template")
async def remove_template(request: AnyRequest, name: FromPath[str]) -> None:
    account = await authenticated(request)
    await _templates(request).remove(account, name)


@post(
    "/templates/preview",
    summary="Each recipient's text, encoding, parts and price for a send; nothing is sent",
    status_code=200,
)
async def preview(request: AnyRequest, data: JSONBody[PreviewBody]) -> PreviewOut:
    account = await authenticated(request)
    shown = await _templates(request).preview(
        account,
        name=data.template,
        text=data.text,
        groups=data.groups,
        contact_ids=[parse_id(c, "contact") for c in data.contacts],
        numbers=data.to,
        sender=data.sender,
        limit=data.limit,
    )
    return PreviewOut(
        fields=list(shown.template.fields),
        recipients=shown.recipients,
        opted_out=shown.opted_out,
        rejected=[RejectedOut(r.index, r.raw, r.code, r.reason) for r in shown.audience.rejected],
        currency=shown.currency,
        data=[
            PreviewRowOut(
                to=row.to,
                text=row.text,
                encoding=row.encoding,
                parts=row.parts,
                price=amount_text(row.price) if row.price is not None else None,
                missing=list(row.missing),
                error_code=row.error_code,
                error=row.error,
            )
            for row in shown.rows
        ],
    )


router = Router(
    path="/v1",
    route_handlers=[preview, list_templates, get_template, put_template, remove_template],
    tags=["templates"],
)
