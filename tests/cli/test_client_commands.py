"""The client commands against a server that is not there."""

from __future__ import annotations

from typer.testing import CliRunner

from smsgate.cli import app
from tests.ports import free_port


def test_status_against_a_stopped_server_says_so_in_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(app, ["status", "1", "--url", url])
    assert result.exit_code == 1
    assert "cannot reach smsgate" in result.output
    assert "Traceback" not in result.output
