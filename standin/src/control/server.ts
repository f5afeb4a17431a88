import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { StandinContext } from '../context.js';
import { StandinError } from '../errors.js';
import { readBody } from '../http/respond.js';
import type { StandinInfo } from './info.js';
import { route } from './routes.js';

async function parseBody(request: IncomingMessage, limit: number): Promise<unknown> {
  const bytes = await readBody(request, limit);
  if (bytes === null) throw new StandinError('bad_request', `body over ${limit} bytes`);
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new StandinError('bad_request', 'body is not JSON', { field: 'body' });
  }
}

export interface ControlServer {
  readonly address: AddressInfo;
  close(): Promise<void>;
}

/** The control API listener: JSON over HTTP, errors as `{ error: { code, message, context } }`. */
export async function startControl(
  ctx: StandinContext,
  info: () => StandinInfo,
  host: string,
  port: number,
): Promise<ControlServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://control.invalid');
    const reply = (status: number, value: unknown): void => {
      const body = JSON.stringify(value);
      response.writeHead(status, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
      });
      response.end(body);
    };
    parseBody(request, ctx.options.controlBodyBytes)
      .then((body) =>
        route(ctx, info(), {
          method: request.method ?? 'GET',
          segments: url.pathname
            .split('/')
            .filter((part) => part !== '')
            .map((part) => decodeURIComponent(part)),
          query: url.searchParams,
          body,
        }),
      )
      .then((value) => reply(200, value ?? null))
      .catch((error: unknown) => {
        if (error instanceof StandinError) {
          reply(error.status, {
            error: { code: error.code, message: error.message, context: error.context },
          });
        } else {
          const message = error instanceof Error ? error.message : String(error);
          reply(500, { error: { code: 'internal', message, context: {} } });
        }
      });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
