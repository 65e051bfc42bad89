// A customer (ESME) on node-smpp for the interop tests: binds to an SMPP server, submits what
// the test writes on stdin (JSON lines), and reports every response and deliver_sm on stdout.
'use strict';

const { smpp, emit, readCommands, parseArgs, detectDataCoding, encodeText, pduFields } = require('./common');

const options = parseArgs(process.argv.slice(2), {
  host: '127.0.0.1',
  port: 2775,
  system_id: 'customer',
  password: 'secret',
  system_type: '',
  mode: 'transceiver', // transceiver, transmitter or receiver
  enquire_link_ms: 0,
});

let deliverStatus = 0; // what deliver_sm_resp answers; a test may make it refuse
let concatReference = 0;

// Parts of one long text, as a handset would count them: 153 septets or 134 octets (67 UCS-2
// units) after a 6-byte UDH, never splitting an escape (0x1B) or a surrogate pair.
function split(bytes, dataCoding) {
  const ucs2 = dataCoding === 8;
  const septets = dataCoding === 0 || dataCoding === 1;
  const single = septets ? 160 : 140;
  if (bytes.length <= single) return [bytes];
  const size = septets ? 153 : 134;
  const parts = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + size, bytes.length);
    if (end < bytes.length) {
      if (septets && bytes[end - 1] === 0x1b) end -= 1;
      if (ucs2 && bytes[end - 2] >= 0xd8 && bytes[end - 2] <= 0xdb) end -= 2;
    }
    parts.push(bytes.slice(start, end));
    start = end;
  }
  return parts;
}

function submitPdus(command) {
  const dataCoding = command.data_coding !== undefined && command.data_coding !== null
    ? command.data_coding
    : command.hex !== undefined ? 0 : detectDataCoding(command.text);
  const bytes = command.hex !== undefined ? Buffer.from(command.hex, 'hex') : encodeText(command.text, dataCoding);
  const base = {
    source_addr_ton: command.from_ton ?? 1, source_addr_npi: 1, source_addr: command.from || '',
    dest_addr_ton: command.to_ton ?? 1, dest_addr_npi: 1, destination_addr: command.to,
    registered_delivery: command.registered_delivery ?? 1, data_coding: dataCoding,
    esm_class: command.esm_class || 0, ...(command.tlvs || {}),
  };
  const long = command.long || 'udh';
  if (long === 'payload') return [{ ...base, short_message: Buffer.alloc(0), message_payload: bytes }];
  const parts = long === 'none' ? [bytes] : split(bytes, dataCoding);
  if (parts.length === 1) return [{ ...base, short_message: bytes }];
  concatReference = (concatReference + 1) % 256;
  return parts.map((part, index) => {
    if (long === 'sar') {
      return {
        ...base, short_message: part, sar_msg_ref_num: concatReference,
        sar_total_segments: parts.length, sar_segment_seqnum: index + 1,
      };
    }
    const udh = Buffer.from([5, 0, 3, concatReference, parts.length, index + 1]);
    return { ...base, esm_class: base.esm_class | 0x40, short_message: Buffer.concat([udh, part]) };
  });
}

const session = smpp.connect({
  host: options.host,
  port: options.port,
  auto_enquire_link_period: options.enquire_link_ms || undefined,
});

session.on('connect', () => {
  emit('connect', {});
  session['bind_' + options.mode]({
    system_id: options.system_id, password: options.password, system_type: options.system_type,
  }, (pdu) => emit('bound', { command_status: pdu.command_status, system_id: pdu.system_id || null }));
});
session.on('deliver_sm', (pdu) => {
  emit('deliver_sm', pduFields(pdu));
  session.send(pdu.response(deliverStatus ? { command_status: deliverStatus } : {}));
});
session.on('enquire_link', (pdu) => session.send(pdu.response()));
session.on('unbind', (pdu) => {
  emit('unbind', {});
  session.send(pdu.response());
  session.close();
});
session.on('generic_nack', (pdu) => emit('generic_nack', { sequence_number: pdu.sequence_number, command_status: pdu.command_status }));
session.on('error', (error) => emit('error', { message: String(error) }));
session.on('close', () => {
  emit('close', {});
  process.exit(0);
});

readCommands((command) => {
  switch (command.cmd) {
    case 'submit': {
      const pdus = submitPdus(command);
      pdus.forEach((params, index) => {
        const pdu = new smpp.PDU(command.command || 'submit_sm', params);
        session.send(pdu, (resp) => emit('submit_sm_resp', {
          ref: command.ref, part: index + 1, parts: pdus.length, sequence_number: resp.sequence_number,
          command_status: resp.command_status, message_id: resp.message_id ?? null,
        }));
      });
      return { parts: pdus.length };
    }
    case 'deliver_status':
      deliverStatus = command.command_status;
      return {};
    case 'enquire_link':
      session.enquire_link((resp) => emit('enquire_link_resp', { command_status: resp.command_status }));
      return {};
    case 'raw':
      // Bytes as they are, for tests of how a server takes garbage or half PDUs.
      session.socket.write(Buffer.from(command.hex, 'hex'));
      return {};
    case 'unbind':
      session.unbind((resp) => {
        emit('unbind_resp', { command_status: resp.command_status });
        session.close();
      });
      return {};
    default:
      throw new Error(`unknown command ${command.cmd}`);
  }
});
