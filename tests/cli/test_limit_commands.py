"""`smsgate accounts limits`: an account's own limits over the server's; `smsgate accounts
timezone`: the zone its quiet hours are kept in unless given their own."""

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


def test_quiet_hours_without_a_zone_are_kept_in_the_accounts(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop", "--timezone", "Europe/Warsaw")
    shown = run(tmp_path, "accounts", "limits", "shop", "--quiet", "21:00-08:00")
    assert "21:00-08:00 Europe/Warsaw" in shown
    run(tmp_path, "accounts", "timezone", "shop", "Asia/Tokyo")
    assert "21:00-08:00 Asia/Tokyo" in run(tmp_path, "accounts", "limits", "shop")


def test_an_accounts_time_zone_is_shown_and_set(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop")
    assert "shop: UTC" in run(tmp_path, "accounts", "timezone", "shop")
    assert "shop: Europe/Warsaw" in run(tmp_path, "accounts", "timezone", "shop", "Europe/Warsaw")
    assert "Europe/Warsaw" in run(tmp_path, "accounts", "list")


def test_an_unknown_time_zone_fails_clearly(tmp_path: Path) -> None:
    run(tmp_path, "accounts", "create", "shop")
    result = runner.invoke(
        app, ["accounts", "timezone", "shop", "Nowhere/City", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "unknown time zone Nowhere/City" in result.output
