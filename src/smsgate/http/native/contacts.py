"""/v1/contacts and /v1/groups: the account's address book, its imports and exports."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Request, Router, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Stream

from smsgate.domain.contact_import import mapping_of, parse_rows
from smsgate.domain.contacts import Contact
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.http.native import render
from smsgate.http.native.contact_schemas import (
    ContactBody,
    ContactOut,
    ContactPage,
    GroupBody,
    GroupIndex,
    GroupOut,
    ImportOut,
    MembersBody,
    MembersOut,
    RowErrorOut,
)
from smsgate.http.native.routes import Limit, authenticated, gateway_of, parse_cursor, parse_id
from smsgate.services.contacts import ContactInput, ContactService
from smsgate.services.spreadsheets import csv_stream, read_table
from smsgate.store.contacts import Group

AnyRequest = Request[Any, Any, Any]


def contact_out(c: Contact) -> ContactOut:
    d = c.data
    return ContactOut(
        id=str(c.id),
        number=d.number,
        first_name=d.first_name,
        last_name=d.last_name,
        time_zone=d.time_zone,
        fields=dict(d.fields),
        groups=list(c.groups),
        opted_out=c.opted_out,
        created_at=render.time_at(c.created_at),
        updated_at=render.time_at(c.updated_at),
    )


def group_out(g: Group) -> GroupOut:
    return GroupOut(g.name, g.contacts, render.time_at(g.created_at))


def contact_in(data: ContactBody) -> ContactInput:
    return ContactInput(
        number=data.number,
        first_name=data.first_name,
        last_name=data.last_name,
        time_zone=data.time_zone,
        fields=data.fields,
        groups=data.groups,
    )


def _contacts(request: AnyRequest) -> ContactService:
    return gateway_of(request).contacts


@get("/contacts", summary="Contacts in the order they were made; search, group filter, cursor")
async def list_contacts(
    request: AnyRequest,
    q: FromQuery[str | None] = None,
    group: FromQuery[str | None] = None,
    cursor: FromQuery[str | None] = None,
    limit: Limit = 100,
) -> ContactPage:
    account = await authenticated(request)
    page, next_id = await _contacts(request).page(
        account, search=q, group=group, after_id=parse_cursor(cursor, "cursor"), limit=limit
    )
    return ContactPage(
        data=[contact_out(c) for c in page],
        next_cursor=str(next_id) if next_id is not None else None,
    )


@post("/contacts", summary="Add a contact")
async def create_contact(request: AnyRequest, data: JSONBody[ContactBody]) -> ContactOut:
    account = await authenticated(request)
    return contact_out(await _contacts(request).create(account, contact_in(data)))


@get("/contacts/{contact_id:str}", summary="One contact")
async def get_contact(request: AnyRequest, contact_id: FromPath[str]) -> ContactOut:
    account = await authenticated(request)
    return contact_out(await _contacts(request).get(account, parse_id(contact_id, "contact")))


@put("/contacts/{contact_id:str}", summary="Replace a contact: every field and group")
async def put_contact(
    request: AnyRequest, contact_id: FromPath[str], data: JSONBody[ContactBody]
) -> ContactOut:
    account = await authenticated(request)
    found = parse_id(contact_id, "contact")
    return contact_out(await _contacts(request).replace(account, found, contact_in(data)))


@delete("/contacts/{contact_id:str}", summary="Remove a contact")
async def remove_contact(request: AnyRequest, contact_id: FromPath[str]) -> None:
    account = await authenticated(request)
    await _contacts(request).remove(account, parse_id(contact_id, "contact"))


@post(
    "/contacts/import",
    summary="Import a CSV or XLSX file (the body, or a multipart upload); errors per row",
    status_code=200,
)
async def import_contacts(
    request: AnyRequest,
    group: FromQuery[list[str] | None] = None,
    map: FromQuery[list[str] | None] = None,
    region: FromQuery[str | None] = None,
    existing: FromQuery[Literal["update", "skip"]] = "update",
) -> ImportOut:
    account = await authenticated(request)
    table = read_table(await _file_of(request))
    parsed = parse_rows(
        table.header, table.rows, region or account.default_region, mapping_of(map or [])
    )
    summary = await _contacts(request).import_contacts(
        account, parsed, groups=group or [], update_existing=existing == "update"
    )
    return ImportOut(
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        duplicates=summary.duplicates,
        rejected=len(summary.errors),
        errors=[RowErrorOut(e.line, e.field, e.reason) for e in summary.errors],
    )


async def _file_of(request: AnyRequest) -> bytes:
    """The file: the body itself, or the first file of a multipart form (a browser's upload)."""
    if request.content_type[0] == "multipart/form-data":
        form = await request.form()
        for value in form.values():
            if isinstance(value, UploadFile):
                return await value.read()
        raise DomainError(ErrorCode.MISSING_FIELD, "the form has no file", "file")
    body = await request.body()
    if not body:
        raise DomainError(ErrorCode.MISSING_FIELD, "send the file as the body", "file")
    return body


@get("/contacts/export", summary="Every contact (of a group) as CSV")
async def export_contacts(request: AnyRequest, group: FromQuery[str | None] = None) -> Stream:
    account = await authenticated(request)
    export = await _contacts(request).export(account, group)

    return Stream(
        csv_stream(export.header, export.rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="contacts.csv"'},
    )


@get("/groups", summary="The account's groups with their sizes")
async def list_groups(request: AnyRequest) -> GroupIndex:
    account = await authenticated(request)
    return GroupIndex([group_out(g) for g in await _contacts(request).groups(account)])


@post("/groups", summary="Make a group")
async def create_group(request: AnyRequest, data: JSONBody[GroupBody]) -> GroupOut:
    account = await authenticated(request)
    return group_out(await _contacts(request).create_group(account, data.name))


@put("/groups/{name:str}", summary="Rename a group")
async def rename_group(
    request: AnyRequest, name: FromPath[str], data: JSONBody[GroupBody]
) -> GroupOut:
    account = await authenticated(request)
    return group_out(await _contacts(request).rename_group(account, name, data.name))


@delete("/groups/{name:str}", summary="Remove a group (its contacts stay)")
async def remove_group(request: AnyRequest, name: FromPath[str]) -> None:
    account = await authenticated(request)
    await _contacts(request).remove_group(account, name)


@post("/groups/{name:str}/contacts", summary="Put contacts in a group", status_code=200)
async def add_members(
    request: AnyRequest, name: FromPath[str], data: JSONBody[MembersBody]
) -> MembersOut:
    account = await authenticated(request)
    ids = [parse_id(c, "contact") for c in data.contacts]
    return MembersOut(await _contacts(request).add_to_group(account, name, ids))


@delete("/groups/{name:str}/contacts/{contact_id:str}", summary="Take a contact out of a group")
async def remove_member(
    request: AnyRequest, name: FromPath[str], contact_id: FromPath[str]
) -> None:
    account = await authenticated(request)
    found = parse_id(contact_id, "contact")
    await _contacts(request).remove_from_group(account, name, [found])


router = Router(
    path="/v1",
    route_handlers=[
        list_contacts,
        create_contact,
        import_contacts,
        export_contacts,
        get_contact,
        put_contact,
        remove_contact,
        list_groups,
        create_group,
        rename_group,
        remove_group,
        add_members,
        remove_member,
    ],
    tags=["contacts"],
)
