"""/v1/templates and the preview of a send: each recipient's text, parts and price, on each
engine."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import Running
from tests.integration.test_connectors_api import error_of


async def contact(gw: Running, number: str, **body: Any) -> str:
    response = await gw.client.post("/v1/contacts", json={"number": number, **body})
    assert response.status_code == 201, response.text
    contact_id: str = response.json()["id"]
    return contact_id


async def preview(gw: Running, **body: Any) -> dict[str, Any]:
    response = await gw.client.post("/v1/templates/preview", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_a_template_is_stored_with_the_fields_it_asks_for(gw: Running) -> None:
    put = await gw.client.put("/v1/templates/welcome", json={"text": "Hi {first_name|there}"})
    assert put.status_code == 200
    read = (await gw.client.get("/v1/templates/welcome")).json()
    assert (read["text"], read["fields"]) == ("Hi {first_name|there}", ["first_name"])
    listed = (await gw.client.get("/v1/templates")).json()["data"]
    assert [t["name"] for t in listed] == ["welcome"]


async def test_putting_a_template_again_replaces_its_text(gw: Running) -> None:
    await gw.client.put("/v1/templates/welcome", json={"text": "one"})
    await gw.client.put("/v1/templates/welcome", json={"text": "two"})
    assert (await gw.client.get("/v1/templates/welcome")).json()["text"] == "two"


async def test_a_malformed_template_is_refused_with_the_reason(gw: Running) -> None:
    response = await gw.client.put("/v1/templates/bad", json={"text": "Hi {First Name}"})
    status, code, field = error_of(response)
    assert (status, code, field) == (400, "invalid_field", "text")
    assert "{{" in response.json()["error"]["message"]


async def test_a_removed_template_is_not_found(gw: Running) -> None:
    await gw.client.put("/v1/templates/welcome", json={"text": "Hi"})
    assert (await gw.client.delete("/v1/templates/welcome")).status_code == 204
    assert (await gw.client.get("/v1/templates/welcome")).status_code == 404


async def test_the_preview_fills_each_recipients_text_and_counts_its_parts(gw: Running) -> None:
    await contact(gw, "+48500600700", first_name="Anna", groups=["vip"])
    await contact(gw, "+48500600701", first_name="Żaneta", groups=["vip"])
    await gw.client.put("/v1/templates/welcome", json={"text": "Hello {first_name|there}!"})
    answer = await preview(gw, template="welcome", groups=["vip"], to=["+48600700800"])
    assert answer["fields"] == ["first_name"]
    assert answer["recipients"] == 3
    assert [(r["to"], r["text"], r["encoding"], r["parts"]) for r in answer["data"]] == [
        ("+48500600700", "Hello Anna!", "gsm7", 1),
        ("+48500600701", "Hello Żaneta!", "ucs2", 1),
        ("+48600700800", "Hello there!", "gsm7", 1),
    ]


async def test_the_preview_prices_each_recipient(gw: Running) -> None:
    await gw.gateway.billing.put_price_list("pl", "PLN", {"48": "0.16"})
    await gw.gateway.billing.set_terms("acme", price_list="pl")
    answer = await preview(gw, text="x" * 200, to=["+48500600700", "+4915112345678"])
    assert answer["currency"] == "PLN"
    assert [(r.get("parts"), r.get("price"), r.get("error_code")) for r in answer["data"]] == [
        (2, "0.32", None),
        (None, None, "no_price"),
    ]


async def test_the_preview_names_placeholders_a_recipient_has_no_value_for(
    gw: Running,
) -> None:
    await contact(gw, "+48500600700", first_name="Anna")
    answer = await preview(gw, text="{first_name} in {city}", to=["+48500600700"])
    assert answer["data"][0]["missing"] == ["city"]


async def test_an_opted_out_recipient_is_shown_as_refused(gw: Running) -> None:
    await contact(gw, "+48500600700", groups=["vip"])
    await gw.client.put("/v1/opt-outs/+48500600700")
    answer = await preview(gw, text="Sale", groups=["vip"])
    assert (answer["opted_out"], answer["data"][0]["error_code"]) == (1, "opted_out")


async def test_a_number_given_twice_or_in_a_group_is_counted_once(gw: Running) -> None:
    contact_id = await contact(gw, "+48500600700", groups=["vip"])
    answer = await preview(
        gw, text="Hi", groups=["vip"], contacts=[contact_id], to=["500600700", "+48500600700"]
    )
    assert answer["recipients"] == 1


async def test_a_number_that_is_not_one_is_listed_by_its_place(gw: Running) -> None:
    answer = await preview(gw, text="Hi", to=["+48500600700", "12"])
    assert answer["rejected"] == [
        {"index": 1, "to": "12", "error_code": "invalid_number", "error": "too short"}
    ]


async def test_a_preview_of_an_unknown_group_is_not_found(gw: Running) -> None:
    response = await gw.client.post("/v1/templates/preview", json={"text": "Hi", "groups": ["x"]})
    assert error_of(response) == (404, "not_found", "groups")


async def test_a_preview_takes_a_template_or_a_text_not_both(gw: Running) -> None:
    await gw.client.put("/v1/templates/welcome", json={"text": "Hi"})
    response = await gw.client.post(
        "/v1/templates/preview", json={"template": "welcome", "text": "Hi", "to": ["+48500600700"]}
    )
    assert error_of(response)[:2] == (400, "invalid_field")


async def test_a_preview_sends_and_stores_nothing(gw: Running) -> None:
    await preview(gw, text="Hi", to=["+48500600700"])
    assert (await gw.client.get("/v1/messages")).json()["data"] == []
