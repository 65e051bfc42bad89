"""The command_status an SMPP customer gets for each error of the catalog (domain/errors.py).

SMPP has no status for "the recipient opted out"; the vendor-specific range (0x400-0x4FF) is
where SMSCs put what the spec lacks, and a client treats an unknown status as a permanent
refusal of that message, which is what an opt-out is. docs/smpp-server.md lists the table.
"""

from __future__ import annotations

from smsgate.domain.errors import DomainError, ErrorCode, ErrorKind
from smsgate.smpp.constants import CommandStatus

# Vendor-specific statuses of smsgate.
ESME_ROPTEDOUT = 0x00000401  # the recipient opted out of messages from this account

SUBMIT_STATUS: dict[str, int] = {
    ErrorCode.INVALID_NUMBER.code: CommandStatus.ESME_RINVDSTADR,
    ErrorCode.NO_RECIPIENTS.code: CommandStatus.ESME_RINVDSTADR,
    ErrorCode.DUPLICATE_RECIPIENT.code: CommandStatus.ESME_RINVDSTADR,
    ErrorCode.TOO_MANY_RECIPIENTS.code: CommandStatus.ESME_RINVNUMDESTS,
    ErrorCode.EMPTY_TEXT.code: CommandStatus.ESME_RINVMSGLEN,
    ErrorCode.TOO_MANY_PARTS.code: CommandStatus.ESME_RINVMSGLEN,
    ErrorCode.INVALID_SENDER.code: CommandStatus.ESME_RINVSRCADR,
    ErrorCode.SENDER_PENDING.code: CommandStatus.ESME_RINVSRCADR,
    ErrorCode.SENDER_REJECTED.code: CommandStatus.ESME_RINVSRCADR,
    ErrorCode.SENDER_NOT_REGISTERED.code: CommandStatus.ESME_RINVSRCADR,
    ErrorCode.SENDER_NOT_OWNED.code: CommandStatus.ESME_RINVSRCADR,
    ErrorCode.NO_TWO_WAY_NUMBER.code: CommandStatus.ESME_RINVSRCADR,
    ErrorCode.INVALID_SCHEDULE.code: CommandStatus.ESME_RINVSCHED,
    ErrorCode.INVALID_VALIDITY.code: CommandStatus.ESME_RINVEXPIRY,
    ErrorCode.OPTED_OUT.code: ESME_ROPTEDOUT,
    ErrorCode.ACCOUNT_DISABLED.code: CommandStatus.ESME_RSUBMITFAIL,
    ErrorCode.NOT_FOUND.code: CommandStatus.ESME_RINVMSGID,
    ErrorCode.NO_PRICE.code: CommandStatus.ESME_RINVDSTADR,
    ErrorCode.INSUFFICIENT_FUNDS.code: CommandStatus.ESME_RSUBMITFAIL,
}

# Errors no entry above names, by their kind: a refusal of this message, a limit to wait
# for, or a failure of ours to retry later.
_BY_KIND: dict[ErrorKind, int] = {
    ErrorKind.LIMITED: CommandStatus.ESME_RTHROTTLED,
    ErrorKind.UNAVAILABLE: CommandStatus.ESME_RSYSERR,
}


_KIND_OF_CODE = {spec.code: spec.kind for spec in ErrorCode.all()}


def submit_status(code: str) -> int:
    """The status of a message refused with catalog error `code`."""
    status = SUBMIT_STATUS.get(code)
    if status is None:
        kind = _KIND_OF_CODE.get(code)
        status = _BY_KIND.get(kind, CommandStatus.ESME_RSUBMITFAIL) if kind else None
    return CommandStatus.ESME_RSUBMITFAIL if status is None else status


def status_of(error: DomainError) -> int:
    return submit_status(error.code)
