"""Independent SMPP peers for interop tests; README.md beside this package describes them."""

from tests.interop.peers.kannel import Kannel, Sent, kannel_esme
from tests.interop.peers.node import NodeEsme, NodeSmsc, node_esme, node_smsc, parse_receipt
from tests.interop.peers.perl import PerlSmsc, perl_smsc
from tests.interop.peers.process import Event, JsonLinesPeer, unavailable

__all__ = [
    "Event",
    "JsonLinesPeer",
    "Kannel",
    "NodeEsme",
    "NodeSmsc",
    "PerlSmsc",
    "Sent",
    "kannel_esme",
    "node_esme",
    "node_smsc",
    "parse_receipt",
    "perl_smsc",
    "unavailable",
]
