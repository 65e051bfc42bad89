"""Settings come from flags, SMSGATE_* variables and a TOML file, in that order of strength."""

from __future__ import annotations

from pathlib import Path

import pytest

from smsgate.config import Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SMSGATE_CONFIG", "SMSGATE_PORT", "SMSGATE_HOST", "SMSGATE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray ./smsgate.toml


def write_config(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text(text)
    monkeypatch.setenv("SMSGATE_CONFIG", str(path))


def test_defaults_are_the_embedded_setup() -> None:
    settings = Settings()
    assert (settings.host, settings.port, settings.smpp_port) == ("127.0.0.1", 8000, 2775)
    assert settings.resolved_database_url.startswith("sqlite:///")
    assert settings.resolved_database_url.endswith("smsgate-data/smsgate.db")


def test_the_toml_file_sets_values_and_nested_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, "port = 9001\n[simulator]\nreport_delay_ms = 5\n", monkeypatch)
    settings = Settings()
    assert settings.port == 9001
    assert settings.simulator.report_delay_ms == 5


def test_an_environment_variable_beats_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, "port = 9001\n", monkeypatch)
    monkeypatch.setenv("SMSGATE_PORT", "9002")
    assert Settings().port == 9002


def test_a_flag_beats_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMSGATE_PORT", "9002")
    assert Settings(port=9003).port == 9003


def test_nested_simulator_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMSGATE_SIMULATOR__UNDELIVERED", "0.25")
    monkeypatch.setenv("SMSGATE_SIMULATOR_SUBMIT_LATENCY_MS", "7")
    settings = Settings()
    assert settings.simulator.undelivered == 0.25
    assert settings.simulator.submit_latency_ms == 7


def test_a_named_config_file_that_is_missing_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMSGATE_CONFIG", str(tmp_path / "absent.toml"))
    with pytest.raises(FileNotFoundError):
        Settings()


def test_a_postgresql_url_is_used_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMSGATE_DATABASE_URL", "postgresql://db.example/smsgate")
    assert Settings().resolved_database_url == "postgresql://db.example/smsgate"
