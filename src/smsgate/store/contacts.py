"""Address books: contacts, their groups, and whether each contact's number opted out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import Row, Select, and_, bindparam, delete, func, or_, select, update

from smsgate.domain.contacts import Contact, ContactData
from smsgate.store.bulk import in_chunks, insert_rows
from smsgate.store.database import Tx
from smsgate.store.engine import Conn
from smsgate.store.schema import contact_groups, contacts, group_members, opt_outs

_COLUMNS = (
    "id",
    "account_id",
    "number",
    "first_name",
    "last_name",
    "time_zone",
    "fields",
    "created_at",
    "updated_at",
)
_WRITTEN = ("number", "first_name", "last_name", "time_zone", "fields")
_fields = msgspec.json.Decoder(dict[str, str])


@dataclass(frozen=True, slots=True)
class Group:
    id: int
    name: str
    contacts: int
    created_at: int


def _data(row: Row[tuple[object, ...]]) -> ContactData:
    return ContactData(
        number=row.number,
        first_name=row.first_name,
        last_name=row.last_name,
        time_zone=row.time_zone,
        fields=_fields.decode(row.fields),
    )


def _values(data: ContactData) -> dict[str, object]:
    return {
        "number": data.number,
        "first_name": data.first_name,
        "last_name": data.last_name,
        "time_zone": data.time_zone,
        "fields": msgspec.json.encode(dict(data.fields)).decode(),
    }


async def insert(
    tx: Tx, account_id: int, new: Sequence[tuple[int, ContactData]], now_ms: int
) -> None:
    rows = []
    for contact_id, data in new:
        v = _values(data)
        rows.append(
            (contact_id, account_id, v["number"], v["first_name"], v["last_name"],
             v["time_zone"], v["fields"], now_ms, now_ms)
        )  # fmt: skip
    await insert_rows(tx.conn, contacts, _COLUMNS, rows)


async def replace(tx: Tx, changed: Sequence[tuple[int, ContactData]], now_ms: int) -> None:
    """Write these contacts (of one account, by id) anew."""
    if not changed:
        return
    # Bound names differ from the columns': SQLAlchemy keeps those for its own SET values.
    statement = (
        update(contacts)
        .where(contacts.c.id == bindparam("contact_id"))
        .values({name: bindparam(f"new_{name}") for name in _WRITTEN} | {"updated_at": now_ms})
    )
    await tx.conn.execute(
        statement,
        [
            {"contact_id": contact_id, **{f"new_{k}": v for k, v in _values(data).items()}}
            for contact_id, data in changed
        ],
    )


async def by_numbers(
    conn: Conn, account_id: int, numbers: Sequence[str]
) -> dict[str, tuple[int, ContactData]]:
    found: dict[str, tuple[int, ContactData]] = {}
    if conn.dialect.name == "postgresql":
        # The statement is prepared once; the generic plan PostgreSQL settles on after a few
        # runs was costed on the book as it was (empty, at an import's start) and scans the
        # table: an import of 100,000 went quadratic (96 s). Plan each run for its values.
        await conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
    for chunk in in_chunks(numbers):
        rows = await conn.execute(
            select(contacts).where(
                contacts.c.account_id == account_id, contacts.c.number.in_(chunk)
            )
        )
        found.update((r.number, (r.id, _data(r))) for r in rows)
    return found


async def owned(conn: Conn, account_id: int, contact_ids: Collection[int]) -> set[int]:
    """Which of these contacts are the account's."""
    found: set[int] = set()
    for chunk in in_chunks(list(contact_ids)):
        rows = await conn.execute(
            select(contacts.c.id).where(
                contacts.c.account_id == account_id, contacts.c.id.in_(chunk)
            )
        )
        found.update(r.id for r in rows)
    return found


async def number_taken(conn: Conn, account_id: int, number: str, but: int | None = None) -> bool:
    condition = and_(contacts.c.account_id == account_id, contacts.c.number == number)
    if but is not None:
        condition &= contacts.c.id != but
    return (await conn.execute(select(contacts.c.id).where(condition))).first() is not None


