// A carrier (SMSC) simulator on node-smpp for the interop tests: checks the bind's
// credentials, answers submit_sm / data_sm with a message id, sends delivery receipts and
// MO messages. Events go out as JSON lines on stdout, commands come in on stdin (README.md).
'use strict';

const { smpp, emit, readCommands, parseArgs, encodeText, pduFields } = require('./common');

const options = parseArgs(process.argv.slice(2), {
  host: '127.0.0.1',
  port: 0,
  system_id: 'smsgate',
  password: 'secret',
  id_format: 'hex', // the id in submit_sm_resp (and receipted_message_id): hex or dec
  receipt_id_format: '', // the id in the receipt text; empty means the same as id_format
  id_pad: 0, // leading zeros up to this width
  delay_ms: 0, // before each submit_sm_resp
  receipt_delay_ms: 0, // after the submit_sm_resp, before the receipt
  receipts: 'requested', // requested (registered_delivery asks), always, never
  receipt_tlvs: 'on', // receipted_message_id and message_state TLVs on receipts
  throttle_first: 0, // answer the first N submits with ESME_RTHROTTLED
});

const MESSAGE_STATE = {
  ENROUTE: 1, DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, ACCEPTD: 6, UNKNOWN: 7, REJECTD: 8,
};

const state = {
  delay_ms: options.delay_ms,
  receipt_delay_ms: options.receipt_delay_ms,
  receipts: options.receipts,
  receipt_tlvs: options.receipt_tlvs === 'on',
  reject_next: options.throttle_first,
  reject_status: smpp.ESME_RTHROTTLED,
};

let nextNumber = 3000000000; // ids above 2^31 catch a parser that keeps them in an int32
let nextSession = 0;
const sessions = new Set();
const submitted = new Map(); // message id -> what a receipt needs to know
const waiting = []; // deliver_sm that no receiving bind has taken yet

function formatId(number, format) {
  const digits = format === 'dec' ? number.toString(10) : number.toString(16);
  return digits.padStart(options.id_pad, '0');
}

function smppDate(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return pad(date.getUTCFullYear() % 100) + pad(date.getUTCMonth() + 1) + pad(date.getUTCDate()) +
    pad(date.getUTCHours()) + pad(date.getUTCMinutes());
}

