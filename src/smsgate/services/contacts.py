"""Address books: an account's contacts and groups, made one by one or imported by the
thousand, searched and exported."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from smsgate.domain.account import Account
from smsgate.domain.contact_import import ImportedContact, ParsedImport, RowError
from smsgate.domain.contacts import Contact, ContactData, contact_data, group_name
from smsgate.domain.errors import DomainError, ErrorCode
from smsgate.domain.phone import Rejected, normalize_many
from smsgate.services.clock import now_ms
from smsgate.services.paging import check_limit, cut
from smsgate.store import contacts as repo
from smsgate.store.database import Database, Tx
from smsgate.store.engine import Conn

# Contacts written per transaction of an import: the progress a caller sees, and a bound on
# how long one import holds the writer from everything else.
IMPORT_CHUNK = 5000
EXPORT_CHUNK = 1000
# What an export has before the custom fields; an import maps these headers back.
EXPORT_COLUMNS = ("number", "first_name", "last_name", "time_zone", "groups", "opted_out")


@dataclass(frozen=True, slots=True)
class ContactInput:
    """A contact as a door received it, not yet checked."""

    number: str
    first_name: str = ""
    last_name: str = ""
    time_zone: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    groups: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Recipient:
    number: str
    contact: ContactData | None  # None: a number given as it is, in no contact
    opted_out: bool

    def value(self, name: str) -> str | None:
        """A field for a template's placeholder."""
        if self.contact is not None:
            return self.contact.value(name)
        return self.number if name == "number" else None


@dataclass(frozen=True, slots=True)
class Audience:
    """Who a send to groups, contacts and numbers reaches: each number once."""

    recipients: list[Recipient]
    rejected: list[Rejected]  # numbers given as they are that are not numbers (by index)


@dataclass(frozen=True, slots=True)
class Export:
    header: list[str]
    rows: AsyncIterator[list[str]]


