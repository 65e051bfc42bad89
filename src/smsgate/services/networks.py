"""The numbering plan (operator's): which mobile network each number range is on, so that
price lists can price by network (MCC/MNC)."""

from __future__ import annotations

from smsgate.domain.networks import NetworkPlan
from smsgate.services.billing import PriceBook
from smsgate.services.clock import now_ms
from smsgate.store import networks as repo
from smsgate.store.database import Database, Tx


class NetworkService:
    def __init__(self, db: Database, prices: PriceBook):
        self._db = db
        self._prices = prices

    async def plan(self) -> NetworkPlan:
        await self._prices.refresh()
        return self._prices.networks

    async def replace(self, plan: NetworkPlan) -> NetworkPlan:
        """Put a whole new plan in place of the old one."""

        async def job(tx: Tx) -> None:
            await repo.replace_plan(tx, plan.by_prefix, now_ms())

        await self._db.write(job)
        return await self.plan()
