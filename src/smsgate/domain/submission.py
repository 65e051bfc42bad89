"""Turns one send request into per-recipient messages and per-recipient rejections.

This is the pure heart of the one submit path every door uses: numbers are normalised, texts
encoded and split, and each recipient that cannot be sent to is reported on its own without
failing the rest of the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from smsgate.domain.errors import DomainError, ErrorCode, ErrorSpec
from smsgate.domain.phone import normalize_many
from smsgate.domain.text import Encoding, Segments, TextPolicy, prepare

MAX_RECIPIENTS = 100_000
MAX_PERSONALISED = 10_000
MAX_CAMPAIGN = 1_000_000  # a campaign's messages are personalised too


@dataclass(frozen=True, slots=True)
class Planned:
    index: int  # position in the request, so answers keep the caller's order
    recipient: str  # E.164
    text: str  # after transliteration / smart encoding
    encoding: Encoding
    parts: int


@dataclass(frozen=True, slots=True)
class RecipientRejected:
    index: int
    to: str
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class Plan:
    planned: list[Planned]
    rejected: list[RecipientRejected]

    @property
    def parts(self) -> int:
        return sum(p.parts for p in self.planned)

    def refusing(self, numbers: frozenset[str] | set[str], spec: ErrorSpec) -> Plan:
        """The plan with the messages to `numbers` turned into rejections for `spec`."""
        if not numbers:
            return self
        return self.rejecting({p.index for p in self.planned if p.recipient in numbers}, spec)

    def rejecting(self, indexes: set[int], spec: ErrorSpec, detail: str | None = None) -> Plan:
        """The plan with the messages at request positions `indexes` rejected for `spec`."""
        if not indexes:
            return self
        refused = [p for p in self.planned if p.index in indexes]
        rejected = self.rejected + [
            RecipientRejected(p.index, p.recipient, spec.code, detail or spec.message)
            for p in refused
        ]
        rejected.sort(key=lambda r: r.index)
        return Plan([p for p in self.planned if p.index not in indexes], rejected)


def plan_shared(
    recipients: Sequence[str], text: str, policy: TextPolicy, region: str | None
) -> Plan:
    """One text to many recipients: the text is checked once, a bad text fails the request."""
    if not recipients:
        raise DomainError(ErrorCode.NO_RECIPIENTS, field="to")
    if len(recipients) > MAX_RECIPIENTS:
        raise DomainError(
            ErrorCode.TOO_MANY_RECIPIENTS,
            f"at most {MAX_RECIPIENTS} recipients per request",
            field="to",
        )
    final_text, segments = prepare(text, policy)
    batch = normalize_many(recipients, region)
    planned = [
        Planned(index, e164, final_text, segments.encoding, segments.count)
        for index, e164 in batch.valid
    ]
    rejected = [RecipientRejected(r.index, r.raw, r.code, r.reason) for r in batch.rejected]
    return Plan(planned, rejected)


def plan_personalised(
    pairs: Sequence[tuple[str, str]],
    policy: TextPolicy,
    region: str | None,
    *,
    most: int = MAX_PERSONALISED,
) -> Plan:
    """Each recipient with its own text: a bad number or a bad text rejects only that pair."""
    if not pairs:
        raise DomainError(ErrorCode.NO_RECIPIENTS, field="messages")
    if len(pairs) > most:
        raise DomainError(
            ErrorCode.TOO_MANY_RECIPIENTS,
            f"at most {most} personalised messages per request",
            field="messages",
        )
    batch = normalize_many([to for to, _ in pairs], region)
    rejected = [RecipientRejected(r.index, r.raw, r.code, r.reason) for r in batch.rejected]
    planned: list[Planned] = []
    cache: dict[str, tuple[str, Segments]] = {}
    for index, e164 in batch.valid:
        raw_text = pairs[index][1]
        try:
            if raw_text not in cache:
                cache[raw_text] = prepare(raw_text, policy)
            final_text, segments = cache[raw_text]
        except DomainError as err:
            rejected.append(RecipientRejected(index, pairs[index][0], err.code, err.detail))
            continue
        planned.append(Planned(index, e164, final_text, segments.encoding, segments.count))
    rejected.sort(key=lambda r: r.index)
    return Plan(planned, rejected)
