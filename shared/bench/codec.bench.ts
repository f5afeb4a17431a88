/**
 * Codec throughput: MB/s for 64 KiB body chunks and nanoseconds per small
 * control frame, encode and decode. Prints figures; asserts nothing.
 */
import { decodeMessage, encodeMessage } from '../src/codec.js';
import type { Message } from '../src/codec.js';
import { PROTOCOL_DEFAULTS } from '../src/defaults.js';

const MAX = PROTOCOL_DEFAULTS.maxFrameSize;

function time(label: string, iterations: number, run: () => void): number {
  for (let warm = 0; warm < Math.min(iterations, 2_000); warm++) run();
  const start = process.hrtime.bigint();
  for (let index = 0; index < iterations; index++) run();
  const nanos = Number(process.hrtime.bigint() - start);
  return nanos / iterations;
}

const chunk: Message = {
  kind: 'body',
  streamId: 7,
  connectionId: 3,
  data: crypto.getRandomValues(new Uint8Array(64 * 1024)),
};
const chunkWire = encodeMessage(chunk, MAX);

const small: Message[] = [
  { kind: 'ping', sentAt: Date.now() },
  { kind: 'credit', streamId: 7, connectionId: 3, bytes: 65_536 },
  { kind: 'ws-message', streamId: 1, connectionId: 3, binary: true, data: new Uint8Array(48) },
];
const head: Message = {
  kind: 'request-head',
  streamId: 9,
  connectionId: 3,
  body: {
    method: 'GET',
    url: 'https://mmg.whatsapp.net/v/t62.7118-24/12345_67890.enc?ccb=11-4&oh=01_Q5&oe=6789',
    headers: [
      ['origin', 'https://web.whatsapp.com'],
      ['accept', '*/*'],
    ],
    deadlineMs: 30_000,
    replaySafe: true,
    bodyLength: null,
    leg: 'download',
  },
};

const rows: [string, string][] = [];
const chunkMb = chunk.data.byteLength / 1e6;
const encodeChunk = time('encode 64 KiB', 5_000, () => encodeMessage(chunk, MAX));
const decodeChunk = time('decode 64 KiB', 5_000, () => decodeMessage(chunkWire, MAX));
rows.push(['encode body chunk, 64 KiB', `${(chunkMb / (encodeChunk / 1e9)).toFixed(0)} MB/s`]);
rows.push([
  'decode body chunk, 64 KiB (a view, no copy)',
  `${(chunkMb / (decodeChunk / 1e9)).toFixed(0)} MB/s`,
]);
for (const message of [...small, head]) {
  const wire = encodeMessage(message, MAX);
  const encode = time(message.kind, 200_000, () => encodeMessage(message, MAX));
  const decode = time(message.kind, 200_000, () => decodeMessage(wire, MAX));
  rows.push([
    `${message.kind} (${wire.byteLength} B)`,
    `encode ${encode.toFixed(0)} ns, decode ${decode.toFixed(0)} ns`,
  ]);
}

const width = Math.max(...rows.map(([label]) => label.length));
process.stdout.write(`shared codec benchmark (node ${process.version})\n`);
for (const [label, figure] of rows) process.stdout.write(`  ${label.padEnd(width)}  ${figure}\n`);
