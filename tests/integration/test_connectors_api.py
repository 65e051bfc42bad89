"""/v1/admin/connectors: connectors managed while the gateway runs, on each engine."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from smsgate.config import ConnectorConfig, Settings
from smsgate.connectors.base import Connector
from smsgate.connectors.registry import MASK
from smsgate.services.connectors import ConnectorService, configured_connectors
from smsgate.smpp.constants import CommandStatus
from smsgate.smpp.pdu import SubmitSmResp
from smsgate.store.database import Database
from tests.integration.conftest import Running, settings_for, start_gateway
from tests.integration.connectors import RecordingConnector
from tests.integration.smpp_carrier import Carrier, eventually
from tests.integration.test_dispatch import wait_until

TOKEN = "admin-secret"
FAST = {"submit_latency_ms": 0, "report_delay_ms": 10, "seed": 1}
Start = Callable[..., AsyncIterator[Running]]


@pytest.fixture
def admin_gateway(database_url: str, tmp_path: Path) -> Start:
    """`async for gw in admin_gateway(connectors=..., **settings)`: a gateway with the admin
    API on (token TOKEN)."""

    def start(
        connectors: list[Connector] | None = None, **overrides: Any
    ) -> AsyncIterator[Running]:
        settings = settings_for(database_url, tmp_path).model_copy(
            update={"admin_token": SecretStr(TOKEN), **overrides}
        )
        return start_gateway(settings, connectors)

    return start


def admin(gw: Running) -> httpx.AsyncClient:
    return gw.as_key(TOKEN)


def error_of(response: httpx.Response) -> tuple[int, str, str | None]:
    error = response.json()["error"]
    return response.status_code, error["code"], error.get("field")


async def add(gw: Running, name: str, **body: Any) -> httpx.Response:
    async with admin(gw) as client:
        return await client.post(
            "/v1/admin/connectors",
            json={"name": name, "kind": "simulator", "options": FAST, **body},
        )


async def call(gw: Running, method: str, path: str) -> httpx.Response:
    async with admin(gw) as client:
        return await client.request(method, f"/v1/admin/connectors{path}")


_texts = itertools.count()


async def send_one(gw: Running, to: str = "+48500600700") -> str:
    """A send of its own text: the same request twice would be refused as a duplicate."""
    text = f"hi {next(_texts)}"
    response = await gw.client.post("/v1/messages", json={"to": [to], "text": text})
    assert response.status_code == 201, response.text
    message_id: str = response.json()["messages"][0]["id"]
    return message_id


def running(gw: Running, name: str) -> Callable[[], bool]:
    return lambda: name in gw.gateway.dispatcher.statuses()


async def test_the_admin_api_is_off_without_an_admin_token(gw: Running) -> None:
    async with gw.as_key(TOKEN) as client:
        response = await client.get("/v1/admin/connectors")
    assert error_of(response) == (403, "admin_disabled", None)
    assert "SMSGATE_ADMIN_TOKEN" in response.json()["error"]["message"]


async def test_a_wrong_admin_token_is_unauthorized_even_with_a_bad_body(
    admin_gateway: Start,
) -> None:
    async for gw in admin_gateway():
        async with gw.as_key("wrong") as client:
            listed = await client.get("/v1/admin/connectors")
            added = await client.post("/v1/admin/connectors", content=b"{")
    assert error_of(listed) == (401, "unauthorized", None)
    assert error_of(added) == (401, "unauthorized", None)


async def test_the_config_simulator_is_listed_up_with_its_live_state(admin_gateway: Start) -> None:
    async for gw in admin_gateway():
        async with admin(gw) as client:
            body = (await client.get("/v1/admin/connectors")).json()
    (simulator,) = body["data"]
    assert (simulator["name"], simulator["kind"], simulator["source"]) == (
        "simulator",
        "simulator",
        "config",
    )
    assert simulator["enabled"] is True and simulator["state"] == "up"
    (node,) = simulator["nodes"]
    assert node["node"] == "node-0" and node["stale"] is False
    assert node["status"]["window"] == 100 and node["status"]["in_flight"] == 0
    assert body["orphaned"] == {}


async def test_a_connector_added_at_run_time_receives_messages(admin_gateway: Start) -> None:
    async for gw in admin_gateway(default_connector="carrier"):
        before = await send_one(gw)
        added = await add(gw, "carrier")
        after = await send_one(gw)
        delivered = await gw.wait_for_status(after, {"delivered"})
        first = await gw.wait_for_status(before, {"delivered"})
        shown = (await call(gw, "GET", "/carrier")).json()
    assert added.status_code == 201, added.text
    assert added.json()["source"] == "database" and added.json()["state"] == "up"
    assert first["connector"] == "simulator"
    assert delivered["connector"] == "carrier"
    assert shown["options"] == FAST and shown["created_at"] is not None


async def test_bad_options_are_refused_naming_each_option(admin_gateway: Start) -> None:
    async for gw in admin_gateway():
        response = await add(gw, "carrier", options={"window": 0, "hots": "x"})
        listed = (await call(gw, "GET", "")).json()["data"]
    assert error_of(response) == (400, "invalid_field", "options.window")
    message = response.json()["error"]["message"]
    assert "options.window: Input should be greater than or equal to 1" in message
    assert "options.hots: unknown option" in message
    assert [c["name"] for c in listed] == ["simulator"]


async def test_an_unknown_kind_is_refused(admin_gateway: Start) -> None:
    async for gw in admin_gateway():
        response = await add(gw, "carrier", kind="pigeon")
    assert error_of(response) == (400, "invalid_field", "kind")
    assert "simulator" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b"not json",
        b'{"name": "x"}',
        b'{"name": "x", "kind": "simulator", "options": []}',
        b'{"name": "a b", "kind": "simulator"}',
        b'{"name": "x", "kind": "simulator", "colour": "red"}',
        b'{"name": "x", "kind": 5}',
        b'{"name": "x", "kind": "simulator", "options": {"reply_texts": {"a": 1}}}',
    ],
)
async def test_a_malformed_add_is_a_client_error(admin_gateway: Start, body: bytes) -> None:
    async for gw in admin_gateway():
        async with admin(gw) as client:
            response = await client.post(
                "/v1/admin/connectors",
                content=body,
                headers={"Content-Type": "application/json"},
            )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] in {"invalid_request", "invalid_field"}


async def test_a_name_is_unique_across_the_config_file_and_the_store(admin_gateway: Start) -> None:
    async for gw in admin_gateway():
        config_name = await add(gw, "simulator")
        await add(gw, "carrier")
        again = await add(gw, "carrier")
    assert error_of(config_name) == (409, "connector_exists", "name")
    assert error_of(again) == (409, "connector_exists", "name")


async def test_a_config_file_connector_cannot_be_removed_through_the_api(
    admin_gateway: Start,
) -> None:
    async for gw in admin_gateway():
        response = await call(gw, "DELETE", "/simulator")
    assert error_of(response) == (409, "connector_in_config", None)


async def test_a_removed_connector_is_gone_and_its_queue_is_shown_orphaned(
    admin_gateway: Start,
) -> None:
    async for gw in admin_gateway(default_connector="carrier"):
        await call(gw, "POST", "/simulator/disable")
        await add(gw, "carrier", enabled=False)
        await send_one(gw)  # nothing runs: it waits for the preferred connector
        removed = await call(gw, "DELETE", "/carrier")
        missing = await call(gw, "GET", "/carrier")
        listing = (await call(gw, "GET", "")).json()
    assert removed.status_code == 204
    assert error_of(missing) == (404, "not_found", None)
    assert listing["orphaned"] == {"carrier": 1}


async def test_disabling_a_connector_stops_its_lane_and_routes_new_messages_elsewhere(
    admin_gateway: Start,
) -> None:
    async for gw in admin_gateway(default_connector="carrier"):
        await add(gw, "carrier")
        disabled = await call(gw, "POST", "/carrier/disable")
        running = set(gw.gateway.dispatcher.statuses())
        message = await gw.wait_for_status(await send_one(gw), {"delivered"})
    assert disabled.status_code == 200
    assert (disabled.json()["enabled"], disabled.json()["state"]) == (False, "disabled")
    assert running == {"simulator"}
    assert message["connector"] == "simulator"


async def test_messages_wait_for_a_disabled_connector_and_go_once_it_is_enabled(
    admin_gateway: Start,
) -> None:
    async for gw in admin_gateway():
        await call(gw, "POST", "/simulator/disable")
        message_id = await send_one(gw)
        await asyncio.sleep(0.3)
        waiting = (await gw.client.get(f"/v1/messages/{message_id}")).json()["status"]
        queued = (await call(gw, "GET", "/simulator")).json()["queued"]
        enabled = await call(gw, "POST", "/simulator/enable")
        delivered = await gw.wait_for_status(message_id, {"delivered"})
    assert (waiting, queued) == ("queued", 1)
    assert enabled.json()["enabled"] is True
    assert delivered["connector"] == "simulator"


async def test_a_disable_waits_for_submits_in_flight_and_leaves_the_rest_queued(
    admin_gateway: Start,
) -> None:
    upstream = RecordingConnector(latency=0.3, window=4)
    async for gw in admin_gateway([upstream]):
        response = await gw.client.post(
            "/v1/messages", json={"to": [f"+4850060{i:04d}" for i in range(8)], "text": "x"}
        )
        ids = [m["id"] for m in response.json()["messages"]]
        await wait_until(lambda: upstream.in_flight == 4)
        await call(gw, "POST", "/upstream/disable")
        statuses = [(await gw.client.get(f"/v1/messages/{i}")).json()["status"] for i in ids]
        submitted = len(upstream.submitted)
    assert submitted == 4
    assert sorted(statuses) == ["queued"] * 4 + ["sent"] * 4


async def test_a_connector_added_on_the_database_reaches_the_running_server(
    admin_gateway: Start, database_url: str, tmp_path: Path
) -> None:
    """As `smsgate connectors add` does it: straight on the store, no API call."""
    async for gw in admin_gateway():
        db = Database(database_url)
        await db.open()
        try:
            settings = gw.gateway.settings
            await ConnectorService(db, configured_connectors(settings)).add(
                "carrier", "simulator", FAST
            )
        finally:
            await db.close()
        await wait_until(running(gw, "carrier"))


async def test_config_file_connectors_run_and_the_default_one_takes_the_messages(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_url,
        admin_token=SecretStr(TOKEN),
        default_connector="b",
        connectors=[
            ConnectorConfig(name="a", kind="simulator", **FAST),
            ConnectorConfig(name="b", kind="simulator", window=7, **FAST),
            ConnectorConfig(name="c", kind="simulator", enabled=False),
        ],
    )
    async for gw in start_gateway(settings):
        message = await gw.wait_for_status(await send_one(gw), {"delivered"})
        listed = (await call(gw, "GET", "")).json()["data"]
    assert message["connector"] == "b"
    assert [(c["name"], c["source"], c["state"]) for c in listed] == [
        ("a", "config", "up"),
        ("b", "config", "up"),
        ("c", "config", "disabled"),
    ]
    assert listed[1]["nodes"][0]["status"]["window"] == 7


def smpp_options(carrier: Carrier, **options: Any) -> dict[str, Any]:
    return {
        "host": "127.0.0.1",
        "port": carrier.port,
        "system_id": carrier.system_id,
        "password": carrier.password,
        "reconnect_initial_s": 0.02,
        "reconnect_max_s": 0.1,
        **options,
    }


async def test_an_smpp_connector_added_through_the_api_is_listed_bound_with_window_use_and_errors(
    admin_gateway: Start, carrier: Carrier
) -> None:
    carrier.status = lambda n: CommandStatus.ESME_RINVDSTADR if n == 1 else CommandStatus.ESME_ROK
    async for gw in admin_gateway(default_connector="carrier"):
        options = smpp_options(carrier, binds=2, window=5)
        added = await add(gw, "carrier", kind="smpp", options=options)
        refused = await gw.wait_for_status(await send_one(gw), {"failed"})
        carrier.hold = True
        await send_one(gw)
        await eventually(lambda: len(carrier.submits) == 2 and len(carrier.bound()) == 2)
        await gw.gateway.reconciler.refresh()  # the node's report, due within 2 s, now
        shown = (await call(gw, "GET", "")).json()["data"]
        held = carrier.submits[1]
        held.connection.respond(SubmitSmResp(held.pdu.sequence_number, message_id="held"))
    assert added.status_code == 201, added.text
    assert refused["error"]["code"] == "smpp:0x0000000b"
    assert [c["name"] for c in shown] == ["simulator", "carrier"]
    listed = shown[1]
    assert (listed["kind"], listed["source"], listed["state"]) == ("smpp", "database", "up")
    assert listed["options"]["password"] == MASK
    (node,) = listed["nodes"]
    status = node["status"]
    assert [(b["mode"], b["state"]) for b in status["binds"]] == [("transceiver", "bound")] * 2
    assert sum(b["in_flight"] for b in status["binds"]) == 1
    assert (status["window"], status["in_flight"]) == (10, 1)
    assert (status["submitted"], status["submit_errors"]) == (0, 1)
    assert "ESME_RINVDSTADR" in status["last_error"]
    assert status["counters"]["submit_errors.smpp:0x0000000b"] == 1


async def test_an_smpp_connector_unbinds_when_disabled_binds_when_enabled_and_goes_when_removed(
    admin_gateway: Start, carrier: Carrier
) -> None:
    async for gw in admin_gateway():
        await add(gw, "carrier", kind="smpp", options=smpp_options(carrier))
        await eventually(lambda: len(carrier.bound()) == 1)
        disabled = await call(gw, "POST", "/carrier/disable")
        await eventually(lambda: not carrier.bound())
        enabled = await call(gw, "POST", "/carrier/enable")
        await eventually(lambda: len(carrier.bound()) == 1)
        removed = await call(gw, "DELETE", "/carrier")
        await eventually(lambda: not carrier.bound())
        listed = (await call(gw, "GET", "")).json()["data"]
    assert (disabled.json()["enabled"], disabled.json()["state"]) == (False, "disabled")
    assert enabled.json()["enabled"] is True
    assert removed.status_code == 204
    assert [c["name"] for c in listed] == ["simulator"]
    assert len(carrier.binds) == 2  # one before the disable, one after the enable


async def test_the_openapi_document_describes_the_admin_routes(admin_gateway: Start) -> None:
    async for gw in admin_gateway():
        async with gw.anonymous() as client:
            paths = (await client.get("/openapi.json")).json()["paths"]
    assert {"get", "post"} <= set(paths["/v1/admin/connectors"])
    assert {"get", "delete"} <= set(paths["/v1/admin/connectors/{name}"])
    assert "post" in paths["/v1/admin/connectors/{name}/enable"]
    assert "post" in paths["/v1/admin/connectors/{name}/disable"]