// Receipt text goes out as data_coding 0, which some read as ASCII and some as GSM 03.38:
// only the characters both tables agree on are kept.
function receiptSafe(text) {
  return text.replace(/[^A-Za-z0-9 !"#%&'()*+,\-./:;<=>?]/g, '?');
}

function canReceive(session) {
  return session.bound && session.mode !== 'transmitter';
}

// Receipts and MOs go to a receiving bind of the same system_id; with none bound they wait,
// and those sent on a connection that dropped before the deliver_sm_resp are sent again.
function route(item) {
  const target = [...sessions].find((s) => canReceive(s) && s.system_id === item.system_id);
  if (!target) {
    waiting.push(item);
    return;
  }
  const pdu = new smpp.PDU('deliver_sm', { ...item.params });
  target.outstanding.set(item, true);
  target.send(pdu, (resp) => {
    target.outstanding.delete(item);
    emit('deliver_sm_resp', {
      session: target.id, kind: item.kind, message_id: item.message_id || null,
      sequence_number: resp.sequence_number, command_status: resp.command_status,
    });
  });
  emit('deliver_sm_sent', {
    session: target.id, kind: item.kind, message_id: item.message_id || null,
    sequence_number: pdu.sequence_number, ...pduFields(pdu),
  });
}

function flushWaiting() {
  for (const item of waiting.splice(0)) route(item);
}

function receiptItem(messageId, stat, err) {
  const original = submitted.get(messageId);
  if (!original) throw new Error(`no submit with message id ${messageId}`);
  const now = new Date();
  const textId = formatId(original.number, options.receipt_id_format || options.id_format);
  const text = `id:${textId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} ` +
    `submit date:${smppDate(original.at)} done date:${smppDate(now)} stat:${stat} err:${err} ` +
    `text:${original.text.slice(0, 20)}`;
  const params = {
    source_addr_ton: original.dest_addr_ton, source_addr_npi: original.dest_addr_npi,
    source_addr: original.destination_addr,
    dest_addr_ton: original.source_addr_ton, dest_addr_npi: original.source_addr_npi,
    destination_addr: original.source_addr,
    esm_class: 0x04, data_coding: 0, short_message: Buffer.from(text, 'ascii'),
  };
  if (state.receipt_tlvs) {
    params.receipted_message_id = messageId;
    params.message_state = MESSAGE_STATE[stat] || MESSAGE_STATE.UNKNOWN;
    if (err !== '000') {
      const code = Number(err);
      params.network_error_code = Buffer.from([3, (code >> 8) & 0xff, code & 0xff]);
    }
  }
  return { kind: 'receipt', system_id: original.system_id, message_id: messageId, params };
}

function onSubmit(session, pdu) {
  const fields = pduFields(pdu);
  let status = 0;
  if (!session.bound || session.mode === 'receiver') status = smpp.ESME_RINVBNDSTS;
  else if (state.reject_next > 0) {
    state.reject_next -= 1;
    status = state.reject_status;
  }
  let messageId = null;
  if (status === 0) {
    const number = nextNumber++;
    messageId = formatId(number, options.id_format);
    submitted.set(messageId, {
      number, at: new Date(), system_id: session.system_id, text: receiptSafe(fields.text || ''),
      source_addr_ton: pdu.source_addr_ton, source_addr_npi: pdu.source_addr_npi, source_addr: pdu.source_addr,
      dest_addr_ton: pdu.dest_addr_ton, dest_addr_npi: pdu.dest_addr_npi, destination_addr: pdu.destination_addr,
    });
  }
  emit(pdu.command, { session: session.id, message_id: messageId, command_status: status, ...fields });
  const wantsReceipt = state.receipts === 'always' ||
    (state.receipts === 'requested' && (pdu.registered_delivery & 0x03) !== 0);
  const answer = () => {
    const sent = session.send(pdu.response(status ? { command_status: status } : { message_id: messageId }));
    emit(pdu.command + '_resp', {
      session: session.id, sequence_number: pdu.sequence_number, message_id: messageId,
      command_status: status, sent,
    });
    if (sent && status === 0 && wantsReceipt) {
      setTimeout(() => route(receiptItem(messageId, 'DELIVRD', '000')), state.receipt_delay_ms);
    }
  };
  if (state.delay_ms > 0) setTimeout(answer, state.delay_ms);
  else answer();
}

function onBind(session, pdu) {
  let status = 0;
  if (session.bound) status = smpp.ESME_RALYBND;
  else if (pdu.system_id !== options.system_id) status = smpp.ESME_RINVSYSID;
  else if (pdu.password !== options.password) status = smpp.ESME_RINVPASWD;
  emit('bind', {
    session: session.id, command: pdu.command, system_id: pdu.system_id, password: pdu.password,
    system_type: pdu.system_type, interface_version: pdu.interface_version, command_status: status,
  });
  session.send(pdu.response({ command_status: status, system_id: 'nodesmsc' }));
  if (status !== 0) return;
  session.bound = true;
  session.mode = pdu.command.replace('bind_', '');
  session.system_id = pdu.system_id;
  if (canReceive(session)) flushWaiting();
}

const server = smpp.createServer((session) => {
  session.id = ++nextSession;
  session.bound = false;
  session.outstanding = new Map();
  sessions.add(session);
  emit('connect', { session: session.id, remote_port: session.socket.remotePort });
  session.on('bind_transceiver', (pdu) => onBind(session, pdu));
  session.on('bind_transmitter', (pdu) => onBind(session, pdu));
  session.on('bind_receiver', (pdu) => onBind(session, pdu));
  session.on('submit_sm', (pdu) => onSubmit(session, pdu));
  session.on('data_sm', (pdu) => onSubmit(session, pdu));
  session.on('enquire_link', (pdu) => {
    emit('enquire_link', { session: session.id });
    session.send(pdu.response());
  });
  session.on('unbind', (pdu) => {
    emit('unbind', { session: session.id });
    session.send(pdu.response());
    session.close();
  });
  session.on('unknown', (pdu) => {
    emit('unknown', { session: session.id, command_id: pdu.command_id });
    session.send(pdu.response());
  });
  session.on('error', (error) => emit('error', { session: session.id, message: String(error) }));
  session.on('close', () => {
    sessions.delete(session);
    emit('close', { session: session.id });
    for (const item of session.outstanding.keys()) waiting.push(item);
    session.outstanding.clear();
    flushWaiting();
  });
});

readCommands((command) => {
  switch (command.cmd) {
    case 'mo': {
      const dataCoding = command.data_coding || 0;
      const bytes = command.hex !== undefined ? Buffer.from(command.hex, 'hex') : encodeText(command.text, dataCoding);
      route({
        kind: 'mo',
        system_id: command.system_id || options.system_id,
        params: {
          source_addr: command.from, destination_addr: command.to, source_addr_ton: command.from_ton || 1,
          source_addr_npi: 1, dest_addr_ton: command.to_ton || 0, dest_addr_npi: 1,
          esm_class: command.esm_class || 0, data_coding: dataCoding, short_message: bytes,
        },
      });
      return { waiting: waiting.length };
    }
    case 'receipt':
      route(receiptItem(command.message_id, command.stat || 'DELIVRD', command.err || '000'));
      return {};
    case 'drop': {
      const count = sessions.size;
      for (const session of sessions) session.destroy();
      return { dropped: count };
    }
    case 'config':
      for (const key of Object.keys(state)) if (key in command) state[key] = command[key];
      return { state };
    default:
      throw new Error(`unknown command ${command.cmd}`);
  }
});

server.listen(options.port, options.host, () => emit('listening', { port: server.address().port }));
