"""node-smpp (npm `smpp` 0.5.1) as a carrier (SMSC) and as a customer (ESME).

The scripts are ours (tests/interop/node/); the SMPP implementation under them is not."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.interop.peers.process import HOST, Carrier, Event, JsonLinesPeer, running, unavailable

NODE_DIR = Path(__file__).resolve().parent.parent / "node"

# "id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…"; the text may hold spaces.
_RECEIPT_FIELD = re.compile(r"(id|sub|dlvrd|submit date|done date|stat|err):(\S*)", re.I)


def parse_receipt(text: str) -> dict[str, str]:
    """The fields of a receipt's text by lower-case name ("id", "stat", "submit date", …)."""
    body = re.search(r"\btext:", text, re.I)
    head = text[: body.start()] if body else text
    fields = {k.lower(): v for k, v in _RECEIPT_FIELD.findall(head)}
    fields["text"] = text[body.end() :] if body else ""
    return fields


def _require_node() -> str:
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "smpp" / "package.json").exists():
        unavailable("node-smpp is not installed (node, and npm ci in tests/interop/node)")
    return node


def _args(options: dict[str, Any]) -> list[str]:
    return [part for k, v in options.items() for part in (f"--{k}", str(v))]


class NodeSmsc(Carrier):
    """A carrier: `submits()` are the submit_sm it answered; it sends receipts and MOs."""

    name = "node-smpp SMSC"

    async def mo(
        self,
        sender: str,
        to: str,
        text: str | None = None,
        *,
        data_coding: int = 0,
        hex: str | None = None,
        system_id: str | None = None,
    ) -> None:
        """An inbound message (a plain deliver_sm) to a receiving bind, now or once one binds."""
        fields: dict[str, Any] = {"from": sender, "to": to, "data_coding": data_coding}
        fields.update({"text": text} if hex is None else {"hex": hex})
        if system_id is not None:
            fields["system_id"] = system_id
        await self.command("mo", **fields)

    async def receipt(self, message_id: str, stat: str = "DELIVRD", err: str = "000") -> None:
        """Send a receipt for an earlier submit (with receipts="never", the only ones sent)."""
        await self.command("receipt", message_id=message_id, stat=stat, err=err)

    async def drop(self) -> int:
        """Cut every connection at once, without unbind; how many there were."""
        dropped: int = (await self.command("drop"))["dropped"]
        return dropped

    async def configure(self, **state: Any) -> None:
        """Change behaviour on the fly: delay_ms, receipt_delay_ms, receipts ("requested",
        "always", "never"), receipt_tlvs (bool), reject_next (count), reject_status."""
        await self.command("config", **state)


@asynccontextmanager
async def node_smsc(
    *,
    system_id: str = "smsgate",
    password: str = "secret",
    id_format: str = "hex",
    receipt_id_format: str = "",
    id_pad: int = 0,
    delay_ms: int = 0,
    receipt_delay_ms: int = 0,
    receipts: str = "requested",
    receipt_tlvs: bool = True,
    throttle_first: int = 0,
) -> AsyncIterator[NodeSmsc]:
    """A node-smpp carrier listening on 127.0.0.1 on a free port (`smsc.port`)."""
    node = _require_node()
    options = {
        "system-id": system_id,
        "password": password,
        "id-format": id_format,
        "receipt-id-format": receipt_id_format,
        "id-pad": id_pad,
        "delay-ms": delay_ms,
        "receipt-delay-ms": receipt_delay_ms,
        "receipts": receipts,
        "receipt-tlvs": "on" if receipt_tlvs else "off",
        "throttle-first": throttle_first,
    }
    smsc = NodeSmsc([node, "smsc.js", *_args(options)], cwd=NODE_DIR)
    async with running(smsc, "listening") as listening:
        smsc.port = listening["port"]
        yield smsc


