"""Connector kinds: options checked with a message per bad option, secrets masked."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict

from smsgate.connectors import registry
from smsgate.connectors.base import Connector
from smsgate.connectors.simulator import SimulatorConnector
from smsgate.domain.errors import DomainError


class LineOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str
    password: str
    window: int = 10
    ports: list[int] = []


def build_line(name: str, options: LineOptions) -> Connector:
    return SimulatorConnector(name, window=options.window)


@pytest.fixture
def line_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    """A kind registered for one test only."""
    monkeypatch.setattr(registry, "_kinds", dict(registry._kinds))
    registry.register("line", LineOptions, build_line)


def refusal(kind: str, options: dict[str, object]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        registry.parse(kind, options)
    return caught.value


def test_the_simulator_is_a_built_in_kind() -> None:
    connector = registry.build("sim", "simulator", {"window": 7})
    assert isinstance(connector, SimulatorConnector)
    assert (connector.name, connector.window) == ("sim", 7)


def test_every_bad_option_is_named_and_the_first_is_the_field() -> None:
    error = refusal("simulator", {"window": 0, "delivered": "lots", "hots": 1})
    assert (error.code, error.field) == ("invalid_field", "options.delivered")
    assert "options.window: Input should be greater than or equal to 1" in error.detail
    assert "options.delivered: Input should be a valid number" in error.detail
    assert "options.hots: unknown option" in error.detail


@pytest.mark.usefixtures("line_kind")
def test_a_missing_option_is_called_required() -> None:
    error = refusal("line", {"host": "smsc"})
    assert error.detail == "options.password: required"


def test_an_unknown_kind_names_the_known_ones() -> None:
    error = refusal("pigeon", {})
    assert error.field == "kind"
    assert "simulator" in error.detail


def test_a_value_the_factory_refuses_is_reported_like_a_bad_option() -> None:
    with pytest.raises(DomainError) as caught:
        registry.build("sim", "simulator", {"delivered": 0})
    assert caught.value.field == "options"
    assert "positive weight" in caught.value.detail


def test_options_are_stored_as_given_in_json_types() -> None:
    assert registry.normalised("simulator", {"window": "5", "throughput": 2}) == {
        "window": 5,
        "throughput": 2.0,
    }


@pytest.mark.usefixtures("line_kind")
def test_secrets_are_masked_in_listings() -> None:
    shown = registry.masked("line", {"host": "smsc", "password": "hunter2"})
    assert shown == {"host": "smsc", "password": registry.MASK}


def test_a_password_of_an_unknown_kind_is_masked_too() -> None:
    assert registry.masked("gone", {"password": "x"}) == {"password": registry.MASK}


@pytest.mark.usefixtures("line_kind")
def test_text_options_keep_their_text_and_others_are_read_as_json() -> None:
    read = registry.from_text(
        "line", [("host", "10.0.0.1"), ("password", "007"), ("window", "5"), ("ports", "1")]
    )
    assert read == {"host": "10.0.0.1", "password": "007", "window": 5, "ports": [1]}


@pytest.mark.usefixtures("line_kind")
def test_a_list_option_takes_every_value_or_one_json_list() -> None:
    repeated = registry.from_text("line", [("ports", "1"), ("ports", "2")])
    as_json = registry.from_text("line", [("ports", "[1, 2]")])
    assert repeated == as_json == {"ports": [1, 2]}


def test_a_kind_cannot_use_the_names_the_config_file_puts_beside_its_options() -> None:
    class Clashing(BaseModel):
        name: str

    with pytest.raises(ValueError, match="may not be called name"):
        registry.register("clashing", Clashing, build_line)


def test_a_kind_is_registered_once() -> None:
    with pytest.raises(ValueError, match="registered already"):
        registry.register("simulator", LineOptions, build_line)
