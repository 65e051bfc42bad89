"""The SMPP client connector inside a running gateway, against the loopback carrier of
smpp_carrier.py: messages go out and come back delivered, refusals fail them with the SMPP
status, replies become inbound messages, and a connection cut with a full window in the air
loses nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

from smsgate.connectors.smpp import SmppConnector, SmppOptions
from smsgate.dispatch import dispatcher as dispatcher_module
from smsgate.smpp.constants import CommandStatus
from smsgate.smpp.pdu import DeliverSm, SubmitSmResp
from tests.integration.conftest import Running
from tests.integration.smpp_carrier import Carrier, eventually

Start = Callable[..., AsyncIterator[Running]]


def connector(carrier: Carrier, **options: Any) -> SmppConnector:
    return SmppConnector(
        "carrier",
        SmppOptions.model_validate(
            {
                "host": "127.0.0.1",
                "port": carrier.port,
                "system_id": "smsgate",
                "password": "secret",
                "submit_id_base": "hex",
                "reconnect_initial_s": 0.02,
                "reconnect_max_s": 0.1,
                **options,
            }
        ),
    )


async def send(gw: Running, text: str = "Hello", count: int = 1, **extra: Any) -> list[str]:
    response = await gw.client.post(
        "/v1/messages",
        json={"to": [f"+4850060{i:04d}" for i in range(count)], "text": text, **extra},
    )
    assert response.status_code == 201, response.text
    return [m["id"] for m in response.json()["messages"]]


async def test_a_message_goes_out_and_its_receipt_makes_it_delivered(
    gateway_with: Start, carrier: Carrier
) -> None:
    async for gw in gateway_with([connector(carrier)]):
        (message_id,) = await send(gw, "Kod: 1234 €")
        await eventually(lambda: len(carrier.submits) == 1)
        submit = carrier.submits[0]
        assert (submit.pdu.destination_addr, submit.pdu.short_message) == (
            "48500600000",
            b"Kod: 1234 \x1be",
        )
        await gw.wait_for_status(message_id, {"sent"})
        await carrier.deliver(carrier.receipt(submit.message_id or ""))
        body = await gw.wait_for_status(message_id, {"delivered"})
    assert body["part_details"][0]["upstream_id"] == "3000000000"


async def test_a_receipt_that_beats_its_submit_answer_still_makes_the_message_delivered(
    gateway_with: Start, carrier: Carrier
) -> None:
    carrier.hold = True
    async for gw in gateway_with([connector(carrier)]):
        (message_id,) = await send(gw)
        await eventually(lambda: len(carrier.submits) == 1)
        held = carrier.submits[0]
        await carrier.deliver(carrier.receipt(held.message_id or ""))
        held.connection.respond(
            SubmitSmResp(held.pdu.sequence_number, message_id=held.message_id or "")
        )
        body = await gw.wait_for_status(message_id, {"delivered"})
    assert body["part_details"][0]["status"] == "delivered"


async def test_a_long_message_sent_as_one_payload_is_delivered_by_its_one_receipt(
    gateway_with: Start, carrier: Carrier
) -> None:
    async for gw in gateway_with([connector(carrier, long_messages="payload")]):
        (message_id,) = await send(gw, "x" * 400)
        await eventually(lambda: len(carrier.submits) == 1)
        await gw.wait_for_status(message_id, {"sent"})
        await carrier.deliver(carrier.receipt(carrier.submits[0].message_id or ""))
        body = await gw.wait_for_status(message_id, {"delivered"})
    assert body["parts"] == 3


async def test_a_refused_message_fails_with_the_smpp_status_kept(
    gateway_with: Start, carrier: Carrier
) -> None:
    carrier.status = lambda n: CommandStatus.ESME_RINVDSTADR
    async for gw in gateway_with([connector(carrier)]):
        (message_id,) = await send(gw)
        body = await gw.wait_for_status(message_id, {"failed"})
    assert body["error"]["code"] == "smpp:0x0000000b"
    assert body["error"]["message"] == "ESME_RINVDSTADR: invalid destination address"


async def test_a_reply_through_the_carrier_is_an_inbound_message(
    gateway_with: Start, carrier: Carrier
) -> None:
    async for gw in gateway_with([connector(carrier)]):
        (message_id,) = await send(gw, sender="+48500000001")
        await gw.wait_for_status(message_id, {"sent"})
        mo = DeliverSm(
            source_addr_ton=1,
            source_addr="48500600000",
            dest_addr_ton=1,
            destination_addr="48500000001",
            short_message=b"Yes",
        )
        assert (await carrier.deliver(mo)).command_status == CommandStatus.ESME_ROK
        response = await gw.client.get("/v1/inbound")
    [reply] = response.json()["data"]
    assert (reply["from"], reply["text"], reply["reply_to"]) == ("+48500600000", "Yes", message_id)


async def test_a_cut_with_a_full_window_in_the_air_loses_nothing_and_repeats_at_most_the_window(
    gateway_with: Start, carrier: Carrier, monkeypatch: Any
) -> None:
    monkeypatch.setattr(dispatcher_module, "RETRY_BASE_MS", 50)
    carrier.hold = True
    async for gw in gateway_with([connector(carrier, window=10)]):
        ids = await send(gw, count=60)
        await eventually(lambda: len(carrier.submits) == 10)
        await asyncio.sleep(0.05)  # nothing more goes out while the window is full
        assert len(carrier.submits) == 10
        carrier.hold = False
        carrier.drop()
        for message_id in ids:
            await gw.wait_for_status(message_id, {"sent"})
    destinations = [s.pdu.destination_addr for s in carrier.submits]
    assert len(set(destinations)) == 60
    assert len(destinations) - 60 <= 10


async def test_messages_wait_in_the_queue_while_no_bind_is_up_without_using_their_attempts(
    gateway_with: Start, carrier: Carrier, monkeypatch: Any
) -> None:
    monkeypatch.setattr(dispatcher_module, "RETRY_BASE_MS", 10)
    monkeypatch.setattr(dispatcher_module, "MAX_ATTEMPTS", 2)
    carrier.password = "changed"  # the carrier refuses our binds: the connector stays down
    async for gw in gateway_with([connector(carrier, bind_wait_s=0.05)]):
        ids = await send(gw, count=3)
        await asyncio.sleep(1.5)  # long enough to use up the attempts, were they claimed
        for message_id in ids:
            body = (await gw.client.get(f"/v1/messages/{message_id}")).json()
            assert body["status"] == "queued"
        carrier.password = "secret"
        for message_id in ids:
            await gw.wait_for_status(message_id, {"sent"})
    assert len(carrier.submits) == 3
