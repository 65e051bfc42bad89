"""`smsgate send`, `status` and `messages` against a running gateway."""

from __future__ import annotations

import asyncio
import re

from typer.testing import CliRunner

from smsgate.cli import app
from tests.integration.conftest import Running

runner = CliRunner()


async def invoke(*args: str) -> str:
    # The CLI is synchronous; the server runs on this loop, so the CLI runs beside it.
    result = await asyncio.to_thread(runner.invoke, app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


async def test_send_then_status_then_messages(gw: Running) -> None:
    auth = ["--url", gw.base_url, "--key", gw.token]
    sent = await invoke("send", "--to", "500600700", "--text", "Hello", *auth)
    assert "+48500600700" in sent
    match = re.search(r"\b(\d{15,19})\b", sent)
    assert match is not None
    message_id = match.group(1)
    await gw.wait_for_status(message_id, {"delivered"})
    status = await invoke("status", message_id, *auth)
    assert "delivered" in status
    assert "queued" in status
    listed = await invoke("messages", *auth)
    assert message_id in listed


async def test_send_with_the_demo_key_says_nothing_was_sent(gw: Running) -> None:
    output = await invoke("send", "--to", "500600700", "--text", "Hi", "--url", gw.base_url)
    assert "test mode" in output
