"""The SMPP client connector (kind `smpp`): smsgate bound to a carrier's SMSC.
docs/smpp-carriers.md is the user's guide."""

from smsgate.connectors.smpp.connector import SmppConnector
from smsgate.connectors.smpp.options import SmppOptions


def build(name: str, options: SmppOptions) -> SmppConnector:
    return SmppConnector(name, options)


__all__ = ["SmppConnector", "SmppOptions", "build"]
