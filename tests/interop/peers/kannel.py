"""Kannel 1.4.5 (Debian `kannel`: bearerbox + smsbox) as a customer (ESME) of an SMPP server.

Kannel binds as a transceiver to host:port; a test sends through its HTTP sendsms, and Kannel
calls back the dlr-url (for delivery reports) and the MO url (for inbound messages) on a local
HTTP server of ours (tests/integration/receiver.py). Its ports come from free_port(): Kannel
cannot listen on port 0."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import shutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx

from tests.integration.receiver import Receiver
from tests.interop.peers.process import HOST, end_group, unavailable
from tests.ports import free_port

SMSC_ID = "smsgate"
USERNAME, PASSWORD = "tester", "foobar"
ADMIN_PASSWORD = "adminpw"

# Kannel's escapes: %d DLR type, %A the SMSC's report text, %F its message id, %i smsc-id,
# %p sender, %P receiver; for MO also %a text, %b raw bytes, %c coding, %u UDH.
DLR_QUERY = "type=%d&smsc=%i&reply=%A&foreign_id=%F&from=%p&to=%P"
MO_QUERY = "from=%p&to=%P&text=%a&binary=%b&coding=%c&udh=%u&smsc=%i"


def _binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if found is None:
        unavailable("Kannel is not installed (apt-get install kannel)")
    return found


def _conf(base: Path, ports: dict[str, int], smsc: dict[str, object], mo_url: str) -> str:
    def group(name: str, values: dict[str, object]) -> str:
        lines = [f"group = {name}"]
        for key, value in values.items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            lines.append(f'{key} = "{value}"' if isinstance(value, str) else f"{key} = {value}")
        return "\n".join(lines) + "\n"

    core = {
        "admin-port": ports["admin"],
        "admin-password": ADMIN_PASSWORD,
        "status-password": ADMIN_PASSWORD,
        "admin-interface": HOST,
        "admin-allow-ip": HOST,
        "smsbox-port": ports["smsbox"],
        "smsbox-interface": HOST,
        "box-allow-ip": HOST,
        "log-file": str(base / "bearerbox.log"),
        "log-level": 1,
        "access-log": str(base / "access.log"),
        "dlr-storage": "internal",
        "store-type": "file",
        "store-location": str(base / "kannel.store"),  # a file: Kannel fails on a directory
    }
    smsbox = {
        "bearerbox-host": HOST,
        "bearerbox-port": ports["smsbox"],
        "sendsms-port": ports["sendsms"],
        "sendsms-interface": HOST,
        "log-file": str(base / "smsbox.log"),
        "log-level": 1,
        "access-log": str(base / "smsbox-access.log"),
    }
    user = {"username": USERNAME, "password": PASSWORD, "max-messages": 10, "concatenation": True}
    service = {"keyword": "default", "catch-all": True, "get-url": mo_url, "max-messages": 0}
    return "\n".join(
        [
            group("core", core),
            group("smsc", smsc),
            group("smsbox", smsbox),
            group("sendsms-user", user),
            group("sms-service", service),
        ]
    )


@dataclass
class Sent:
    """The sendsms answer (202 "0: Accepted for delivery" when queued) and the DLR ref."""

    status: int
    body: str
    ref: str


@dataclass
class Kannel:
    base: Path
    ports: dict[str, int]
    callbacks: Receiver
    processes: list[asyncio.subprocess.Process] = field(default_factory=list)
    _refs: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def send(
        self,
        to: str,
        text: str,
        *,
        sender: str = "12345",
        coding: int = 0,
        dlr_mask: int = 31,
        dlr_url: str | None = None,
        **extra: str,
    ) -> Sent:
        """sendsms with charset=UTF-8: coding 0 GSM-7, 2 UCS-2. dlr_mask 31 asks for every
        report (1 delivered, 2 undelivered, 4 buffered, 8 SMSC accepted, 16 SMSC rejected);
        the default dlr_url calls back our server with a `ref` to wait on."""
        ref = f"r{next(self._refs)}"
        url = dlr_url or f"{self.callbacks.url('/dlr')}?ref={ref}&{DLR_QUERY}"
        params = {
            "username": USERNAME,
            "password": PASSWORD,
            "from": sender,
            "to": to,
            "text": text,
            "charset": "UTF-8",
            "coding": str(coding),
            "dlr-mask": str(dlr_mask),
            "dlr-url": url,
            **extra,
        }
        async with httpx.AsyncClient(timeout=10) as http:
            r = await http.get(
                f"http://{HOST}:{self.ports['sendsms']}/cgi-bin/sendsms", params=params
            )
        return Sent(r.status_code, r.text, ref)

    def dlrs(self, ref: str | None = None) -> list[dict[str, str]]:
        """The dlr-url calls so far (query fields), of one send or all."""
        return [c for c in self._calls("/dlr") if ref is None or c.get("ref") == ref]

    async def wait_dlr(self, ref: str, dlr_type: int = 1, timeout: float = 15.0) -> dict[str, str]:
        """The first DLR of that send with that type (1 delivered, 2 failed, 8 SMSC ack)."""

        def found() -> list[dict[str, str]]:
            return [d for d in self.dlrs(ref) if d.get("type") == str(dlr_type)]

        await self.callbacks.wait_until(lambda: bool(found()), timeout)
        return found()[0]

    def mo(self) -> list[dict[str, str]]:
        """Inbound messages Kannel passed to its service: from, to, coding (0 GSM, 2 UCS-2),
        text (Kannel hands UCS-2 over as raw bytes, decoded here), binary (hex), udh, smsc."""
        messages = []
        for call in self._calls("/mo", encoding="latin-1"):  # byte for byte
            raw = call["binary"].encode("latin-1")
            text = raw.decode("utf-16-be" if call["coding"] == "2" else "utf-8", errors="replace")
            messages.append({**call, "text": text, "binary": raw.hex()})
        return messages

    async def wait_mo(self, count: int = 1, timeout: float = 15.0) -> list[dict[str, str]]:
        await self.callbacks.wait_until(lambda: len(self._calls("/mo")) >= count, timeout)
        return self.mo()[:count]

    def _calls(self, path: str, encoding: str = "utf-8") -> list[dict[str, str]]:
        urls = [urlsplit(r.path) for r in self.callbacks.received]
        return [dict(parse_qsl(u.query, encoding=encoding)) for u in urls if u.path == path]

    async def status(self) -> str:
        url = f"http://{HOST}:{self.ports['admin']}/cgi-bin/status.txt"
        async with httpx.AsyncClient(timeout=5) as http:
            return (await http.get(url, params={"password": ADMIN_PASSWORD})).text

    async def wait_online(self, timeout: float = 20.0) -> None:
        """Until bearerbox says the SMPP link is online (bound)."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if f"{SMSC_ID}[{SMSC_ID}]" in (s := await self.status()) and "online" in s:
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"Kannel's SMPP link not online in {timeout} s\n{self.logs()}")
            await asyncio.sleep(0.1)

    def logs(self, lines: int = 30) -> str:
        """The last lines of each Kannel log, for failure messages."""
        tails = []
        for log in sorted(self.base.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            tails.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(tails)


async def _wait_port(port: int, process: asyncio.subprocess.Process, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection(HOST, port)
            writer.close()
            return
        if process.returncode is not None or time.monotonic() > deadline:
            raise AssertionError(f"port {port} not open (exit code {process.returncode})")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def kannel_esme(
    base: Path,
    port: int,
    *,
    host: str = HOST,
    system_id: str = "kannel",
    password: str = "secret",
    system_type: str = "",
    msg_id_type: int | None = None,
    max_pending_submits: int = 10,
    smsc_options: dict[str, object] | None = None,
    wait_online: bool = True,
    timeout: float = 20.0,
) -> AsyncIterator[Kannel]:
    """Kannel bound as a transceiver to host:port, its files under `base` (tmp_path).

    msg_id_type is Kannel's msg-id-type (how it reads ids: bit 0 submit_sm_resp hex, bit 1
    receipt hex); smsc_options adds or overrides other `group = smsc` settings."""
    bearerbox, smsbox = _binary("bearerbox"), _binary("smsbox")
    base.mkdir(parents=True, exist_ok=True)
    ports = {name: free_port() for name in ("admin", "smsbox", "sendsms")}
    callbacks = Receiver()
    await callbacks.start()
    smsc: dict[str, object] = {
        "smsc": "smpp",
        "smsc-id": SMSC_ID,
        "host": host,
        "port": port,
        "transceiver-mode": True,
        "smsc-username": system_id,
        "smsc-password": password,
        "system-type": system_type,
        "enquire-link-interval": 30,
        "reconnect-delay": 1,
        "max-pending-submits": max_pending_submits,
        "log-file": str(base / "smsc.log"),
        "log-level": 0,
    }
    if msg_id_type is not None:
        smsc["msg-id-type"] = msg_id_type
    smsc.update(smsc_options or {})
    conf = base / "kannel.conf"
    conf.write_text(_conf(base, ports, smsc, f"{callbacks.url('/mo')}?{MO_QUERY}"))
    kannel = Kannel(base, ports, callbacks)
    try:
        for binary, ready in ((bearerbox, "smsbox"), (smsbox, "sendsms")):
            with (base / f"{Path(binary).name}.out").open("wb") as out:
                process = await asyncio.create_subprocess_exec(
                    *(binary, "-v", "2", str(conf)),
                    cwd=base,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=out,
                    stderr=asyncio.subprocess.STDOUT,
                    start_new_session=True,
                )
            kannel.processes.append(process)
            await _wait_port(ports[ready], process, timeout)
        if wait_online:
            await kannel.wait_online(timeout)
        yield kannel
    finally:
        for process in reversed(kannel.processes):  # smsbox first, as Kannel's own scripts do
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            await end_group(process, 5.0)
        await callbacks.stop()
