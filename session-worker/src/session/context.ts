import type { WASocket } from '@whiskeysockets/baileys';
import type { TenantEgress } from '../egress/index.js';
import type { LeaseManager } from '../lease/index.js';
import type { AuthStore } from '../store/index.js';
import type { SessionConfig } from './config.js';
import type { ExtraSocketOptions } from './socket.js';
import type { SessionManagerEvents } from './view.js';
import type { WebVersionSource } from './wa-version.js';

/** What every tenant session shares, handed down by the manager. */
export interface SessionContext {
  readonly store: AuthStore;
  readonly leases: LeaseManager;
  readonly config: SessionConfig;
  readonly versions: WebVersionSource;
  readonly egressFor: (tenant: string) => TenantEgress;
  readonly socketOptions?: (tenant: string) => ExtraSocketOptions;
  readonly onSocket?: (tenant: string, sock: WASocket) => void;
  readonly baileysLogLevel: string;
  /** Orders requests and sockets of every tenant; see `renew`. */
  readonly ticket: () => number;
  readonly emit: <K extends keyof SessionManagerEvents>(
    event: K,
    ...args: SessionManagerEvents[K]
  ) => void;
}

/** What a log line may carry of an error: its code, name and message, never its payload. */
export function errorFields(error: unknown): { code?: string; name?: string; message: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    ...(typeof code === 'string' ? { code } : {}),
    name: error.name,
    message: error.message,
  };
}
