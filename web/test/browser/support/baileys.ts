import type { Agent } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import makeWASocket, { useMultiFileAuthState } from '@whiskeysockets/baileys';
import type { WAMessage, WASocket } from '@whiskeysockets/baileys';
import { createEgress } from '@pasarela/session-worker/egress';
import type { TenantEgress } from '@pasarela/session-worker/egress';
import type { Standin } from '@pasarela/standin';

/** Baileys' own timings, shortened so a stall shows within seconds. */
export const BAILEYS_TIMINGS = {
  keepAliveIntervalMs: 5_000,
  connectTimeoutMs: 10_000,
  defaultQueryTimeoutMs: 15_000,
} as const;

const silent = {
  level: 'silent',
  child: () => silent,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export interface BaileysClient {
  readonly sock: WASocket;
  readonly qr: Promise<string>;
  /** Resolves when the connection opens; rejects if it closes first. */
  readonly opened: Promise<void>;
  /** Baileys' disconnect status once the socket closed, after pending creds were saved. */
  readonly closed: Promise<number | undefined>;
  readonly received: WAMessage[];
  stop(): Promise<void>;
}

/** A folder of Baileys multi-file creds kept across the sockets of one account. */
export async function credsFolder(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pasarela-browser-creds-'));
  // Baileys may still write keys just after its socket closed: a busy folder is retried.
  return { dir, remove: () => rm(dir, { recursive: true, force: true, maxRetries: 5 }) };
}

/** The product's tenant egress in direct mode, reaching the stand-in by its host map. */
export function directEgress(standin: Standin, tenant: string): TenantEgress {
  return createEgress({
    tenant,
    policy: 'direct',
    hostMap: standin.hostMap,
    ca: standin.caPem,
    production: false,
  });
}

/**
 * Real, unmodified Baileys. Its media go through the tenant egress
 * (direct); its WebSocket goes through `socketAgent`, the egress's own agent
 * unless the test relays it through the room and the page.
 */
export async function startBaileys(
  egress: TenantEgress,
  credsDir: string,
  socketAgent: Agent = egress.agent,
): Promise<BaileysClient> {
  const { state, saveCreds } = await useMultiFileAuthState(credsDir);
  const sock = makeWASocket({
    auth: state,
    logger: silent,
    agent: socketAgent,
    fetchAgent: egress.agent,
    options: { dispatcher: egress.dispatcher } as RequestInit,
    ...BAILEYS_TIMINGS,
  });
  let saving: Promise<void> = Promise.resolve();
  sock.ev.on('creds.update', () => {
    saving = saving.then(saveCreds);
  });
  const received: WAMessage[] = [];
  sock.ev.on('messages.upsert', ({ messages }) => received.push(...messages));
  let showQr: (qr: string) => void = () => undefined;
  const qr = new Promise<string>((done) => (showQr = done));
  let open: () => void = () => undefined;
  let failOpen: (error: Error) => void = () => undefined;
  const opened = new Promise<void>((done, fail) => {
    open = done;
    failOpen = fail;
  });
  opened.catch(() => undefined);
  const closed = new Promise<number | undefined>((done) => {
    sock.ev.on('connection.update', (update) => {
      if (update.qr) showQr(update.qr);
      if (update.connection === 'open') open();
      if (update.connection !== 'close') return;
      const error = update.lastDisconnect?.error as
        { output?: { statusCode?: number } } | undefined;
      const status = error?.output?.statusCode;
      failOpen(new Error(`Baileys closed before opening, status ${status}`));
      void saving.then(() => done(status));
    });
  });
  let stopping: Promise<void> | null = null;
  return {
    sock,
    qr,
    opened,
    closed,
    received,
    stop() {
      stopping ??= (async () => {
        sock.end(undefined);
        await closed;
      })();
      return stopping;
    },
  };
}

/**
 * Pairs a fresh account by QR with the stand-in's phone, lets Baileys take
 * the 515 restart, and logs in with the saved creds. Every socket gets its
 * agent from `socketAgent`.
 */
export async function pairAndLogIn(
  standin: Standin,
  egress: TenantEgress,
  credsDir: string,
  socketAgent?: Agent,
): Promise<{ client: BaileysClient; phone: string }> {
  const pairing = await startBaileys(egress, credsDir, socketAgent);
  const { phone } = await standin.control.scanQr(await pairing.qr);
  const restart = await pairing.closed;
  if (restart !== 515) throw new Error(`pairing ended with ${restart}, not the 515 restart`);
  const client = await startBaileys(egress, credsDir, socketAgent);
  await client.opened;
  return { client, phone };
}
