import { abortAllDurableObjects, env } from 'cloudflare:test';
import { describe } from 'vitest';
import { parseBrokerConfig, parseTokenKeys } from '../../src/core/config.js';
import { describeBehaviour } from '../behaviour/suite.js';
import type { BehaviourTarget, TestSocket } from '../support/target.js';

const ORIGIN = 'http://broker.test';

/** Wraps a socket right after `accept()`: events start flowing then, listener or not. */
function wrap(socket: WebSocket): TestSocket {
  const closed = new Promise<{ code: number }>((resolve) => {
    socket.addEventListener('close', (event) => resolve({ code: event.code }));
    socket.addEventListener('error', () => resolve({ code: 1006 }));
  });
  const early: Array<Uint8Array | string> = [];
  let deliver: ((data: Uint8Array | string) => void) | null = null;
  socket.addEventListener('message', (event) => {
    const data: unknown = event.data;
    const message = data instanceof ArrayBuffer ? new Uint8Array(data) : String(data);
    if (deliver) deliver(message);
    else early.push(message);
  });
  return {
    send: (data) => socket.send(data),
    close: (code, reason) => socket.close(code, reason),
    // A Worker cannot drop a TCP link without a close frame; 1011 is as abrupt as it gets.
    terminate: () => socket.close(1011, 'gone'),
    onMessage: (listener) => {
      deliver = listener;
      for (const message of early.splice(0)) listener(message);
    },
    closed,
  };
}

/**
 * The bundled production Worker, run by the Workers Vitest pool inside
 * workerd beside the test runner and reached through its service binding.
 */
const target: BehaviourTarget = {
  name: 'workerd',
  config: parseBrokerConfig(env.BROKER_CONFIG),
  keys: parseTokenKeys(env.TOKEN_KEYS),
  async open(path) {
    const response = await env.BROKER.fetch(ORIGIN + path, { headers: { upgrade: 'websocket' } });
    const socket = response.webSocket;
    if (!socket) throw new Error(`no WebSocket for ${path}: HTTP ${response.status}`);
    socket.accept();
    // Under the standard binary type (recent compatibility dates) binary
    // messages would otherwise arrive as Blobs.
    socket.binaryType = 'arraybuffer';
    return wrap(socket);
  },
  fetch: (path, init) => env.BROKER.fetch(ORIGIN + path, init),
  // Aborts every Durable Object of the process, the broker's included, keeping storage.
  restart: () => abortAllDurableObjects(),
};

describe('broker inside workerd (Workers Vitest pool)', () => {
  describeBehaviour(() => target, 'workers');
});
