"""/v1/contacts and /v1/groups: the address book over HTTP, its imports and exports, on each
engine."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from openpyxl import Workbook

from tests.integration.conftest import Running
from tests.integration.test_connectors_api import error_of

ANNA = {"number": "500 600 700", "first_name": "Anna", "fields": {"city": "Kraków"}}


async def add(gw: Running, **body: Any) -> dict[str, Any]:
    response = await gw.client.post("/v1/contacts", json={**ANNA, **body})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def imported(gw: Running, data: bytes, **params: Any) -> dict[str, Any]:
    response = await gw.client.post("/v1/contacts/import", content=data, params=params)
    assert response.status_code == 200, response.text
    summary: dict[str, Any] = response.json()
    return summary


async def test_a_contact_is_made_in_the_accounts_region_and_read_back(gw: Running) -> None:
    made = await add(gw, groups=["vip"])
    read = (await gw.client.get(f"/v1/contacts/{made['id']}")).json()
    assert read == made
    assert (read["number"], read["groups"], read["opted_out"]) == ("+48500600700", ["vip"], False)
    assert read["fields"] == {"city": "Kraków"}


async def test_a_second_contact_with_the_same_number_is_a_conflict(gw: Running) -> None:
    await add(gw)
    response = await gw.client.post("/v1/contacts", json={"number": "+48500600700"})
    assert error_of(response) == (409, "contact_exists", "number")


async def test_a_bad_contact_is_refused_with_the_field_named(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/contacts", json={"number": "+48500600700", "time_zone": "Mars/Base"}
    )
    assert error_of(response) == (400, "invalid_field", "time_zone")


async def test_putting_a_contact_replaces_its_fields_and_groups(gw: Running) -> None:
    made = await add(gw, groups=["vip"])
    put = await gw.client.put(
        f"/v1/contacts/{made['id']}",
        json={"number": "+48500600700", "last_name": "Nowak", "groups": ["staff"]},
    )
    assert put.status_code == 200
    body = put.json()
    assert (body["first_name"], body["last_name"], body["groups"], body["fields"]) == (
        "",
        "Nowak",
        ["staff"],
        {},
    )


async def test_a_removed_contact_is_gone_and_its_groups_stay(gw: Running) -> None:
    made = await add(gw, groups=["vip"])
    assert (await gw.client.delete(f"/v1/contacts/{made['id']}")).status_code == 204
    assert (await gw.client.get(f"/v1/contacts/{made['id']}")).status_code == 404
    groups = (await gw.client.get("/v1/groups")).json()["data"]
    assert [(g["name"], g["contacts"]) for g in groups] == [("vip", 0)]


async def test_another_accounts_contact_is_not_found(gw: Running) -> None:
    made = await add(gw)
    await gw.gateway.accounts.create_account("other")
    key = await gw.gateway.accounts.create_key("other")
    async with gw.as_key(key.token) as other:
        assert (await other.get(f"/v1/contacts/{made['id']}")).status_code == 404
        assert (await other.get("/v1/contacts")).json()["data"] == []


async def test_contacts_are_searched_by_part_of_a_name_or_number(gw: Running) -> None:
    await add(gw)
    await add(gw, number="+48500600701", first_name="Jan", last_name="ANNAN")
    await add(gw, number="+48600000000", first_name="Ola")
    by_name = (await gw.client.get("/v1/contacts", params={"q": "ann"})).json()["data"]
    by_number = (await gw.client.get("/v1/contacts", params={"q": "600000"})).json()["data"]
    assert [c["first_name"] for c in by_name] == ["Anna", "Jan"]
    assert [c["first_name"] for c in by_number] == ["Ola"]


async def test_a_search_for_like_wildcards_matches_them_literally(gw: Running) -> None:
    await add(gw, first_name="50%_off")
    await add(gw, number="+48500600701", first_name="Jan")
    found = (await gw.client.get("/v1/contacts", params={"q": "%_"})).json()["data"]
    assert [c["first_name"] for c in found] == ["50%_off"]


async def test_contacts_are_paged_with_a_cursor_and_filtered_by_group(gw: Running) -> None:
    for i in range(5):
        await add(gw, number=f"+4850060070{i}", groups=["even"] if i % 2 == 0 else [])
    first = (await gw.client.get("/v1/contacts", params={"limit": 3})).json()
    rest = (
        await gw.client.get("/v1/contacts", params={"limit": 3, "cursor": first["next_cursor"]})
    ).json()
    assert len(first["data"]) == 3 and len(rest["data"]) == 2 and rest["next_cursor"] is None
    even = (await gw.client.get("/v1/contacts", params={"group": "even"})).json()["data"]
    assert [c["number"][-1] for c in even] == ["0", "2", "4"]


async def test_a_contact_whose_number_opted_out_is_marked(gw: Running) -> None:
    made = await add(gw)
    await gw.client.put("/v1/opt-outs/+48500600700")
    assert (await gw.client.get(f"/v1/contacts/{made['id']}")).json()["opted_out"] is True


async def test_groups_are_made_renamed_filled_and_removed(gw: Running) -> None:
    made = await add(gw)
    assert (await gw.client.post("/v1/groups", json={"name": "vip"})).status_code == 201
    again = await gw.client.post("/v1/groups", json={"name": "vip"})
    assert error_of(again) == (409, "group_exists", "name")
    renamed = await gw.client.put("/v1/groups/vip", json={"name": "gold"})
    assert renamed.json()["name"] == "gold"
    added = await gw.client.post("/v1/groups/gold/contacts", json={"contacts": [made["id"]]})
    assert added.json() == {"added": 1}
    twice = await gw.client.post("/v1/groups/gold/contacts", json={"contacts": [made["id"]]})
    assert twice.json() == {"added": 0}
    out = await gw.client.delete(f"/v1/groups/gold/contacts/{made['id']}")
    assert out.status_code == 204
    assert (await gw.client.delete("/v1/groups/gold")).status_code == 204
    assert (await gw.client.get("/v1/groups")).json()["data"] == []


async def test_putting_an_unknown_contact_in_a_group_is_not_found(gw: Running) -> None:
    await gw.client.post("/v1/groups", json={"name": "vip"})
    response = await gw.client.post("/v1/groups/vip/contacts", json={"contacts": ["123"]})
    assert error_of(response)[:2] == (404, "not_found")


async def test_an_import_reports_each_bad_row_and_imports_the_rest(gw: Running) -> None:
    data = "Tel;Imię;Group\n500600700;Anna;vip\n12;Bad;\n500600700;Again;\n600700800;Jan;vip\n"
    summary = await imported(gw, data.encode(), map="Imię=first_name")
    assert summary == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "duplicates": [4],
        "rejected": 1,
        "errors": [{"line": 3, "field": "number", "reason": "too short"}],
    }
    groups = (await gw.client.get("/v1/groups")).json()["data"]
    assert [(g["name"], g["contacts"]) for g in groups] == [("vip", 2)]


async def test_importing_a_known_number_updates_only_the_columns_given(gw: Running) -> None:
    made = await add(gw, last_name="Nowak")
    summary = await imported(gw, b"phone,first_name,tier\n+48500600700,Ania,gold\n")
    assert (summary["created"], summary["updated"]) == (0, 1)
    body = (await gw.client.get(f"/v1/contacts/{made['id']}")).json()
    assert (body["first_name"], body["last_name"]) == ("Ania", "Nowak")
    assert body["fields"] == {"city": "Kraków", "tier": "gold"}


async def test_an_import_can_leave_known_contacts_alone(gw: Running) -> None:
    made = await add(gw)
    summary = await imported(gw, b"phone,first_name\n+48500600700,Ania\n", existing="skip")
    assert (summary["updated"], summary["unchanged"]) == (0, 1)
    assert (await gw.client.get(f"/v1/contacts/{made['id']}")).json()["first_name"] == "Anna"


async def test_an_xlsx_upload_from_a_browser_form_is_imported(gw: Running) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Mobile", "Name"])
    sheet.append([48500600700, "Anna"])
    out = io.BytesIO()
    book.save(out)
    response = await gw.client.post(
        "/v1/contacts/import",
        params={"group": "from-excel"},
        files={"file": ("book.xlsx", out.getvalue())},
    )
    assert response.json()["created"] == 1, response.text
    listed = (await gw.client.get("/v1/contacts", params={"group": "from-excel"})).json()
    assert listed["data"][0]["number"] == "+48500600700"


async def test_an_import_without_a_number_column_is_refused_whole(gw: Running) -> None:
    response = await gw.client.post(
        "/v1/contacts/import", content="name,city\nAnna,Gdańsk\n".encode()
    )
    assert error_of(response) == (400, "invalid_field", "map")


async def test_garbage_posted_as_a_file_is_a_clear_error(gw: Running) -> None:
    response = await gw.client.post("/v1/contacts/import", content=b"PK\x03\x04\xff\xfe garbage")
    assert error_of(response)[:2] == (400, "invalid_request")


async def test_an_export_is_a_csv_that_imports_back_unchanged(gw: Running) -> None:
    await add(gw, groups=["vip", "staff"])
    await add(gw, number="+48600700800", first_name="Jan", fields={"tier": "gold"})
    response = await gw.client.get("/v1/contacts/export")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [
        ["number", "first_name", "last_name", "time_zone", "groups", "opted_out", "city", "tier"],
        ["+48500600700", "Anna", "", "", "staff;vip", "", "Kraków", ""],
        ["+48600700800", "Jan", "", "", "", "", "", "gold"],
    ]
    again = await imported(gw, response.content)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


async def test_a_hundred_thousand_row_csv_is_imported(gw: Running) -> None:
    lines = ["phone,first_name,group"] + [f"+4850{i:07d},Name{i},g{i % 4}" for i in range(100_000)]
    started = time.monotonic()
    summary = await imported(gw, "\n".join(lines).encode())
    elapsed = time.monotonic() - started
    assert (summary["created"], summary["rejected"]) == (100_000, 0)
    groups = (await gw.client.get("/v1/groups")).json()["data"]
    assert [g["contacts"] for g in groups] == [25_000] * 4
    assert elapsed < 60  # a guard against a quadratic path, not the benchmark (bench/)
