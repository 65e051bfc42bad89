"""The `Sink` connectors are given: reports to the report service, inbound messages to the
inbound service."""

from __future__ import annotations

from collections.abc import Sequence

from smsgate.domain.inbound import InboundSms
from smsgate.domain.reports import Report
from smsgate.services.inbound import InboundService
from smsgate.services.reports import ReportService


class ChannelSink:
    def __init__(self, reports: ReportService, inbound: InboundService):
        self._reports = reports
        self._inbound = inbound

    async def report(self, report: Report) -> None:
        await self._reports.report(report)

    async def reports(self, reports: Sequence[Report]) -> None:
        await self._reports.reports(reports)

    async def awaiting_reports(self, connector: str) -> list[str]:
        return await self._reports.awaiting_reports(connector)

    async def inbound(self, sms: InboundSms) -> None:
        await self._inbound.receive(sms)
