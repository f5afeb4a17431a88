import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { SessionManager } from '../session/index.js';
import type { Worker } from './worker.js';

/**
 * A line-oriented control channel for scripts and the process tests, until
 * the REST API exists: one JSON command per line on `input`
 * (`{ "id", "op", "tenant", ... }`), one JSON line per reply and per event on
 * `output`. QR strings and pairing codes travel here, never in the logs.
 */
export interface ControlChannel {
  /** Writes one event line. */
  send(event: string, fields?: Record<string, unknown>): void;
  close(): void;
}

type Command = {
  readonly id?: unknown;
  readonly op?: unknown;
  readonly tenant?: unknown;
  readonly phone?: unknown;
  readonly folder?: unknown;
  readonly replace?: unknown;
};

export function openControlChannel(
  worker: Worker,
  input: Readable,
  output: Writable,
): ControlChannel {
  const send = (event: string, fields: Record<string, unknown> = {}) => {
    output.write(`${JSON.stringify({ ev: event, at: Date.now(), ...fields })}\n`);
  };
  const { manager, leases } = worker;
  manager.on('transition', (t) =>
    send('transition', {
      tenant: t.tenant,
      from: t.from,
      to: t.to,
      reason: t.reason,
      detail: t.detail,
    }),
  );
  manager.on('qr', (event) => send('qr', event));
  manager.on('paired', (event) => send('paired', event));
  manager.on('alert', (event) => send('alert', event));
  manager.on('loop', (event) => send('loop', event));
  manager.on('socket', (event) => send('socket', event));
  leases.on('acquired', (lease) => send('lease', { state: 'acquired', ...lease }));
  leases.on('revoked', (lease, reason) => send('lease', { state: 'revoked', reason, ...lease }));
  leases.on('released', (lease) => send('lease', { state: 'released', ...lease }));

  const lines = createInterface({ input });
  lines.on('line', (text) => {
    let command: Command;
    try {
      command = JSON.parse(text) as Command;
    } catch {
      send('reply', { ok: false, error: { code: 'bad_command', message: 'not JSON' } });
      return;
    }
    run(manager, command).then(
      (result) => send('reply', { id: command.id, ok: true, result }),
      (error: unknown) =>
        send('reply', {
          id: command.id,
          ok: false,
          error: {
            code: (error as { code?: unknown }).code ?? 'error',
            message: error instanceof Error ? error.message : String(error),
          },
        }),
    );
  });
  return { send, close: () => lines.close() };
}

async function run(manager: SessionManager, command: Command): Promise<unknown> {
  const tenant = String(command.tenant ?? '');
  switch (command.op) {
    case 'start':
      return manager.start(tenant);
    case 'stop':
      return manager.stop(tenant);
    case 'restart':
      return manager.restart(tenant);
    case 'reconnect':
      return manager.reconnect(tenant);
    case 'logout':
      return manager.logout(tenant);
    case 'delete':
      return manager.delete(tenant);
    case 'status':
      return manager.status(tenant) ?? null;
    case 'list':
      return manager.list();
    case 'qr':
      return manager.qr(tenant) ?? null;
    case 'qr-png':
      return (await manager.qrPng(tenant)).toString('base64');
    case 'pairing-code':
      return manager.requestPairingCode(tenant, String(command.phone ?? ''));
    case 'import':
      return manager.importFolder(tenant, String(command.folder ?? ''), {
        replace: command.replace === true,
      });
    default:
      throw Object.assign(new Error(`unknown op ${JSON.stringify(command.op)}`), {
        code: 'bad_command',
      });
  }
}
