"""A connector's live state: counters kept cheaply, the rate over the last seconds, the link."""

from __future__ import annotations

from smsgate.connectors.base import BindStatus, Connector, Counters, Link, Sink
from smsgate.domain.message import OutboundMessage


class Quiet(Connector):
    def __init__(self, link: Link | None = None):
        super().__init__("quiet", throughput=None, window=8)
        self._link = link

    async def start(self, sink: Sink) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def submit(self, message: OutboundMessage) -> tuple[str, ...]:
        return ()

    def link(self) -> Link:
        return self._link or super().link()


def test_the_first_rate_is_zero() -> None:
    assert Counters().rate(now=100.0) == 0.0


def test_the_rate_is_the_slope_since_the_oldest_sample_of_the_last_ten_seconds() -> None:
    counters = Counters()
    counters.rate(now=0.0)
    counters.submitted = 100
    counters.rate(now=2.0)
    counters.submitted = 300
    # The sample at 0 s is more than 10 s old; the one at 2 s is now the base.
    assert counters.rate(now=12.5) == (300 - 100) / 10.5


def test_an_idle_connector_s_rate_falls_to_zero() -> None:
    counters = Counters()
    counters.submitted = 50
    for second in range(0, 30, 2):
        rate = counters.rate(now=float(second))
    assert rate == 0.0


def test_an_error_is_kept_with_its_time() -> None:
    counters = Counters()
    counters.error("ESME_RTHROTTLED")
    assert counters.last_error == "ESME_RTHROTTLED"
    assert counters.last_error_at is not None


def test_a_connector_without_a_link_of_its_own_is_up() -> None:
    status = Quiet().status()
    assert (status.state, status.binds, status.window) == ("up", [], 8)


def test_the_status_joins_the_counters_with_the_link() -> None:
    bind = BindStatus("transceiver", "connecting", 1)
    connector = Quiet(Link("connecting", [bind]))
    connector.counters.submitted = 5
    connector.counters.submit_errors = 2
    connector.counters.in_flight = 3
    connector.counters.reports = 4
    status = connector.status()
    assert (status.state, status.binds) == ("connecting", [bind])
    assert (status.submitted, status.submit_errors, status.in_flight, status.reports) == (
        5,
        2,
        3,
        4,
    )
