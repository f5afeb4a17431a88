import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { Agent } from 'node:https';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { HeaderList, Message, WsOpened } from '@pasarela/shared';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { listenLocal } from './ports.js';
import type { RoomWorker } from './room-worker.js';

/** Handshake headers of the client's own upgrade, never part of what it asks the upstream for. */
const HANDSHAKE_HEADERS = new Set([
  'host',
  'connection',
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
]);

/** One upstream WebSocket carried through the room, as the bridge saw it. */
export interface BridgedSocket {
  readonly streamId: number;
  readonly connectionId: number;
  /** The peer's WsOpened, or the code of its Reset. */
  opened: WsOpened | null;
  refused: string | null;
  /** Ended by either side (a WsClose or a Reset from the room, or Baileys' close). */
  ended: boolean;
  messagesUp: number;
  messagesDown: number;
}

function validCloseCode(code: number): number {
  return code >= 1000 && code <= 4999 && code !== 1005 && code !== 1006 ? code : 1000;
}

/**
 * The worker's WebSocket leg, played by the test until the session
 * worker's own tunnel is there: Baileys' `agent` hands its socket to a
 * local server (in clear text, as the egress does), and each upgrade
 * becomes a WsOpen through the room to the page, which opens
 * `wss://web.whatsapp.com/ws/chat` itself. Messages keep their boundaries
 * and binary bit both ways; closes carry their codes; a Reset refuses the
 * upgrade at once.
 */
export class SocketBridge {
  readonly sockets: BridgedSocket[] = [];
  readonly agent: Agent;
  readonly #worker: RoomWorker;
  readonly #server: Server;
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  readonly #deadlineMs: number;
  #port = 0;

  private constructor(worker: RoomWorker, deadlineMs: number) {
    this.#worker = worker;
    this.#deadlineMs = deadlineMs;
    this.#server = createServer((_request, response) => response.writeHead(404).end());
    this.#server.on('upgrade', (request, socket, head) => this.#upgrade(request, socket, head));
    const port = (): number => this.#port;
    class BridgeAgent extends Agent {
      override createConnection(): Duplex {
        return connect(port(), '127.0.0.1');
      }
    }
    this.agent = new BridgeAgent();
  }

  static async start(worker: RoomWorker, deadlineMs: number): Promise<SocketBridge> {
    const bridge = new SocketBridge(worker, deadlineMs);
    bridge.#port = await listenLocal(bridge.#server);
    return bridge;
  }

  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    this.#server.closeAllConnections();
    await new Promise<void>((done) => this.#server.close(() => done()));
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const ids = this.#worker.ids();
    const record: BridgedSocket = {
      ...ids,
      opened: null,
      refused: null,
      ended: false,
      messagesUp: 0,
      messagesDown: 0,
    };
    this.sockets.push(record);
    const headers: HeaderList = [];
    for (let i = 0; i < request.rawHeaders.length; i += 2) {
      const name = request.rawHeaders[i] ?? '';
      if (!HANDSHAKE_HEADERS.has(name.toLowerCase())) {
        headers.push([name, request.rawHeaders[i + 1] ?? '']);
      }
    }
    let client: WebSocket | null = null;
    const unsubscribe = this.#worker.subscribe(ids.streamId, (message: Message) => {
      switch (message.kind) {
        case 'ws-opened':
          record.opened = message.body;
          this.#wss.handleUpgrade(request, socket, head, (ws) => {
            client = ws;
            this.#pipe(ws, record, unsubscribe);
          });
          return;
        case 'ws-message':
          record.messagesDown += 1;
          client?.send(message.data, { binary: message.binary });
          return;
        case 'ws-close':
          record.ended = true;
          unsubscribe();
          client?.close(validCloseCode(message.body.code), message.body.reason);
          return;
        case 'reset':
          record.ended = true;
          unsubscribe();
          record.refused = message.body.code;
          if (client) client.terminate();
          else
            socket.end(
              'HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n',
            );
          return;
        default:
          return;
      }
    });
    this.#worker.send({
      kind: 'ws-open',
      ...ids,
      body: {
        url: `wss://${request.headers.host ?? 'web.whatsapp.com'}${request.url ?? '/'}`,
        protocols: [],
        headers,
        deadlineMs: this.#deadlineMs,
      },
    });
  }

  #pipe(ws: WebSocket, record: BridgedSocket, unsubscribe: () => void): void {
    const ids = { streamId: record.streamId, connectionId: record.connectionId };
    ws.on('message', (data: Buffer, binary: boolean) => {
      record.messagesUp += 1;
      this.#worker.send({ kind: 'ws-message', ...ids, binary, data: new Uint8Array(data) });
    });
    ws.on('close', (code, reason) => {
      if (record.ended) return;
      record.ended = true;
      unsubscribe();
      this.#worker.send({
        kind: 'ws-close',
        ...ids,
        body: { code: validCloseCode(code), reason: reason.toString().slice(0, 123) },
      });
    });
    ws.on('error', () => undefined);
  }
}
