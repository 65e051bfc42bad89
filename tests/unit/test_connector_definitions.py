"""Which connectors are defined, which one takes new messages."""

from __future__ import annotations

import pytest

from smsgate.config import ConnectorConfig, Settings
from smsgate.dispatch.router import choose_default
from smsgate.domain.errors import DomainError
from smsgate.services.connectors import (
    Definition,
    check_configured,
    configured_connectors,
    merge,
)
from smsgate.store.connectors import CONFIG_SWITCH, StoredConnector


def stored(name: str, kind: str = "simulator", enabled: bool = True) -> StoredConnector:
    return StoredConnector(name, kind, {}, enabled, created_at=1, updated_at=1)


def from_file(name: str, enabled: bool = True) -> Definition:
    return Definition(name, "simulator", {}, enabled, "config")


def test_without_connectors_in_the_file_the_simulator_table_is_the_one_connector() -> None:
    (simulator,) = configured_connectors(Settings(simulator={"window": 3}))
    assert (simulator.name, simulator.kind, simulator.source) == (
        "simulator",
        "simulator",
        "config",
    )
    assert simulator.options["window"] == 3


def test_options_of_a_file_connector_sit_beside_its_name_and_kind() -> None:
    settings = Settings(connectors=[ConnectorConfig(name="a", kind="simulator", window=4)])
    (a,) = configured_connectors(settings)
    assert (a.name, a.options, a.enabled) == ("a", {"window": 4}, True)


def test_a_file_connector_with_a_bad_option_is_refused_by_name() -> None:
    definition = Definition("a", "simulator", {"window": 0}, True, "config")
    with pytest.raises(DomainError, match=r"connector 'a' in the config file: options\.window"):
        check_configured([definition])


def test_a_name_used_twice_in_the_file_is_refused() -> None:
    with pytest.raises(DomainError, match="defined twice"):
        check_configured([from_file("a"), from_file("a")])


def test_stored_connectors_come_after_the_file_s() -> None:
    names = [d.name for d in merge([from_file("a")], [stored("b"), stored("c")])]
    assert names == ["a", "b", "c"]


def test_a_run_time_switch_turns_a_file_connector_off() -> None:
    (a,) = merge([from_file("a")], [stored("a", CONFIG_SWITCH, enabled=False)])
    assert (a.enabled, a.source) == (False, "config")


def test_the_file_wins_over_a_stored_connector_of_the_same_name() -> None:
    (a,) = merge([from_file("a")], [stored("a", "smpp")])
    assert (a.kind, a.source) == ("simulator", "config")


def test_the_preferred_connector_takes_messages_while_it_runs() -> None:
    assert choose_default("b", ["a", "b"], ["a", "b"]) == "b"


def test_without_the_preferred_one_the_first_running_takes_them() -> None:
    assert choose_default("b", ["a"], ["a", "b"]) == "a"
    assert choose_default(None, ["c", "a"], ["a", "c"]) == "c"


def test_with_nothing_running_messages_wait_for_the_preferred_connector() -> None:
    assert choose_default("b", [], ["a", "b"]) == "b"
    assert choose_default(None, [], ["a", "b"]) == "a"


def test_with_no_connector_at_all_there_is_no_route() -> None:
    assert choose_default("b", [], []) is None
