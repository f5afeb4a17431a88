import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import makeWASocket, {
  useMultiFileAuthState,
  type BaileysEventMap,
  type ConnectionState,
  type WAMessage,
  type WAMessageUpdate,
  type WASocket,
} from '@whiskeysockets/baileys';
import { createEgress, type TenantEgress } from '@pasarela/session-worker/egress';
import type { PhoneChoice, Standin } from '../../src/index.js';
import { capturingLogger, type CapturingLogger } from './logger.js';

/** Baileys' settings the tests shorten, so a stall shows within seconds, not minutes. */
export const TEST_TIMINGS = {
  keepAliveIntervalMs: 1_000,
  connectTimeoutMs: 5_000,
  /** Any query the stand-in failed to answer would hold the connection this long. */
  defaultQueryTimeoutMs: 15_000,
} as const;

export interface CloseInfo {
  readonly statusCode: number | undefined;
  readonly message: string | undefined;
  readonly at: number;
}

export interface Client {
  readonly sock: WASocket;
  readonly egress: TenantEgress;
  readonly logger: CapturingLogger;
  /** Every QR string Baileys emitted. */
  readonly qrs: string[];
  /** Every `connection.update` Baileys emitted, in order. */
  readonly updates: Partial<ConnectionState>[];
  readonly startedAt: number;
  /** Resolves on `connection: 'open'`; rejects if the socket closes first. */
  readonly opened: Promise<number>;
  /** Resolves with Baileys' disconnect status once the socket closes. */
  readonly closed: Promise<CloseInfo>;
  /** The first QR, once Baileys emits it. */
  readonly firstQr: Promise<string>;
  /** Every message Baileys upserted, with the upsert's type (`notify` live, `append` backlog). */
  readonly upserts: { readonly type: string; readonly message: WAMessage }[];
  /** Every `messages.update` entry (status changes from receipts). */
  readonly messageUpdates: WAMessageUpdate[];
  /** Every `messaging-history.set` Baileys emitted. */
  readonly histories: BaileysEventMap['messaging-history.set'][];
  /**
   * Resolves once Baileys finished its initial sync: the history is in
   * (`messaging-history.set`) and the app-state sync is done and counted in
   * `creds.accountSyncCounter`; with the ms since start. Only a first login has one.
   */
  readonly synced: Promise<number>;
  /** Ends the socket if open and waits for the close; closes the egress. */
  stop(): Promise<CloseInfo>;
}

/** A folder of Baileys multi-file creds, as an app keeps them across restarts. */
export interface AuthFolder {
  readonly dir: string;
  remove(): Promise<void>;
}