def _with_opt_outs(account_id: int) -> Select[Any]:
    """The account's contacts, each with `opted_out`: whether its number is on the list."""
    opted = (
        select(opt_outs.c.number)
        .where(opt_outs.c.account_id == account_id, opt_outs.c.number == contacts.c.number)
        .exists()
    )
    return select(contacts, opted.label("opted_out")).where(contacts.c.account_id == account_id)


async def audience(
    conn: Conn, account_id: int, group_ids: Collection[int], contact_ids: Collection[int]
) -> list[tuple[int, ContactData, bool]]:
    """The contacts in any of the groups or among the ids, once each, in the order they were
    made: (id, data, opted out)."""
    found: dict[int, tuple[int, ContactData, bool]] = {}
    if group_ids:
        members = select(group_members.c.contact_id).where(
            group_members.c.group_id.in_(list(group_ids))
        )
        rows = await conn.execute(_with_opt_outs(account_id).where(contacts.c.id.in_(members)))
        found.update((r.id, (r.id, _data(r), bool(r.opted_out))) for r in rows)
    for chunk in in_chunks(sorted(set(contact_ids) - found.keys())):
        rows = await conn.execute(_with_opt_outs(account_id).where(contacts.c.id.in_(chunk)))
        found.update((r.id, (r.id, _data(r), bool(r.opted_out))) for r in rows)
    return [found[i] for i in sorted(found)]


async def opted_out_among(conn: Conn, account_id: int, numbers: Sequence[str]) -> set[str]:
    listed: set[str] = set()
    for chunk in in_chunks(numbers):
        rows = await conn.execute(
            select(opt_outs.c.number).where(
                opt_outs.c.account_id == account_id, opt_outs.c.number.in_(chunk)
            )
        )
        listed.update(r.number for r in rows)
    return listed


