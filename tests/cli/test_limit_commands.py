"""`smsgate accounts limits`: an account's own limits over the server's."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from smsgate.cli import app

runner = CliRunner()


def run(tmp_path: Path, *args: str) -> str:
    result = runner.invoke(app, [*args, "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return result.output


def test_without_options_the_servers_limits_are_shown(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop")
    shown = run(tmp_path, "accounts", "limits", "shop")
    assert "no limit" in shown
    assert "50 within 60 s" in shown


def test_options_given_change_and_the_rest_stay(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop")
    run(tmp_path, "accounts", "limits", "shop", "--rate", "5")
    shown = run(
        tmp_path,
        "accounts",
        "limits",
        "shop",
        "--quiet",
        "21:00-08:00",
        "--timezone",
        "Europe/Warsaw",
    )
    assert "5" in shown.split("requests a second")[1].split("\n")[0]
    assert "21:00-08:00 Europe/Warsaw" in shown


def test_reset_goes_back_to_the_servers_limits(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop")
    run(tmp_path, "accounts", "limits", "shop", "--rate", "5", "--quiet", "21:00-08:00")
    shown = run(tmp_path, "accounts", "limits", "shop", "--reset")
    assert "quiet hours" in shown and "none" in shown.split("quiet hours")[1]


def test_bad_quiet_hours_fail_clearly(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop")
    result = runner.invoke(
        app, ["accounts", "limits", "shop", "--quiet", "late", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "HH:MM-HH:MM" in result.output
