import type { Readable, Writable } from 'node:stream';
import type WebSocket from 'ws';

/** How DevTools messages travel: a WebSocket (`--remote-debugging-port`) or a pipe. */
export interface CdpTransport {
  send(text: string): void;
  onMessage(listener: (text: string) => void): void;
  onClose(listener: () => void): void;
  close(): void;
}

/** DevTools over `--remote-debugging-port`'s WebSocket. */
export function wsTransport(ws: WebSocket): CdpTransport {
  return {
    send: (text) => ws.send(text),
    onMessage: (listener) => ws.on('message', (data) => listener(String(data))),
    onClose: (listener) => ws.on('close', listener),
    close: () => ws.close(),
  };
}

/**
 * DevTools over `--remote-debugging-pipe`: Chromium reads commands on its
 * descriptor 3 and writes replies on 4, each message ended by a NUL byte.
 * Used where the suite cannot reach Chromium's loopback (a Chromium in a
 * network namespace of its own).
 */
export function pipeTransport(input: Writable, output: Readable): CdpTransport {
  const messages: ((text: string) => void)[] = [];
  let pending = Buffer.alloc(0);
  output.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (let end = pending.indexOf(0); end >= 0; end = pending.indexOf(0)) {
      const text = pending.subarray(0, end).toString('utf8');
      pending = pending.subarray(end + 1);
      for (const listener of messages) listener(text);
    }
  });
  input.on('error', () => undefined);
  return {
    send: (text) => void input.write(`${text}\0`),
    onMessage: (listener) => void messages.push(listener),
    onClose: (listener) => void output.once('close', listener),
    close: () => input.end(),
  };
}
