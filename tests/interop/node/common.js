// What the node-smpp peers (smsc.js, esme.js) share: the JSON-lines control channel,
// text coding through node-smpp's own tables, and PDU fields as JSON.
'use strict';

const readline = require('readline');
const smpp = require('smpp');

// Keep short_message, message_payload and times as they came off the wire: the tests want
// the bytes a peer sent, not node-smpp's reading of them (it decodes data_coding 0 and 1 alike).
smpp.filters.message.decode = (value) => value;
smpp.filters.time.decode = (value) => value;

function emit(event, fields) {
  process.stdout.write(JSON.stringify({ event, ...fields }) + '\n');
}

// One JSON object per stdin line; the process ends when the test closes stdin.
function readCommands(handle) {
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    let command;
    try {
      command = JSON.parse(line);
    } catch (error) {
      emit('error', { where: 'stdin', message: String(error) });
      return;
    }
    try {
      const result = handle(command) || {};
      emit('done', { cmd: command.cmd, ref: command.ref, ...result });
    } catch (error) {
      emit('done', { cmd: command.cmd, ref: command.ref, error: String(error.stack || error) });
    }
  });
  lines.on('close', () => process.exit(0));
}

function parseArgs(argv, defaults) {
  const options = { ...defaults };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-/g, '_');
    if (!(key in defaults)) throw new Error(`unknown option ${argv[i]}`);
    const value = argv[i + 1];
    options[key] = typeof defaults[key] === 'number' ? Number(value) : value;
  }
  return options;
}

// node-smpp's encoder name for a data_coding; 0 is read with its default table (GSM 03.38).
function encodingFor(dataCoding) {
  if (dataCoding === 0) return smpp.encodings.default;
  const name = { 1: 'ASCII', 3: 'LATIN1', 8: 'UCS2' }[dataCoding];
  if (!name) throw new Error(`no text encoding for data_coding ${dataCoding}; send hex`);
  return name;
}

// What node-smpp itself picks for a text with no data_coding: GSM text goes out as 1.
function detectDataCoding(text) {
  return smpp.consts.ENCODING[smpp.encodings.detect(text)];
}

function encodeText(text, dataCoding) {
  return smpp.encodings[encodingFor(dataCoding)].encode(text);
}

function decodeText(bytes, dataCoding, esmClass) {
  let body = bytes;
  if (esmClass & 0x40 && body.length) body = body.slice(body[0] + 1);
  try {
    return smpp.encodings[encodingFor(dataCoding & 0x0f)].decode(body);
  } catch (error) {
    return null;
  }
}

function jsonValue(value) {
  return Buffer.isBuffer(value) ? value.toString('hex') : value;
}

// Mandatory fields by name; TLVs by name, unknown ones as "0x1234"; bytes as hex.
function pduFields(pdu) {
  const params = smpp.commands[pdu.command].params || {};
  const fields = { command: pdu.command, sequence_number: pdu.sequence_number };
  for (const key of Object.keys(params)) {
    if (key in pdu) fields[key] = jsonValue(pdu[key]);
  }
  const tlvs = {};
  for (const key of Object.keys(pdu)) {
    if (key in params) continue;
    if (key in smpp.tlvs) tlvs[key] = jsonValue(pdu[key]);
    else if (/^\d+$/.test(key)) tlvs['0x' + Number(key).toString(16).padStart(4, '0')] = jsonValue(pdu[key]);
  }
  fields.tlvs = tlvs;
  const body = pdu.message_payload && pdu.message_payload.length ? pdu.message_payload : pdu.short_message;
  if (Buffer.isBuffer(body) && 'data_coding' in pdu) {
    fields.text = decodeText(body, pdu.data_coding, pdu.esm_class || 0);
  }
  return fields;
}

module.exports = {
  smpp,
  emit,
  readCommands,
  parseArgs,
  detectDataCoding,
  encodeText,
  decodeText,
  pduFields,
};