export async function authFolder(): Promise<AuthFolder> {
  const dir = await mkdtemp(join(tmpdir(), 'pasarela-standin-auth-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

let tenantSeq = 0;

export interface ClientOptions {
  readonly keepAliveIntervalMs?: number;
  readonly connectTimeoutMs?: number;
  readonly defaultQueryTimeoutMs?: number;
  /** How long Baileys shows each QR ref (its default: 60 s for the first, 20 s after). */
  readonly qrTimeout?: number;
  readonly tenant?: string;
}

/**
 * Real, unmodified Baileys reaching the stand-in through the product's tenant
 * egress (direct policy, the stand-in's host map and CA), with its creds read
 * from and saved to `auth` the way an app does.
 */
export async function startClient(
  standin: Standin,
  auth: AuthFolder,
  options: ClientOptions = {},
): Promise<Client> {
  const egress = createEgress({
    tenant: options.tenant ?? `standin-test-${process.pid}-${++tenantSeq}`,
    policy: 'direct',
    hostMap: standin.hostMap,
    ca: standin.caPem,
  });
  const { state, saveCreds } = await useMultiFileAuthState(auth.dir);
  const logger = capturingLogger();
  const sock = makeWASocket({
    auth: state,
    logger,
    agent: egress.agent,
    fetchAgent: egress.agent,
    options: { dispatcher: egress.dispatcher } as RequestInit,
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? TEST_TIMINGS.keepAliveIntervalMs,
    connectTimeoutMs: options.connectTimeoutMs ?? TEST_TIMINGS.connectTimeoutMs,
    defaultQueryTimeoutMs: options.defaultQueryTimeoutMs ?? TEST_TIMINGS.defaultQueryTimeoutMs,
    ...(options.qrTimeout === undefined ? {} : { qrTimeout: options.qrTimeout }),
  });
  const startedAt = Date.now();
  let resolveCounted: () => void = () => undefined;
  const counted = new Promise<void>((resolve) => (resolveCounted = resolve));
  let resolveHistory: () => void = () => undefined;
  const historyArrived = new Promise<void>((resolve) => (resolveHistory = resolve));
  // Baileys runs its app-state sync beside the history download: either may finish first.
  const synced = Promise.all([counted, historyArrived]).then(() => Date.now() - startedAt);
  let pendingSave: Promise<void> = Promise.resolve();
  sock.ev.on('creds.update', (update) => {
    pendingSave = pendingSave.then(saveCreds);
    if ((update.accountSyncCounter ?? 0) > 0) resolveCounted();
  });
  const upserts: { type: string; message: WAMessage }[] = [];
  const messageUpdates: WAMessageUpdate[] = [];
  const histories: BaileysEventMap['messaging-history.set'][] = [];
  sock.ev.on('messages.upsert', ({ messages, type }) => {
    for (const message of messages) upserts.push({ type, message });
  });
  sock.ev.on('messages.update', (items) => messageUpdates.push(...items));
  sock.ev.on('messaging-history.set', (history) => {
    histories.push(history);
    resolveHistory();
  });
  const qrs: string[] = [];
  const updates: Partial<ConnectionState>[] = [];
  let resolveQr: (qr: string) => void = () => undefined;
  const firstQr = new Promise<string>((resolve) => (resolveQr = resolve));
  let resolveOpen: (ms: number) => void = () => undefined;
  let rejectOpen: (error: Error) => void = () => undefined;
  const opened = new Promise<number>((resolve, reject) => {
    resolveOpen = resolve;
    rejectOpen = reject;
  });
  opened.catch(() => undefined);
  const closed = new Promise<CloseInfo>((resolve) => {
    sock.ev.on('connection.update', (update) => {
      updates.push(update);
      if (update.qr) {
        qrs.push(update.qr);
        resolveQr(update.qr);
      }
      if (update.connection === 'open') resolveOpen(Date.now() - startedAt);
      if (update.connection === 'close') {
        const error = update.lastDisconnect?.error as
          { output?: { statusCode?: number }; message?: string } | undefined;
        const info = {
          statusCode: error?.output?.statusCode,
          message: error?.message,
          at: Date.now(),
        };
        rejectOpen(new Error(`closed before open with ${info.statusCode}: ${info.message}`));
        // Creds written during the last moments (pairing) must be on disk before a restart.
        void pendingSave.then(() => resolve(info));
      }
    });
  });
  let stopping: Promise<CloseInfo> | null = null;
  return {
    sock,
    egress,
    logger,
    qrs,
    updates,
    startedAt,
    opened,
    closed,
    firstQr,
    upserts,
    messageUpdates,
    histories,
    synced,
    stop() {
      stopping ??= (async () => {
        sock.end(undefined);
        const info = await closed;
        await egress.close();
        return info;
      })();
      return stopping;
    },
  };
}

/**
 * Pairs a fresh account by QR with the simulated phone and lets Baileys take
 * the 515 restart; the creds in `auth` are then those of a paired device.
 */
export async function pairByQr(
  standin: Standin,
  auth: AuthFolder,
  options: ClientOptions & { readonly phone?: PhoneChoice } = {},
) {
  const client = await startClient(standin, auth, options);
  const paired = await standin.control.scanQr(await client.firstQr, options.phone ?? {});
  const closed = await client.closed;
  await client.egress.close();
  return { client, paired, closed };
}

/**
 * Pairs a fresh account, logs it in and waits for Baileys' initial sync
 * (history from the phone, then app state) to finish, so a test starts on a
 * quiet connection; returns the open client.
 */
export async function pairAndLogIn(
  standin: Standin,
  auth: AuthFolder,
  options: ClientOptions & { readonly phone?: PhoneChoice } = {},
) {
  const { paired } = await pairByQr(standin, auth, options);
  const client = await startClient(standin, auth, options);
  await client.opened;
  await client.synced;
  return { client, paired };
}
