import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestCa } from '../../support/test-ca.js';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  readonly at: number;
}

export type Handler = (request: IncomingMessage, response: ServerResponse, body: Buffer) => unknown;

export interface TestHttpsServer {
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Answers one path (query ignored); unknown paths answer 404. */
  handle(path: string, handler: Handler): void;
  close(): Promise<void>;
}

/** An HTTPS server on loopback with a certificate of the test CA for `names`. */
export async function startHttpsServer(
  ca: TestCa,
  names: readonly string[],
): Promise<TestHttpsServer> {
  const { cert, key } = ca.issue(names);
  const handlers = new Map<string, Handler>();
  const requests: RecordedRequest[] = [];
  const server = https.createServer({ cert, key }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const body = Buffer.concat(chunks);
      requests.push({
        method: request.method ?? '',
        path,
        headers: request.headers,
        body,
        at: Date.now(),
      });
      const handler = handlers.get(path.split('?')[0]!);
      if (!handler) {
        response.writeHead(404).end();
        return;
      }
      void Promise.resolve(handler(request, response, body)).catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    handle: (path, handler) => handlers.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
