import WebSocket from 'ws';
import type { TestSocket } from '../support/target.js';

/** The parts of a `ws` client that say whether the peer's close frame arrived. */
interface CloseFrameState {
  _closeFrameReceived: boolean;
  _closeCode: number;
}

/**
 * A `ws` client socket. Local workerd keeps the TCP link of a hibernatable
 * socket open after it sends its close frame (a closing handshake the
 * client answers but the runtime never ends), so `ws` would report the
 * close only after its 30 s closing timeout; the close frame itself is what
 * tells the test the room closed, and the link is then dropped here.
 */
export function openNodeSocket(
  url: string,
  headers: Record<string, string> = {},
): Promise<TestSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    let settle: (code: number) => void = () => {};
    const closed = new Promise<{ code: number }>((done) => {
      let settled = false;
      settle = (code) => {
        if (settled) return;
        settled = true;
        clearInterval(watch);
        done({ code });
      };
      const watch = setInterval(() => {
        const state = ws as unknown as CloseFrameState;
        if (state._closeFrameReceived) {
          settle(state._closeCode);
          ws.terminate();
        }
      }, 10);
    });
    const early: Array<Uint8Array | string> = [];
    let deliver: ((data: Uint8Array | string) => void) | null = null;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const message = isBinary
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : data.toString('utf8');
      if (deliver) deliver(message);
      else early.push(message);
    });
    ws.on('close', (code) => settle(code));
    ws.on('error', (error) => {
      settle(1006);
      reject(error);
    });
    ws.on('open', () =>
      resolve({
        send: (data) => ws.send(data),
        close: (code, reason) => ws.close(code, reason),
        terminate: () => ws.terminate(),
        onMessage: (listener) => {
          deliver = listener;
          for (const message of early.splice(0)) listener(message);
        },
        closed,
      }),
    );
  });
}
