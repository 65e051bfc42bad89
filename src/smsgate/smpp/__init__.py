"""SMPP 3.4: the codec (constants, tlv, pdu, framing), pure and free of I/O."""
