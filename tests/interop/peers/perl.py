"""Net::SMPP (Debian libnet-smpp-perl) as a second, minimal carrier (tests/interop/perl/smsc.pl)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.interop.peers.process import Carrier, running, unavailable

SCRIPT = Path(__file__).resolve().parent.parent / "perl" / "smsc.pl"


class PerlSmsc(Carrier):
    """Answers submit_sm with an id and sends a DELIVRD receipt right after; nothing more."""

    name = "Net::SMPP SMSC"


def _require_perl() -> str:
    perl = shutil.which("perl")
    if perl is None or subprocess.run([perl, "-MNet::SMPP", "-e1"], capture_output=True).returncode:
        unavailable("Net::SMPP is not installed (apt-get install libnet-smpp-perl)")
    return perl


@asynccontextmanager
async def perl_smsc(
    *,
    system_id: str = "smsgate",
    password: str = "secret",
    id_format: str = "dec",
    receipts: str = "requested",
) -> AsyncIterator[PerlSmsc]:
    """A Net::SMPP carrier on 127.0.0.1 on a free port (`smsc.port`); each connection is a
    forked process, `session` in its events is that process's id."""
    perl = _require_perl()
    argv = [perl, str(SCRIPT), "--system-id", system_id, "--password", password]
    argv += ["--id-format", id_format, "--receipts", receipts]
    smsc = PerlSmsc(argv)
    async with running(smsc, "listening") as listening:
        smsc.port = listening["port"]
        yield smsc
