"""/v1/campaigns: a send to groups, contacts and numbers, its releases, pause, resume, cancel
and progress, and a restart in the middle of a spread campaign, on each engine."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from smsgate.domain.hours import time_window
from smsgate.domain.limits import LimitOverrides
from smsgate.store.engine import Conn
from smsgate.store.schema import messages
from tests.integration.conftest import Clock, Running, settings_for, start_gateway
from tests.integration.connectors import RecordingConnector
from tests.integration.test_connectors_api import error_of

Start = Callable[..., Any]
AUDIENCE = [f"+48500600{i:03d}" for i in range(40)]
OUR_NUMBER = "+48500000001"  # the account's own: subscribers answer to it
# Subscribers of the simulator: half the messages undelivered, every delivered one answered,
# with thanks or with STOP (which opts them out).
ANSWERING = {
    "delivered": 1.0,
    "undelivered": 1.0,
    "reply_rate": 1.0,
    "reply_texts": ["Thanks", "STOP"],
    "reply_delay_ms": 10.0,
}


async def contact(gw: Running, number: str, **body: Any) -> None:
    response = await gw.client.post("/v1/contacts", json={"number": number, **body})
    assert response.status_code == 201, response.text


async def campaign(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/campaigns", json={"name": "winter sale", **body})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def stored(gw: Running, campaign_id: str, *columns: str) -> list[tuple[Any, ...]]:
    """`columns` of the campaign's messages (recipient, text, send_at and status without
    them), by recipient."""
    chosen = [messages.c[c] for c in columns or ("recipient", "text", "send_at", "status")]

    async def read(conn: Conn) -> list[tuple[Any, ...]]:
        rows = await conn.execute(
            select(*chosen)
            .where(messages.c.campaign_id == int(campaign_id))
            .order_by(messages.c.recipient)
        )
        return [tuple(r) for r in rows]

    return await gw.gateway.db.read(read)


async def priced(gw: Running, balance: str = "10") -> None:
    """The test account pays 0.10 a message to Poland, from `balance`."""
    await gw.gateway.billing.put_price_list("pl", "PLN", {"48": "0.10"})
    await gw.gateway.billing.set_terms("acme", price_list="pl")
    await gw.gateway.billing.top_up("acme", balance, "test")


async def quiet_at_night(gw: Running) -> None:
    """Quiet hours 22:00-07:00 UTC for the test account."""
    quiet = LimitOverrides(quiet=time_window("22:00-07:00", "UTC"))
    await gw.gateway.limits.set_overrides("acme", quiet)


async def paused(
    gw: Running, clock: Clock, campaign_id: str, since: str, until: str
) -> dict[str, Any]:
    """Pause the campaign at `since` and resume it at `until` (the clock standing there);
    the campaign as resuming answers."""
    clock.set(since)
    assert (await gw.client.post(f"/v1/campaigns/{campaign_id}/pause")).status_code == 200
    clock.set(until)
    resumed = await gw.client.post(f"/v1/campaigns/{campaign_id}/resume")
    assert resumed.status_code == 200, resumed.text
    body: dict[str, Any] = resumed.json()
    return body


async def progress_until(
    client: httpx.AsyncClient, campaign_id: str, done: Any, timeout: float = 10.0
) -> dict[str, Any]:
    for _ in range(int(timeout / 0.1)):
        body: dict[str, Any] = (await client.get(f"/v1/campaigns/{campaign_id}")).json()
        if done(body):
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"campaign not there in time: {body}")


async def test_each_member_gets_a_message_filled_from_their_contact(gw: Running) -> None:
    await contact(gw, "+48500600700", first_name="Anna", groups=["vip"])
    await contact(gw, "+48500600701", groups=["vip"])
    made = await campaign(
        gw.client, text="Hi {first_name|there}", groups=["vip"], to=["+48600700800"]
    )
    assert made["campaign"]["recipients"] == 3
    texts = [(to, text) for to, text, _, _ in await stored(gw, made["campaign"]["id"])]
    assert texts == [
        ("+48500600700", "Hi Anna"),
        ("+48500600701", "Hi there"),
        ("+48600700800", "Hi there"),
    ]


async def test_a_campaign_released_at_once_is_delivered_and_its_progress_counted(
    gw: Running,
) -> None:
    made = await campaign(gw.client, text="Sale", to=["+48500600700", "+48500600701"])
    body = await progress_until(
        gw.client, made["campaign"]["id"], lambda b: b["state"] == "finished"
    )
    assert (body["progress"]["delivered"], body["progress"]["scheduled"]) == (2, 0)


async def test_opted_out_recipients_and_bad_numbers_are_left_out_and_reported(
    gw: Running,
) -> None:
    await gw.client.put("/v1/opt-outs/+48500600701")
    made = await campaign(gw.client, text="Sale", to=["+48500600700", "+48500600701", "12"])
    assert (made["opted_out"], made["campaign"]["recipients"]) == (1, 1)
    assert made["refused"] == [{"to": "12", "error_code": "invalid_number", "error": "too short"}]


async def test_a_campaign_reaching_no_one_is_refused(gw: Running) -> None:
    await gw.client.put("/v1/opt-outs/+48500600700")
    response = await gw.client.post(
        "/v1/campaigns", json={"name": "x", "text": "Sale", "to": ["+48500600700"]}
    )
    assert error_of(response)[:2] == (400, "no_recipients")


async def test_a_delayed_start_schedules_every_message_that_far_ahead(gw: Running) -> None:
    made = await campaign(gw.client, text="Sale", to=["+48500600700"], start="+90")
    ((_, _, send_at, status),) = await stored(gw, made["campaign"]["id"])
    created = made["campaign"]["created_at"]
    assert status == "scheduled"
    assert made["campaign"]["starts_at"] > created
    assert abs(send_at - (_ms(created) + 90 * 60_000)) < 1000


async def test_a_spread_campaign_releases_even_batches(gw: Running) -> None:
    made = await campaign(
        gw.client, text="Sale", to=[f"+4850060070{i}" for i in range(6)], period=180, every=60
    )
    rows = await stored(gw, made["campaign"]["id"])
    later = sorted(at for _, _, at, status in rows if status == "scheduled")
    # The first batch is due at once (queued, or sent by now); the next two a minute apart.
    assert [status for _, _, _, status in rows].count("scheduled") == 4
    assert [t - later[0] for t in later] == [0, 0, 60_000, 60_000]


async def test_each_recipient_is_released_at_the_local_time_of_their_zone(gw: Running) -> None:
    await contact(gw, "+48500600700", time_zone="Europe/Warsaw", groups=["all"])
    await contact(gw, "+48500600701", groups=["all"])
    made = await campaign(
        gw.client,
        text="Sale",
        groups=["all"],
        local_start="2030-01-07T10:00:00",
        time_zone="America/New_York",
    )
    times = {to: at for to, _, at, _ in await stored(gw, made["campaign"]["id"])}
    assert times["+48500600700"] == _ms("2030-01-07T09:00:00Z")
    assert times["+48500600701"] == _ms("2030-01-07T15:00:00Z")


async def test_a_number_in_no_contact_takes_the_accounts_time_zone(gw: Running) -> None:
    await gw.gateway.limits.set_timezone("acme", "Europe/Warsaw")
    made = await campaign(
        gw.client, text="Sale", to=["+48500600700"], local_start="2030-01-07T10:00:00"
    )
    ((_, _, send_at, _),) = await stored(gw, made["campaign"]["id"])
    assert send_at == _ms("2030-01-07T09:00:00Z")


async def test_messages_wait_for_the_daily_hours(gw: Running) -> None:
    made = await campaign(
        gw.client,
        text="Sale",
        to=["+48500600700"],
        start="2030-01-07T22:00:00Z",
        hours="09:00-17:00",
    )
    ((_, _, send_at, _),) = await stored(gw, made["campaign"]["id"])
    assert send_at == _ms("2030-01-08T09:00:00Z")


async def test_a_release_in_the_accounts_quiet_hours_waits_for_their_end(gw: Running) -> None:
    await quiet_at_night(gw)
    made = await campaign(gw.client, text="Sale", to=["+48500600700"], start="2030-01-07T23:00:00Z")
    ((_, _, send_at, _),) = await stored(gw, made["campaign"]["id"])
    assert send_at == _ms("2030-01-08T07:00:00Z")


async def test_daily_hours_wholly_within_the_accounts_quiet_hours_are_refused(
    gw: Running,
) -> None:
    await quiet_at_night(gw)
    response = await gw.client.post(
        "/v1/campaigns",
        json={"name": "x", "text": "Sale", "to": ["+48500600700"], "hours": "23:00-23:30"},
    )
    assert error_of(response)[:3] == (400, "invalid_field", "hours")


async def test_a_paused_campaign_releases_nothing_until_resumed_later(gw: Running) -> None:
    made = await campaign(gw.client, text="Sale", to=["+48500600700"], start="+1")
    campaign_id = made["campaign"]["id"]
    ((_, _, due, _),) = await stored(gw, campaign_id)
    paused = await gw.client.post(f"/v1/campaigns/{campaign_id}/pause")
    assert paused.json()["state"] == "paused"
    await asyncio.sleep(0.3)
    resumed = await gw.client.post(f"/v1/campaigns/{campaign_id}/resume")
    assert resumed.json()["state"] == "running"
    ((_, _, later, status),) = await stored(gw, campaign_id)
    assert status == "scheduled"
    assert later >= due + 300


async def test_a_campaign_resumed_after_its_daily_hours_closed_waits_for_the_next_opening(
    gw: Running, clock: Clock
) -> None:
    clock.set("2030-01-07T15:00:00Z")
    made = await campaign(
        gw.client,
        text="Sale",
        to=["+48500600700"],
        start="2030-01-07T16:30:00Z",
        hours="09:00-17:00",
    )
    campaign_id = made["campaign"]["id"]
    resumed = await paused(gw, clock, campaign_id, "2030-01-07T16:00:00Z", "2030-01-07T18:00:00Z")
    ((_, _, send_at, status),) = await stored(gw, campaign_id)
    assert (status, send_at) == ("scheduled", _ms("2030-01-08T09:00:00Z"))
    assert resumed["ends_at"] == "2030-01-08T09:00:00Z"


async def test_a_campaign_resumed_into_the_accounts_quiet_hours_waits_for_their_end(
    gw: Running, clock: Clock
) -> None:
    await quiet_at_night(gw)
    clock.set("2030-01-07T20:00:00Z")
    made = await campaign(gw.client, text="Sale", to=["+48500600700"], start="2030-01-07T21:30:00Z")
    campaign_id = made["campaign"]["id"]
    await paused(gw, clock, campaign_id, "2030-01-07T21:00:00Z", "2030-01-07T22:00:00Z")
    ((_, _, send_at, _),) = await stored(gw, campaign_id)
    assert send_at == _ms("2030-01-08T07:00:00Z")


async def released_by(gw: Running, clock: Clock, moment: str, campaign_id: str) -> int:
    """Move the clock on to `moment`; how many of the campaign's messages are released once
    the scheduler has looked at the store then. A message of another send due at that moment
    shows it has: the look that releases it releases everything due by then. It returns once
    every message released is recorded sent: the next move of the clock jumps past the
    leases of any still in flight, which would hand them out again."""
    marker = await gw.client.post(
        "/v1/messages", json={"to": ["+48600700800"], "text": moment, "send_at": moment}
    )
    assert marker.json()["status"] == "scheduled", marker.text
    clock.set(moment)
    gw.gateway.dispatcher.wake_scheduler()
    await gw.wait_for_status(marker.json()["messages"][0]["id"], {"sent"})
    for _ in range(500):
        statuses = [status for (status,) in await stored(gw, campaign_id, "status")]
        if "queued" not in statuses:
            return sum(status == "sent" for status in statuses)
        await asyncio.sleep(0.02)
    raise AssertionError(f"released messages not sent: {statuses}")


async def test_a_spread_campaign_in_daily_hours_is_released_batch_by_batch_as_the_clock_moves(
    gateway_with: Start, clock: Clock
) -> None:
    upstream = RecordingConnector()
    async for gw in gateway_with([upstream]):
        clock.set("2030-01-07T08:50:00Z")  # a Monday, before the hours open
        made = await campaign(
            gw.client, text="Sale", to=AUDIENCE[:8], hours="09:00-10:00", period=7200, every=1800
        )
        campaign_id = made["campaign"]["id"]
        # Four batches of two, half an hour apart in the hours: two today, two tomorrow.
        seen = {
            moment: await released_by(gw, clock, moment, campaign_id)
            for moment in (
                "2030-01-07T08:59:59Z",
                "2030-01-07T09:00:00Z",
                "2030-01-07T09:29:59Z",
                "2030-01-07T09:30:00Z",
                "2030-01-07T12:00:00Z",  # the hours closed: the third batch waits
                "2030-01-08T08:59:59Z",
                "2030-01-08T09:00:00Z",
                "2030-01-08T09:30:00Z",
            )
        }
        rows = await stored(gw, campaign_id, "id", "send_at", "queued_at")
    assert list(seen.values()) == [0, 2, 2, 4, 4, 4, 6, 8]
    assert sorted(at for _, at, _ in rows) == [
        _ms(f"2030-01-{day}T{hour}:00Z")
        for day in ("07", "08")
        for hour in ("09:00", "09:30")
        for _ in range(2)
    ]
    assert all(queued_at == send_at for _, send_at, queued_at in rows)  # none early or late
    ours = {message_id for message_id, _, _ in rows}
    submitted = [m.id for m in upstream.submitted if m.id in ours]
    assert sorted(submitted) == sorted(ours)  # each once


async def test_a_paused_campaign_holds_back_messages_already_due(gw: Running) -> None:
    made = await campaign(gw.client, text="Sale", to=["+48500600700"], start="+1")
    campaign_id = made["campaign"]["id"]
    await gw.client.post(f"/v1/campaigns/{campaign_id}/pause")

    async def due_now(conn: Conn) -> None:
        await conn.execute(
            messages.update().where(messages.c.campaign_id == int(campaign_id)).values(send_at=0)
        )

    await gw.gateway.db.write(lambda tx: due_now(tx.conn))
    await asyncio.sleep(1.5)  # the scheduler looks at least every second
    assert [s for _, _, _, s in await stored(gw, campaign_id)] == ["scheduled"]


async def test_canceling_a_campaign_cancels_what_it_has_not_sent_and_refunds_it(
    gw: Running,
) -> None:
    await priced(gw, balance="1")
    made = await campaign(gw.client, text="Sale", to=["+48500600700", "+48500600701"], start="+5")
    assert (await gw.client.get("/v1/balance")).json()["balance"] == "0.8"
    campaign_id = made["campaign"]["id"]
    canceled = (await gw.client.post(f"/v1/campaigns/{campaign_id}/cancel")).json()
    assert (canceled["canceled"], canceled["campaign"]["state"]) == (2, "canceled")
    assert canceled["campaign"]["progress"]["cost"] == "0"
    assert (await gw.client.get("/v1/balance")).json()["balance"] == "1"
    again = await gw.client.post(f"/v1/campaigns/{campaign_id}/pause")
    assert error_of(again)[:2] == (409, "campaign_state")


async def test_the_progress_counts_outcomes_replies_opt_outs_and_cost(gateway_with: Start) -> None:
    async for gw in gateway_with(**ANSWERING):
        await gw.gateway.senders.assign_number("acme", OUR_NUMBER)
        await priced(gw)
        made = await campaign(gw.client, text="Sale", to=AUDIENCE, sender=OUR_NUMBER)
        body = await progress_until(
            gw.client,
            made["campaign"]["id"],
            lambda b: (
                b["state"] == "finished" and b["progress"]["replies"] == b["progress"]["delivered"]
            ),
            timeout=15,
        )
        outcomes = Counter(status for *_, status in await stored(gw, made["campaign"]["id"]))
        answers = (await gw.client.get("/v1/inbound")).json()["data"]
    assert all(a["reply_to"] for a in answers)  # every one answers a message of the campaign
    stops = sum(a["keyword"] == "stop" for a in answers)
    assert body["progress"] == {
        "scheduled": 0,
        "queued": 0,
        "sent": 0,
        "delivered": outcomes["delivered"],
        "failed": outcomes["undelivered"],
        "canceled": 0,
        "replies": len(answers),
        "opt_outs": stops,
        "cost": "4",  # 40 at 0.10: an undelivered message is paid for when submitted
    }
    assert outcomes["undelivered"] > 0 and 0 < stops < len(answers)


async def test_the_progress_counts_messages_waiting_for_a_connector_then_sent(
    gateway_with: Start,
) -> None:
    upstream = RecordingConnector()  # reports nothing: what it takes stays sent
    async for gw in gateway_with([upstream]):
        await gw.gateway.dispatcher.remove(upstream.name)
        made = await campaign(gw.client, text="Sale", to=AUDIENCE[:3])
        waiting = made["campaign"]["progress"]
        await gw.gateway.dispatcher.add(upstream)
        body = await progress_until(
            gw.client, made["campaign"]["id"], lambda b: b["progress"]["sent"] == 3
        )
    assert (waiting["queued"], waiting["sent"]) == (3, 0)
    assert (body["progress"]["queued"], body["state"]) == (0, "running")


async def test_the_progress_stream_follows_each_change_until_every_message_is_settled(
    gw: Running,
) -> None:
    numbers = AUDIENCE[:6]
    made = await campaign(gw.client, text="Sale", to=numbers, period=4, every=2)
    names, events = [], []
    async with gw.client.stream("GET", f"/v1/campaigns/{made['campaign']['id']}/stream") as s:
        async for line in s.aiter_lines():
            if line.startswith("event:"):
                names.append(line)
            elif line.startswith("data:"):
                events.append(json.loads(line.removeprefix("data:")))
    assert set(names) == {"event: progress"} and len(events) == len(names) > 1
    assert {e["id"] for e in events} == {made["campaign"]["id"]}
    assert events[0]["progress"]["scheduled"] == 3  # the second batch, two seconds later
    assert (events[-1]["state"], events[-1]["progress"]["delivered"]) == ("finished", 6)
    delivered = [e["progress"]["delivered"] for e in events]
    assert delivered == sorted(delivered)
    assert all(a != b for a, b in pairwise(events))  # only changes


async def test_another_accounts_campaign_is_not_found(gw: Running) -> None:
    made = await campaign(gw.client, text="Sale", to=["+48500600700"], start="+5")
    await gw.gateway.accounts.create_account("other")
    key = await gw.gateway.accounts.create_key("other")
    async with gw.as_key(key.token) as other:
        response = await other.get(f"/v1/campaigns/{made['campaign']['id']}")
    assert response.status_code == 404


async def test_a_restart_in_the_middle_of_a_spread_campaign_loses_and_repeats_nothing(
    database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(database_url, tmp_path)
    numbers = [f"+4850060070{i}" for i in range(6)]
    async for gw in start_gateway(settings):
        made = await campaign(gw.client, text="Sale", to=numbers, period=3, every=1)
        campaign_id = made["campaign"]["id"]
        await asyncio.sleep(1.2)  # a batch or two released, the rest to come
    async for gw in start_gateway(settings):  # the same store, a new process
        body = await progress_until(
            gw.client, campaign_id, lambda b: b["state"] == "finished", timeout=15
        )
        rows = await stored(gw, campaign_id)
    assert body["progress"]["delivered"] == 6
    assert sorted(to for to, _, _, _ in rows) == numbers


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)
