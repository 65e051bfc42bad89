"""The SMPP 3.4 codec: spec byte vectors, round trips, error statuses, and a cross-check against
smpp.pdu3 (an independent codec, from Jasmin)."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from smpp.pdu import operations as theirs
from smpp.pdu import pdu_types as their_types
from smpp.pdu.pdu_encoding import PDUEncoder
from tests.unit.smpp_strategies import all_pdus

from smsgate.smpp.constants import CommandId, CommandStatus, MessageState
from smsgate.smpp.pdu import (
    PDU_TYPES,
    BindTransceiver,
    BindTransmitter,
    BindTransmitterResp,
    DataSm,
    DeliverSm,
    DistributionList,
    EnquireLink,
    GenericNack,
    Pdu,
    PduError,
    QuerySmResp,
    SmeAddress,
    SubmitMulti,
    SubmitMultiResp,
    SubmitSm,
    SubmitSmResp,
    UnsuccessSme,
    decode_pdu,
    encode_pdu,
)
from smsgate.smpp.tlv import NetworkErrorCode, Tlvs


def header(length: int, command_id: int, status: int, sequence: int) -> bytes:
    return b"".join(n.to_bytes(4, "big") for n in (length, command_id, status, sequence))


def with_header(command_id: int, body: bytes, sequence: int = 1, status: int = 0) -> bytes:
    return header(16 + len(body), command_id, status, sequence) + body


# --- spec byte vectors ------------------------------------------------------------------------


def test_enquire_link_is_a_bare_16_octet_header():
    assert encode_pdu(EnquireLink(sequence_number=1)) == bytes.fromhex(
        "00000010000000150000000000000001"
    )


def test_bind_transmitter_encodes_its_c_octet_strings_and_interface_version():
    pdu = BindTransmitter(
        sequence_number=1,
        system_id="SMPP3TEST",
        password="secret08",
        system_type="SUBMIT1",
        interface_version=0x34,
        addr_ton=1,
        addr_npi=1,
    )
    body = b"SMPP3TEST\0secret08\0SUBMIT1\0\x34\x01\x01\0"
    assert encode_pdu(pdu) == with_header(0x00000002, body)


def test_submit_sm_encodes_sm_length_before_the_short_message():
    pdu = SubmitSm(
        sequence_number=7,
        source_addr_ton=5,
        source_addr="ACME",
        dest_addr_ton=1,
        dest_addr_npi=1,
        destination_addr="447700900123",
        registered_delivery=1,
        data_coding=8,
        short_message=b"\x00h\x00i",
    )
    body = (
        b"\0"  # service_type
        b"\x05\x00ACME\0"
        b"\x01\x01447700900123\0"
        b"\x00\x00\x00"  # esm_class, protocol_id, priority_flag
        b"\0\0"  # schedule_delivery_time, validity_period
        b"\x01\x00\x08\x00"  # registered_delivery, replace_if_present, data_coding, default_msg_id
        b"\x04\x00h\x00i"
    )
    assert encode_pdu(pdu) == with_header(0x00000004, body, sequence=7)


def test_submit_multi_encodes_sme_addresses_and_distribution_lists_by_dest_flag():
    pdu = SubmitMulti(
        sequence_number=2,
        source_addr="ACME",
        dest_addresses=(SmeAddress("4477", ton=1, npi=1), DistributionList("staff")),
        short_message=b"hi",
    )
    body = (
        b"\0\x00\x00ACME\0"
        b"\x02"  # number_of_dests
        b"\x01\x01\x014477\0"  # dest_flag 1: SME address
        b"\x02staff\0"  # dest_flag 2: distribution list
        b"\x00\x00\x00\0\0\x00\x00\x00\x00\x02hi"
    )
    assert encode_pdu(pdu) == with_header(0x00000021, body, sequence=2)


def test_submit_multi_resp_lists_unsuccessful_smes_with_their_error():
    pdu = SubmitMultiResp(
        sequence_number=2,
        message_id="m1",
        unsuccess_smes=(UnsuccessSme("4477", CommandStatus.ESME_RINVDSTADR, ton=1, npi=1),),
    )
    body = b"m1\0\x01\x01\x014477\0\x00\x00\x00\x0b"
    assert encode_pdu(pdu) == with_header(0x80000021, body, sequence=2)
    assert decode_pdu(encode_pdu(pdu)) == pdu


def test_typed_tlvs_encode_as_tag_length_value():
    pdu = SubmitSmResp(sequence_number=1, message_id="")
    assert encode_pdu(pdu)[16:] == b"\0"
    tlvs = Tlvs(sar_msg_ref_num=0x1234, sar_total_segments=3, sar_segment_seqnum=1)
    body = encode_pdu(SubmitSm(tlvs=tlvs))[16:]
    assert body.endswith(b"\x02\x0c\x00\x02\x12\x34\x02\x0e\x00\x01\x03\x02\x0f\x00\x01\x01")


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", PDU_TYPES.values(), ids=lambda cls: cls.__name__)
def test_every_pdu_type_round_trips_with_default_fields(cls: type[Pdu]):
    pdu = (
        cls(sequence_number=9, dest_addresses=(SmeAddress("1"),))  # type: ignore[call-arg]
        if cls is SubmitMulti
        else cls(sequence_number=9)
    )
    assert decode_pdu(encode_pdu(pdu)) == pdu


def test_every_command_id_of_smpp_3_4_has_a_pdu_type():
    assert set(PDU_TYPES) == set(CommandId)


@given(all_pdus)
def test_valid_pdus_decode_to_what_was_encoded(pdu: Pdu):
    assert decode_pdu(encode_pdu(pdu)) == pdu


@given(all_pdus)
def test_decoded_pdus_encode_to_the_same_bytes(pdu: Pdu):
    wire = encode_pdu(pdu)
    decoded = decode_pdu(wire)
    assert isinstance(decoded, Pdu)
    assert encode_pdu(decoded) == wire


def test_unknown_and_vendor_tlvs_pass_through_unchanged():
    vendor = (0x1401, b"\x00\x01vendor"), (0x0501, b"\x02")  # a vendor tag, ussd_service_op
    wire = encode_pdu(DeliverSm(tlvs=Tlvs(message_state=2, other=vendor)))
    decoded = decode_pdu(wire)
    assert isinstance(decoded, DeliverSm)
    assert decoded.tlvs.other == vendor
    assert encode_pdu(decoded) == wire


def test_receipted_message_id_without_its_nul_is_still_read():
    body = encode_pdu(DeliverSm())[16:] + b"\x00\x1e\x00\x03abc"
    decoded = decode_pdu(with_header(CommandId.DELIVER_SM, body))
    assert isinstance(decoded, DeliverSm)
    assert decoded.tlvs.receipted_message_id == "abc"


def test_error_submit_sm_resp_is_sent_without_a_body():
    pdu = SubmitSmResp(sequence_number=3, command_status=CommandStatus.ESME_RTHROTTLED)
    assert encode_pdu(pdu) == header(16, 0x80000004, 0x58, 3)


def test_error_bind_resp_is_read_with_or_without_a_body():
    bare = header(16, 0x80000002, CommandStatus.ESME_RINVPASWD, 1)
    with_body = with_header(0x80000002, b"smsc\0", status=CommandStatus.ESME_RINVPASWD)
    assert decode_pdu(bare) == BindTransmitterResp(1, CommandStatus.ESME_RINVPASWD)
    assert decode_pdu(with_body) == BindTransmitterResp(1, CommandStatus.ESME_RINVPASWD, "smsc")


def test_response_knows_it_is_a_response():
    assert SubmitSmResp().is_response
    assert GenericNack().is_response
    assert not SubmitSm().is_response


# --- encoding refuses what the spec forbids ------------------------------------------------------


def test_encoding_refuses_a_c_octet_string_longer_than_its_maximum():
    with pytest.raises(ValueError, match="source_addr"):
        encode_pdu(SubmitSm(source_addr="1" * 21))
    encode_pdu(SubmitSm(source_addr="1" * 20))


def test_encoding_refuses_a_short_message_over_254_octets():
    with pytest.raises(ValueError, match="message_payload"):
        encode_pdu(SubmitSm(short_message=b"x" * 255))
    encode_pdu(SubmitSm(short_message=b"x" * 254))


def test_encoding_refuses_submit_multi_without_destinations():
    with pytest.raises(ValueError, match="destinations"):
        encode_pdu(SubmitMulti())


# --- malformed bodies become PduError with the right command_status -----------------------------


def decode_error(command_id: int, body: bytes) -> PduError:
    result = decode_pdu(with_header(command_id, body, sequence=42))
    assert isinstance(result, PduError), result
    assert result.sequence_number == 42
    assert result.command_id == command_id
    return result


def submit_sm_body(**fields: object) -> bytes:
    return encode_pdu(SubmitSm(**fields))[16:]  # type: ignore[arg-type]


def test_unknown_command_id_is_esme_rinvcmdid():
    assert decode_error(0x00000099, b"").command_status == CommandStatus.ESME_RINVCMDID


def test_source_addr_without_nul_within_21_octets_is_esme_rinvsrcadr():
    body = b"\0\x00\x00" + b"1" * 30
    assert decode_error(CommandId.SUBMIT_SM, body).command_status == CommandStatus.ESME_RINVSRCADR


def test_destination_addr_too_long_is_esme_rinvdstadr():
    body = b"\0\x00\x00a\0\x01\x01" + b"2" * 25 + b"\0"
    assert decode_error(CommandId.SUBMIT_SM, body).command_status == CommandStatus.ESME_RINVDSTADR


def test_message_id_too_long_is_esme_rinvmsgid():
    body = b"9" * 70 + b"\0"
    status = decode_error(CommandId.SUBMIT_SM_RESP, body).command_status
    assert status == CommandStatus.ESME_RINVMSGID


def test_password_too_long_is_esme_rinvpaswd():
    body = b"user\0" + b"p" * 12 + b"\0\0\x34\x00\x00\0"
    status = decode_error(CommandId.BIND_TRANSCEIVER, body).command_status
    assert status == CommandStatus.ESME_RINVPASWD


def test_sm_length_beyond_the_body_is_esme_rinvmsglen():
    body = submit_sm_body(short_message=b"hello")[:-2]
    assert decode_error(CommandId.SUBMIT_SM, body).command_status == CommandStatus.ESME_RINVMSGLEN


def test_sm_length_of_255_is_esme_rinvmsglen():
    body = submit_sm_body()[:-1] + b"\xff" + b"x" * 255
    assert decode_error(CommandId.SUBMIT_SM, body).command_status == CommandStatus.ESME_RINVMSGLEN


def test_body_ending_inside_the_fixed_fields_is_esme_rinvcmdlen():
    body = submit_sm_body()[:-8]
    assert decode_error(CommandId.SUBMIT_SM, body).command_status == CommandStatus.ESME_RINVCMDLEN


def test_octets_after_a_body_without_tlvs_are_esme_rinvcmdlen():
    assert (
        decode_error(CommandId.ENQUIRE_LINK, b"\0").command_status == CommandStatus.ESME_RINVCMDLEN
    )


def test_truncated_tlv_is_esme_rinvoptparstream():
    body = submit_sm_body() + b"\x04\x24\x00\x10abc"
    status = decode_error(CommandId.SUBMIT_SM, body).command_status
    assert status == CommandStatus.ESME_RINVOPTPARSTREAM


def test_typed_tlv_of_the_wrong_length_is_esme_rinvparlen():
    body = submit_sm_body() + b"\x02\x0c\x00\x01\x07"  # sar_msg_ref_num is two octets
    assert decode_error(CommandId.SUBMIT_SM, body).command_status == CommandStatus.ESME_RINVPARLEN


def test_submit_multi_without_destinations_is_esme_rinvnumdests():
    body = b"\0\x00\x00a\0\x00"
    status = decode_error(CommandId.SUBMIT_MULTI, body).command_status
    assert status == CommandStatus.ESME_RINVNUMDESTS


def test_submit_multi_with_an_unknown_dest_flag_is_esme_rinvdestflag():
    body = b"\0\x00\x00a\0\x01\x03"
    status = decode_error(CommandId.SUBMIT_MULTI, body).command_status
    assert status == CommandStatus.ESME_RINVDESTFLAG


# --- byte for byte against smpp.pdu3 ------------------------------------------------------------

# A fresh PDUEncoder each time: theirs keeps the size of a decoded message_payload and then
# refuses to encode another size.


def their_bytes(pdu: object) -> bytes:
    return bytes(PDUEncoder().encode(pdu))


def their_decoding(wire: bytes) -> object:
    return PDUEncoder().decode(io.BytesIO(wire))


def assert_same_as_theirs(ours: Pdu, their_pdu: object) -> None:
    wire = their_bytes(their_pdu)
    assert encode_pdu(ours) == wire
    assert decode_pdu(wire) == ours
    # Their decoder fills absent strings with b"" or None as it likes, so compare re-encodings.
    assert their_bytes(their_decoding(wire)) == wire


def test_bind_transceiver_matches_smpp_pdu3():
    assert_same_as_theirs(
        BindTransceiver(1, system_id="user", password="pw", addr_ton=1, addr_npi=1),
        theirs.BindTransceiver(
            seqNum=1,
            system_id=b"user",
            password=b"pw",
            system_type=None,
            interface_version=0x34,
            addr_ton=their_types.AddrTon.INTERNATIONAL,
            addr_npi=their_types.AddrNpi.ISDN,
            address_range=None,
        ),
    )


def test_submit_sm_with_message_payload_and_sar_tlvs_matches_smpp_pdu3():
    ours = SubmitSm(
        2,
        source_addr="ACME",
        destination_addr="447700900123",
        tlvs=Tlvs(
            sar_msg_ref_num=7,
            sar_total_segments=2,
            sar_segment_seqnum=1,
            message_payload=b"x" * 300,
        ),
    )
    assert_same_as_theirs(
        ours,
        theirs.SubmitSM(
            seqNum=2,
            source_addr="ACME",
            destination_addr="447700900123",
            sar_msg_ref_num=7,
            sar_total_segments=2,
            sar_segment_seqnum=1,
            message_payload=b"x" * 300,
        ),
    )


def test_deliver_sm_receipt_matches_smpp_pdu3():
    text = b"id:abc sub:001 dlvrd:001 submit date:2611220610 done date:2611220611 stat:DELIVRD"
    ours = DeliverSm(
        3,
        source_addr="447700900123",
        destination_addr="ACME",
        esm_class=0x04,
        short_message=text,
        tlvs=Tlvs(
            network_error_code=NetworkErrorCode(3, 1),
            message_state=MessageState.DELIVERED,
            receipted_message_id="abc",
        ),
    )
    assert_same_as_theirs(
        ours,
        theirs.DeliverSM(
            seqNum=3,
            source_addr="447700900123",
            destination_addr="ACME",
            esm_class=their_types.EsmClass(
                their_types.EsmClassMode.DEFAULT, their_types.EsmClassType.SMSC_DELIVERY_RECEIPT
            ),
            short_message=text,
            network_error_code=b"\x03\x00\x01",
            message_state=their_types.MessageState.DELIVERED,
            receipted_message_id="abc",
        ),
    )


def test_query_sm_resp_matches_smpp_pdu3():
    assert_same_as_theirs(
        QuerySmResp(4, message_id="m1", message_state=MessageState.DELIVERED),
        theirs.QuerySMResp(
            seqNum=4,
            message_id=b"m1",
            final_date=None,
            message_state=their_types.MessageState.DELIVERED,
            error_code=0,
        ),
    )


def test_data_sm_matches_smpp_pdu3():
    ours = DataSm(
        6,
        source_addr="a",
        destination_addr="b",
        registered_delivery=1,
        tlvs=Tlvs(message_payload=b"hello"),
    )
    assert_same_as_theirs(
        ours,
        theirs.DataSM(
            seqNum=6,
            source_addr="a",
            destination_addr="b",
            esm_class=their_types.EsmClass(
                their_types.EsmClassMode.DEFAULT, their_types.EsmClassType.DEFAULT
            ),
            registered_delivery=their_types.RegisteredDelivery(
                their_types.RegisteredDeliveryReceipt.SMSC_DELIVERY_RECEIPT_REQUESTED
            ),
            data_coding=their_types.DataCoding(),
            message_payload=b"hello",
        ),
    )


def test_generic_nack_matches_smpp_pdu3():
    assert_same_as_theirs(
        GenericNack(5, CommandStatus.ESME_RINVCMDID),
        theirs.GenericNack(seqNum=5, status=their_types.CommandStatus.ESME_RINVCMDID),
    )


def test_submit_sm_resp_matches_smpp_pdu3():
    assert_same_as_theirs(
        SubmitSmResp(8, message_id="0a1b2c"),
        theirs.SubmitSMResp(seqNum=8, message_id=b"0a1b2c"),
    )


def test_encoding_refuses_a_one_octet_field_above_255():
    with pytest.raises(ValueError, match="SubmitSm"):
        encode_pdu(SubmitSm(data_coding=256))


def test_submit_multi_whose_body_ends_inside_a_destination_is_esme_rinvcmdlen():
    body = b"\0\x00\x00a\0\x02\x01\x01"
    status = decode_error(CommandId.SUBMIT_MULTI, body).command_status
    assert status == CommandStatus.ESME_RINVCMDLEN
