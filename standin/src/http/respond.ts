import type { AccountFaults, FaultBoard } from '../faults.js';
import type { RequestRecord } from '../records.js';
import type { AnyRequest } from './request-info.js';

/** What the stand-in uses of an HTTP/1.1 or HTTP/2 (compatibility API) response. */
export interface AnyResponse {
  readonly headersSent: boolean;
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: Buffer): boolean;
  end(): unknown;
  end(chunk: Buffer | string): unknown;
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
  destroy(error?: Error): unknown;
}

/** Says plainly on every answer that this is the project's stand-in. */
export const SERVER_HEADER = { server: 'pasarela-standin (local test tool, not WhatsApp)' };

/** Writes the status line and headers, and notes both in the request's record. */
export function writeHead(
  record: RequestRecord,
  response: AnyResponse,
  status: number,
  headers: Record<string, string>,
): void {
  const all = { ...SERVER_HEADER, ...headers };
  record.status = status;
  record.responseHeaders = all;
  response.writeHead(status, all);
}

/** Bytes a stalled body sends before it stops: enough for the client to see the body start. */
const STALL_PREFIX_BYTES = 16 * 1024;

/**
 * Resolves once `held` is false for the account, or with false if the
 * response closed first (the client gave up).
 */
export function waitWhile(
  faults: FaultBoard,
  account: string | null,
  held: (faults: AccountFaults) => boolean,
  response: AnyResponse,
): Promise<boolean> {
  if (!held(faults.forAccount(account))) return Promise.resolve(true);
  return new Promise((resolve) => {
    const finish = (open: boolean): void => {
      faults.off('account', check);
      response.off('close', onClose);
      resolve(open);
    };
    const check = (): void => {
      if (!held(faults.forAccount(account))) finish(true);
    };
    const onClose = (): void => finish(false);
    faults.on('account', check);
    response.once('close', onClose);
  });
}

/**
 * Sends a complete answer, applying the account's media faults: hold before
 * the headers, or stall after the headers and the first bytes of the body.
 */
export async function respond(
  faults: FaultBoard,
  record: RequestRecord,
  response: AnyResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer,
  head = false,
): Promise<void> {
  const account = record.account;
  if (!(await waitWhile(faults, account, (f) => f.holdMediaHeaders, response))) return;
  writeHead(record, response, status, headers);
  if (head || body.length === 0) {
    response.end();
    return;
  }
  if (faults.forAccount(account).stallMediaBody) {
    const prefix = body.subarray(0, Math.min(STALL_PREFIX_BYTES, Math.floor(body.length / 2)));
    response.write(prefix);
    if (!(await waitWhile(faults, account, (f) => f.stallMediaBody, response))) return;
    response.end(body.subarray(prefix.length));
    return;
  }
  response.end(body);
}

/** Reads a request body up to `limit` bytes; null when it is larger. */
export function readBody(request: AnyRequest, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}
