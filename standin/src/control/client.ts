import type { AccountFaults, HostFaults } from '../faults.js';
import type { MediaSummary } from '../media/store.js';
import type { PairedDevice } from '../phone/pair.js';
import type { RecordsSnapshot } from '../records.js';
import type { StreamErrorCode } from '../session/stream-errors.js';
import type { StandinInfo } from './info.js';
import type { AccountView } from './views.js';

/** An error answer of the control API, with its catalogue code. */
export class ControlError extends Error {
  override readonly name = 'ControlError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly context: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface PhoneChoice {
  readonly phone?: string;
  readonly name?: string | null;
}

/**
 * A typed client of the control API, for tests in this repo and for
 * anything driving a stand-in started with `npm run standin`.
 */
export class ControlClient {
  constructor(readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const value = (await response.json()) as unknown;
    if (!response.ok) {
      const error = (value as { error?: { code?: string; message?: string; context?: object } })
        .error;
      throw new ControlError(
        response.status,
        error?.code ?? 'unknown',
        error?.message ?? `control API answered ${response.status}`,
        (error?.context ?? {}) as Record<string, unknown>,
      );
    }
    return value as T;
  }

  info(): Promise<StandinInfo> {
    return this.call('GET', '/');
  }

  /** Requests with a sequence number above `since`, and every connection, login and registration. */
  records(since = 0): Promise<RecordsSnapshot> {
    return this.call('GET', `/records?since=${since}`);
  }

  accounts(): Promise<AccountView[]> {
    return this.call('GET', '/accounts');
  }

  account(phone: string): Promise<AccountView> {
    return this.call('GET', `/accounts/${encodeURIComponent(phone)}`);
  }

  media(): Promise<MediaSummary[]> {
    return this.call('GET', '/media');
  }

  /** The simulated phone scans a QR string exactly as Baileys emitted it. */
  scanQr(qr: string, phone: PhoneChoice = {}): Promise<PairedDevice> {
    return this.call('POST', '/phone/scan', { qr, ...phone });
  }

  /** The phone owner types the pairing code the companion showed. */
  enterLinkCode(phone: string, code: string, name?: string | null): Promise<PairedDevice> {
    return this.call('POST', '/phone/link-code', {
      phone,
      code,
      ...(name === undefined ? {} : { name }),
    });
  }

  /** Sets faults for an account's phone number, or `*` for every connection. */
  setAccountFaults(account: string, faults: Partial<AccountFaults>): Promise<AccountFaults> {
    return this.call('PUT', `/accounts/${encodeURIComponent(account)}/faults`, faults);
  }

  clearAccountFaults(account: string): Promise<{ cleared: string }> {
    return this.call('DELETE', `/accounts/${encodeURIComponent(account)}/faults`);
  }

  setHostFaults(host: string, faults: Partial<HostFaults>): Promise<HostFaults> {
    return this.call('PUT', `/hosts/${encodeURIComponent(host)}/faults`, faults);
  }

  clearHostFaults(host: string): Promise<{ cleared: string }> {
    return this.call('DELETE', `/hosts/${encodeURIComponent(host)}/faults`);
  }

  /** Cuts the account's sockets with no close frame. Returns the connection ids hit. */
  drop(account: string): Promise<{ connections: string[] }> {
    return this.call('POST', `/accounts/${encodeURIComponent(account)}/drop`);
  }

  disconnect(account: string, code: StreamErrorCode): Promise<{ connections: string[] }> {
    return this.call('POST', `/accounts/${encodeURIComponent(account)}/disconnect`, { code });
  }

  releaseAcks(account: string, error?: number | string): Promise<{ released: number }> {
    return this.call(
      'POST',
      `/accounts/${encodeURIComponent(account)}/release-acks`,
      error === undefined ? {} : { error },
    );
  }
}