class NodeEsme(JsonLinesPeer):
    """A customer bound to an SMPP server; deliver_sm events carry a parsed `receipt`."""

    name = "node-smpp ESME"
    bind_status: int | None = None

    def decorate(self, event: Event) -> Event:
        if event.get("event") == "deliver_sm" and event.get("esm_class", 0) & 0x04:
            event["receipt"] = parse_receipt(event.get("text") or "")
        return event

    async def send(
        self,
        to: str,
        text: str | None = None,
        *,
        sender: str = "12345",
        data_coding: int | None = None,
        registered_delivery: int = 1,
        long: str = "udh",
        hex: str | None = None,
        esm_class: int = 0,
        tlvs: dict[str, Any] | None = None,
        command: str = "submit_sm",
    ) -> tuple[int, int]:
        """Write the submit_sm (one per part) without waiting for answers: (ref, parts).

        data_coding None is node-smpp's own choice: 1 for GSM text (its quirk), 3 Latin-1,
        8 UCS-2. long: "udh" (8-bit reference), "sar" (TLVs), "payload" (message_payload),
        "none" (one PDU whatever the length). `hex` sends those bytes as they are."""
        fields: dict[str, Any] = {
            "from": sender,
            "to": to,
            "data_coding": data_coding,
            "registered_delivery": registered_delivery,
            "long": long,
            "esm_class": esm_class,
            "tlvs": tlvs or {},
            "command": command,
        }
        fields.update({"text": text} if hex is None else {"hex": hex})
        done = await self.command("submit", **fields)
        return done["ref"], done["parts"]

    async def responses(self, ref: int, parts: int, timeout: float = 5.0) -> list[Event]:
        """The submit_sm_resp of one send, in part order."""
        found = await self.wait_many("submit_sm_resp", parts, timeout, ref=ref)
        return sorted(found, key=lambda e: e["part"])

    async def submit(
        self, to: str, text: str | None = None, timeout: float = 5.0, **kw: Any
    ) -> list[Event]:
        """send() and wait for every part's submit_sm_resp (command_status, message_id)."""
        ref, parts = await self.send(to, text, **kw)
        return await self.responses(ref, parts, timeout)

    def delivered(self, **fields: Any) -> list[Event]:
        return self.seen("deliver_sm", **fields)

    async def wait_delivered(
        self, count: int = 1, timeout: float = 5.0, **fields: Any
    ) -> list[Event]:
        return await self.wait_many("deliver_sm", count, timeout, **fields)

    async def deliver_status(self, command_status: int) -> None:
        """Answer later deliver_sm with this command_status (0 again to accept)."""
        await self.command("deliver_status", command_status=command_status)

    async def raw(self, hex: str) -> None:
        """Write bytes on the connection as they are (garbage, half PDUs)."""
        await self.command("raw", hex=hex)

    async def unbind(self, timeout: float = 5.0) -> Event:
        await self.command("unbind")
        return await self.wait_for("unbind_resp", timeout)


@asynccontextmanager
async def node_esme(
    port: int,
    *,
    host: str = HOST,
    system_id: str = "smsgate",
    password: str = "secret",
    system_type: str = "",
    mode: str = "transceiver",
    enquire_link_ms: int = 0,
    require_bound: bool = True,
    timeout: float = 5.0,
) -> AsyncIterator[NodeEsme]:
    """A node-smpp customer bound (mode: transceiver, transmitter, receiver) to host:port.

    With require_bound=False a refused bind is no error: see `esme.bind_status`."""
    node = _require_node()
    options = {
        "host": host,
        "port": port,
        "system-id": system_id,
        "password": password,
        "system-type": system_type,
        "mode": mode,
        "enquire-link-ms": enquire_link_ms,
    }
    esme = NodeEsme([node, "esme.js", *_args(options)], cwd=NODE_DIR)
    async with running(esme, "bound", timeout) as bound:
        esme.bind_status = bound["command_status"]
        if require_bound and esme.bind_status != 0:
            raise AssertionError(f"bind refused with command_status {esme.bind_status:#x}")
        yield esme