@dataclass(frozen=True, slots=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int  # numbers the book had, left as they were
    duplicates: list[int]  # lines that repeated an earlier line's number
    errors: list[RowError]


class ContactService:
    def __init__(self, db: Database):
        self._db = db

    async def create(self, account: Account, given: ContactInput) -> Contact:
        data = _checked(account, given)
        contact_id = self._db.ids.next()
        names = [group_name(g, "groups") for g in given.groups]

        async def job(tx: Tx) -> None:
            if await repo.number_taken(tx.conn, account.id, data.number):
                raise DomainError(ErrorCode.CONTACT_EXISTS, field="number")
            now = now_ms()
            await repo.insert(tx, account.id, [(contact_id, data)], now)
            ids = await repo.ensure_groups(tx, account.id, names, now)
            await repo.set_groups(tx, contact_id, ids.values())

        await self._db.write(job)
        return await self.get(account, contact_id)

    async def get(self, account: Account, contact_id: int) -> Contact:
        found = await self._db.read(
            lambda conn: repo.page(conn, account.id, contact_id=contact_id, limit=1)
        )
        if not found:
            raise DomainError(ErrorCode.NOT_FOUND, "no such contact", "contact")
        return found[0]

    async def replace(self, account: Account, contact_id: int, given: ContactInput) -> Contact:
        """Every field and group of the contact anew."""
        data = _checked(account, given)
        names = [group_name(g, "groups") for g in given.groups]
        await self.get(account, contact_id)

        async def job(tx: Tx) -> None:
            if await repo.number_taken(tx.conn, account.id, data.number, but=contact_id):
                raise DomainError(ErrorCode.CONTACT_EXISTS, field="number")
            now = now_ms()
            await repo.replace(tx, [(contact_id, data)], now)
            ids = await repo.ensure_groups(tx, account.id, names, now)
            await repo.set_groups(tx, contact_id, ids.values())

        await self._db.write(job)
        return await self.get(account, contact_id)

    async def remove(self, account: Account, contact_id: int) -> None:
        if not await self._db.write(lambda tx: repo.remove(tx, account.id, contact_id)):
            raise DomainError(ErrorCode.NOT_FOUND, "no such contact", "contact")

    async def page(
        self,
        account: Account,
        *,
        search: str | None = None,
        group: str | None = None,
        after_id: int | None = None,
        limit: int = 100,
    ) -> tuple[list[Contact], int | None]:
        check_limit(limit)
        group_id = await self._group_id(account, group) if group is not None else None
        rows = await self._db.read(
            lambda conn: repo.page(
                conn,
                account.id,
                search=search,
                group_id=group_id,
                after_id=after_id,
                limit=limit + 1,
            )
        )
        return cut(rows, limit, lambda c: c.id)

    async def export(self, account: Account, group: str | None = None) -> Export:
        """Every contact (of the group) as table rows, in the order they were made: the
        built-in columns, then one per custom field any of them has."""
        group_id = await self._group_id(account, group) if group is not None else None
        custom = await self._db.read(lambda conn: repo.field_names(conn, account.id, group_id))

        async def rows() -> AsyncIterator[list[str]]:
            after: int | None = None
            while True:
                page, after = await self.page(
                    account, group=group, after_id=after, limit=EXPORT_CHUNK
                )
                for c in page:
                    d = c.data
                    yield [
                        d.number, d.first_name, d.last_name, d.time_zone or "",
                        ";".join(c.groups), "yes" if c.opted_out else "",
                        *(d.fields.get(name, "") for name in custom),
                    ]  # fmt: skip
                if after is None:
                    return

        return Export([*EXPORT_COLUMNS, *custom], rows())

    async def import_contacts(
        self,
        account: Account,
        parsed: ParsedImport,
        *,
        groups: Sequence[str] = (),
        update_existing: bool = True,
        progress: Callable[[int], None] = lambda done: None,
    ) -> ImportSummary:
        """Write what a file's rows gave: new numbers become contacts, known ones are updated
        with the fields the file has (or left alone), and every contact joins `groups` and
        the groups of its row. `progress` hears how many contacts are written so far."""
        for_all = [group_name(g, "groups") for g in groups]
        created = updated = unchanged = 0
        for start in range(0, len(parsed.contacts), IMPORT_CHUNK):
            chunk = parsed.contacts[start : start + IMPORT_CHUNK]
            ids = self._db.ids.take(len(chunk))

            job = partial(_write_chunk, account_id=account.id, chunk=chunk, ids=ids)
            made, changed_n, same = await self._db.write(
                partial(job, for_all=for_all, update_existing=update_existing), background=True
            )
            created, updated, unchanged = created + made, updated + changed_n, unchanged + same
            progress(start + len(chunk))
        return ImportSummary(created, updated, unchanged, parsed.duplicates, parsed.errors)

    async def audience(
        self,
        account: Account,
        *,
        groups: Sequence[str] = (),
        contact_ids: Sequence[int] = (),
        numbers: Sequence[str] = (),
    ) -> Audience:
        """The members of `groups`, the contacts `contact_ids` and the `numbers` (a number
        of a contact counts as that contact), each number once, in that order."""
        batch = normalize_many(numbers, account.default_region, dedupe=False)
        given = [number for _, number in batch.valid]

        async def read(conn: Conn) -> tuple[dict[str, int], list[Any], dict[str, Any], set[str]]:
            group_ids = await repo.group_ids(conn, account.id, groups)
            listed = await repo.audience(conn, account.id, group_ids.values(), contact_ids)
            known = await repo.by_numbers(conn, account.id, given)
            return group_ids, listed, known, await repo.opted_out_among(conn, account.id, given)

        group_ids, listed, known, opted = await self._db.read(read)
        unknown = [g for g in groups if g not in group_ids]
        if unknown:
            raise DomainError(ErrorCode.NOT_FOUND, f"no group named {unknown[0]}", "groups")
        missing = sorted(set(contact_ids) - {contact_id for contact_id, _, _ in listed})
        if missing:
            raise DomainError(ErrorCode.NOT_FOUND, f"no contact {missing[0]}", "contacts")
        recipients: dict[str, Recipient] = {}
        for _, data, opted_out in listed:
            recipients.setdefault(data.number, Recipient(data.number, data, opted_out))
        for number in given:
            contact = known.get(number)
            recipients.setdefault(
                number, Recipient(number, contact[1] if contact else None, number in opted)
            )
        return Audience(list(recipients.values()), batch.rejected)

    # Groups

    async def groups(self, account: Account) -> list[repo.Group]:
        return await self._db.read(lambda conn: repo.groups(conn, account.id))

    async def group(self, account: Account, name: str) -> repo.Group:
        for found in await self.groups(account):
            if found.name == name:
                return found
        raise DomainError(ErrorCode.NOT_FOUND, f"no group named {name}", "group")

    async def create_group(self, account: Account, name: str) -> repo.Group:
        name = group_name(name)

        async def job(tx: Tx) -> None:
            if await repo.group_ids(tx.conn, account.id, [name]):
                raise DomainError(ErrorCode.GROUP_EXISTS, field="name")
            await repo.create_group(tx, account.id, name, now_ms())

        await self._db.write(job)
        return await self.group(account, name)

    async def rename_group(self, account: Account, name: str, new_name: str) -> repo.Group:
        new_name = group_name(new_name)
        group_id = await self._group_id(account, name)

        async def job(tx: Tx) -> None:
            taken = await repo.group_ids(tx.conn, account.id, [new_name])
            if taken and taken[new_name] != group_id:
                raise DomainError(ErrorCode.GROUP_EXISTS, field="name")
            await repo.rename_group(tx, group_id, new_name)

        await self._db.write(job)
        return await self.group(account, new_name)

    async def remove_group(self, account: Account, name: str) -> None:
        """The group goes; its contacts stay."""
        group_id = await self._group_id(account, name)
        await self._db.write(lambda tx: repo.remove_group(tx, group_id))

    async def add_to_group(self, account: Account, name: str, contact_ids: Sequence[int]) -> int:
        """Put contacts in the group; returns how many were not in it yet."""
        group_id = await self._group_id(account, name)

        async def job(tx: Tx) -> int:
            owned = await repo.owned(tx.conn, account.id, contact_ids)
            missing = sorted(set(contact_ids) - owned)
            if missing:
                raise DomainError(ErrorCode.NOT_FOUND, f"no contact {missing[0]}", "contacts")
            return await repo.add_members(tx, [(group_id, c) for c in owned])

        return await self._db.write(job)

    async def remove_from_group(
        self, account: Account, name: str, contact_ids: Sequence[int]
    ) -> None:
        group_id = await self._group_id(account, name)
        await self._db.write(lambda tx: repo.remove_members(tx, group_id, contact_ids))

    async def _group_id(self, account: Account, name: str) -> int:
        found = await self._db.read(lambda conn: repo.group_ids(conn, account.id, [name]))
        if name not in found:
            raise DomainError(ErrorCode.NOT_FOUND, f"no group named {name}", "group")
        return found[name]


async def _write_chunk(
    tx: Tx,
    *,
    account_id: int,
    chunk: Sequence[ImportedContact],
    ids: Sequence[int],
    for_all: Sequence[str],
    update_existing: bool,
) -> tuple[int, int, int]:
    """One transaction of an import: (created, updated, unchanged)."""
    now = now_ms()
    known = await repo.by_numbers(tx.conn, account_id, [c.data.number for c in chunk])
    new: list[tuple[int, ContactData]] = []
    changed: list[tuple[int, ContactData]] = []
    contact_ids: list[int] = []
    for imported, new_id in zip(chunk, ids, strict=True):
        found = known.get(imported.data.number)
        if found is None:
            new.append((new_id, imported.data))
            contact_ids.append(new_id)
            continue
        contact_id, old = found
        contact_ids.append(contact_id)
        merged = old.merged(imported.data, imported.given)
        if update_existing and merged != old:
            changed.append((contact_id, merged))
    await repo.insert(tx, account_id, new, now)
    await repo.replace(tx, changed, now)
    group_ids = await repo.ensure_groups(
        tx, account_id, {*for_all, *(g for c in chunk for g in c.groups)}, now
    )
    await repo.add_members(
        tx,
        [
            (group_ids[g], contact_id)
            for imported, contact_id in zip(chunk, contact_ids, strict=True)
            for g in {*for_all, *imported.groups}
        ],
        fresh={contact_id for contact_id, _ in new},
    )
    return len(new), len(changed), len(chunk) - len(new) - len(changed)


def _checked(account: Account, given: ContactInput) -> ContactData:
    return contact_data(
        given.number,
        account.default_region,
        first_name=given.first_name,
        last_name=given.last_name,
        zone=given.time_zone,
        fields=given.fields,
    )
