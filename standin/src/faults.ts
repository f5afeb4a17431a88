import { EventEmitter } from 'node:events';
import { StandinError } from './errors.js';

/** Faults that last until cleared, per account (phone number) or for every account (`*`). */
export interface AccountFaults {
  /** Every frame to the client waits this long first (order kept). */
  readonly delayFramesMs: number;
  /** Frames to the client are held until the fault is cleared, then flushed in order. */
  readonly stallFrames: boolean;
  /** Acks of the client's `<message>` stanzas are held until released or cleared. */
  readonly holdAcks: boolean;
  /** Media responses wait before their headers until cleared. */
  readonly holdMediaHeaders: boolean;
  /** Media responses send their headers and part of the body, then wait until cleared. */
  readonly stallMediaBody: boolean;
  /** Media responses and preflights carry no CORS headers, so a browser refuses them. */
  readonly refuseCors: boolean;
  /** Keepalive pings get no answer. */
  readonly ignorePings: boolean;
  /** Logins are refused with `<failure reason=N>` (for example 401, 403, 503). */
  readonly loginFailure: number | null;
}

export type OriginRule = 'none' | 'all' | 'foreign-origin';

/** Faults per served host name. */
export interface HostFaults {
  /** Refuse WebSocket upgrades: all, or those whose Origin is not `https://web.whatsapp.com`. */
  readonly refuseUpgrades: OriginRule;
  /** Refuse CORS preflights: all, or those whose Origin is not `https://web.whatsapp.com`. */
  readonly refusePreflights: OriginRule;
  /** The HTTP status a refusal answers with. */
  readonly refusalStatus: number;
}

export const NO_ACCOUNT_FAULTS: AccountFaults = {
  delayFramesMs: 0,
  stallFrames: false,
  holdAcks: false,
  holdMediaHeaders: false,
  stallMediaBody: false,
  refuseCors: false,
  ignorePings: false,
  loginFailure: null,
};

export const NO_HOST_FAULTS: HostFaults = {
  refuseUpgrades: 'none',
  refusePreflights: 'none',
  refusalStatus: 403,
};

/** The only Origin the foreign-origin rules let through. */
export const WHATSAPP_WEB_ORIGIN = 'https://web.whatsapp.com';

export const ALL_ACCOUNTS = '*';

const BOOLEAN_FIELDS = [
  'stallFrames',
  'holdAcks',
  'holdMediaHeaders',
  'stallMediaBody',
  'refuseCors',
  'ignorePings',
] as const;

function fail(field: string, expected: string): never {
  throw new StandinError('bad_request', `${field} must be ${expected}`, { field });
}

/** Validates a partial account-fault body, naming the bad field. */
export function parseAccountFaults(body: unknown): Partial<AccountFaults> {
  if (typeof body !== 'object' || body === null) fail('body', 'an object');
  const input = body as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if ((BOOLEAN_FIELDS as readonly string[]).includes(key)) {
      if (typeof value !== 'boolean') fail(key, 'a boolean');
      out[key] = value;
    } else if (key === 'delayFramesMs') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 600_000) {
        fail(key, 'an integer from 0 to 600000');
      }
      out[key] = value;
    } else if (key === 'loginFailure') {
      if (value !== null && (typeof value !== 'number' || !Number.isInteger(value))) {
        fail(key, 'an integer status or null');
      }
      out[key] = value;
    } else {
      fail(key, 'a known account fault (see README)');
    }
  }
  return out as Partial<AccountFaults>;
}

export function parseHostFaults(body: unknown): Partial<HostFaults> {
  if (typeof body !== 'object' || body === null) fail('body', 'an object');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key === 'refuseUpgrades' || key === 'refusePreflights') {
      if (value !== 'none' && value !== 'all' && value !== 'foreign-origin') {
        fail(key, "'none', 'all' or 'foreign-origin'");
      }
      out[key] = value;
    } else if (key === 'refusalStatus') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 400 || value > 599) {
        fail(key, 'an HTTP error status (400-599)');
      }
      out[key] = value;
    } else {
      fail(key, 'a known host fault (see README)');
    }
  }
  return out as Partial<HostFaults>;
}

/** Whether a rule refuses a request with this Origin. */
export function ruleRefuses(rule: OriginRule, origin: string | null): boolean {
  if (rule === 'all') return true;
  if (rule === 'foreign-origin') return origin !== WHATSAPP_WEB_ORIGIN;
  return false;
}

/**
 * The current faults. Emits `account` (phone or `*`) and `host` (name) on
 * every change, so held frames, acks and media responses can be released.
 */
export class FaultBoard extends EventEmitter<{ account: [string]; host: [string] }> {
  private readonly accounts = new Map<string, AccountFaults>();
  private readonly hosts = new Map<string, HostFaults>();

  setAccount(account: string, faults: Partial<AccountFaults>): AccountFaults {
    const next = { ...(this.accounts.get(account) ?? NO_ACCOUNT_FAULTS), ...faults };
    this.accounts.set(account, next);
    this.emit('account', account);
    return next;
  }

  clearAccount(account: string): void {
    this.accounts.delete(account);
    this.emit('account', account);
  }

  setHost(host: string, faults: Partial<HostFaults>): HostFaults {
    const name = host.toLowerCase();
    const next = { ...(this.hosts.get(name) ?? NO_HOST_FAULTS), ...faults };
    this.hosts.set(name, next);
    this.emit('host', name);
    return next;
  }

  clearHost(host: string): void {
    this.hosts.delete(host.toLowerCase());
    this.emit('host', host.toLowerCase());
  }

  /** The faults as set for one key, without merging. */
  ownAccount(account: string): AccountFaults {
    return this.accounts.get(account) ?? NO_ACCOUNT_FAULTS;
  }

  /**
   * What applies to a connection or request of `account` (null: not known yet): its own and `*`.
   */
  forAccount(account: string | null): AccountFaults {
    const all = this.accounts.get(ALL_ACCOUNTS) ?? NO_ACCOUNT_FAULTS;
    const own = account === null ? NO_ACCOUNT_FAULTS : this.ownAccount(account);
    const merged: Record<string, unknown> = {
      delayFramesMs: Math.max(all.delayFramesMs, own.delayFramesMs),
      loginFailure: own.loginFailure ?? all.loginFailure,
    };
    for (const field of BOOLEAN_FIELDS) merged[field] = all[field] || own[field];
    return merged as unknown as AccountFaults;
  }

  forHost(host: string): HostFaults {
    return this.hosts.get(host.toLowerCase()) ?? NO_HOST_FAULTS;
  }

  snapshot(): { accounts: Record<string, AccountFaults>; hosts: Record<string, HostFaults> } {
    return {
      accounts: Object.fromEntries(this.accounts),
      hosts: Object.fromEntries(this.hosts),
    };
  }
}