async def page(
    conn: Conn,
    account_id: int,
    *,
    search: str | None = None,
    group_id: int | None = None,
    contact_id: int | None = None,
    after_id: int | None = None,
    limit: int = 100,
) -> list[Contact]:
    """Contacts in id order (the order they were made), with their groups and opt-out marks;
    `search` matches part of the number or either name, case-insensitively."""
    query = _with_opt_outs(account_id)
    if contact_id is not None:
        query = query.where(contacts.c.id == contact_id)
    if after_id is not None:
        query = query.where(contacts.c.id > after_id)
    if group_id is not None:
        query = query.where(
            contacts.c.id.in_(
                select(group_members.c.contact_id).where(group_members.c.group_id == group_id)
            )
        )
    if search:
        like = f"%{_escape_like(search.lower())}%"
        query = query.where(
            or_(
                contacts.c.number.like(like, escape="\\"),
                func.lower(contacts.c.first_name).like(like, escape="\\"),
                func.lower(contacts.c.last_name).like(like, escape="\\"),
            )
        )
    rows = list(await conn.execute(query.order_by(contacts.c.id).limit(limit)))
    groups = await _groups_of(conn, [r.id for r in rows])
    return [
        Contact(
            id=r.id,
            data=_data(r),
            groups=tuple(sorted(groups.get(r.id, ()))),
            opted_out=bool(r.opted_out),
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
        for r in rows
    ]


async def field_names(conn: Conn, account_id: int, group_id: int | None = None) -> list[str]:
    """The custom fields any contact (of the group) has, sorted."""
    query = select(contacts.c.fields).where(
        contacts.c.account_id == account_id, contacts.c.fields != "{}"
    )
    if group_id is not None:
        query = query.where(
            contacts.c.id.in_(
                select(group_members.c.contact_id).where(group_members.c.group_id == group_id)
            )
        )
    names: set[str] = set()
    for r in await conn.execute(query):
        names.update(_fields.decode(r.fields))
    return sorted(names)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def _groups_of(conn: Conn, contact_ids: Sequence[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    for chunk in in_chunks(contact_ids):
        rows = await conn.execute(
            select(group_members.c.contact_id, contact_groups.c.name)
            .join(contact_groups, contact_groups.c.id == group_members.c.group_id)
            .where(group_members.c.contact_id.in_(chunk))
        )
        for r in rows:
            names[r.contact_id].append(r.name)
    return names


async def remove(tx: Tx, account_id: int, contact_id: int) -> bool:
    owned = await tx.conn.execute(
        select(contacts.c.id).where(
            contacts.c.id == contact_id, contacts.c.account_id == account_id
        )
    )
    if owned.first() is None:
        return False
    await tx.conn.execute(delete(group_members).where(group_members.c.contact_id == contact_id))
    await tx.conn.execute(delete(contacts).where(contacts.c.id == contact_id))
    return True


# Groups


async def groups(conn: Conn, account_id: int) -> list[Group]:
    members = (
        select(group_members.c.group_id, func.count().label("n"))
        .group_by(group_members.c.group_id)
        .subquery()
    )
    rows = await conn.execute(
        select(contact_groups, func.coalesce(members.c.n, 0).label("n"))
        .outerjoin(members, members.c.group_id == contact_groups.c.id)
        .where(contact_groups.c.account_id == account_id)
        .order_by(contact_groups.c.name)
    )
    return [Group(r.id, r.name, int(r.n), r.created_at) for r in rows]


async def group_ids(conn: Conn, account_id: int, names: Collection[str]) -> dict[str, int]:
    if not names:
        return {}
    rows = await conn.execute(
        select(contact_groups.c.name, contact_groups.c.id).where(
            contact_groups.c.account_id == account_id, contact_groups.c.name.in_(list(names))
        )
    )
    return {r.name: r.id for r in rows}


async def create_group(tx: Tx, account_id: int, name: str, now_ms: int) -> int:
    result = await tx.conn.execute(
        contact_groups.insert()
        .values(account_id=account_id, name=name, created_at=now_ms)
        .returning(contact_groups.c.id)
    )
    return int(result.scalar_one())


async def ensure_groups(
    tx: Tx, account_id: int, names: Collection[str], now_ms: int
) -> dict[str, int]:
    """The id of each named group, making the ones the account does not have."""
    ids = await group_ids(tx.conn, account_id, names)
    for name in sorted(set(names) - ids.keys()):
        ids[name] = await create_group(tx, account_id, name, now_ms)
    return ids


async def rename_group(tx: Tx, group_id: int, name: str) -> None:
    await tx.conn.execute(
        update(contact_groups).where(contact_groups.c.id == group_id).values(name=name)
    )


async def remove_group(tx: Tx, group_id: int) -> None:
    await tx.conn.execute(delete(group_members).where(group_members.c.group_id == group_id))
    await tx.conn.execute(delete(contact_groups).where(contact_groups.c.id == group_id))


async def add_members(
    tx: Tx, pairs: Collection[tuple[int, int]], fresh: Collection[int] = frozenset()
) -> int:
    """Put contacts in groups ((group id, contact id) pairs); returns how many were not in
    them yet. `fresh` contacts were just made, so are in no group to look up."""
    wanted = set(pairs)
    known = sorted({contact_id for _, contact_id in wanted} - set(fresh))
    for chunk in in_chunks(known):
        rows = await tx.conn.execute(
            select(group_members.c.group_id, group_members.c.contact_id).where(
                group_members.c.contact_id.in_(chunk)
            )
        )
        wanted.difference_update((r.group_id, r.contact_id) for r in rows)
    await insert_rows(tx.conn, group_members, ("group_id", "contact_id"), sorted(wanted))
    return len(wanted)


async def remove_members(tx: Tx, group_id: int, contact_ids: Collection[int]) -> None:
    for chunk in in_chunks(list(contact_ids)):
        await tx.conn.execute(
            delete(group_members).where(
                group_members.c.group_id == group_id, group_members.c.contact_id.in_(chunk)
            )
        )


async def set_groups(tx: Tx, contact_id: int, group_ids_: Collection[int]) -> None:
    """Make the contact's groups exactly these."""
    await tx.conn.execute(delete(group_members).where(group_members.c.contact_id == contact_id))
    await insert_rows(
        tx.conn, group_members, ("group_id", "contact_id"), [(g, contact_id) for g in group_ids_]
    )
