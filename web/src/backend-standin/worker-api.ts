/**
 * The worker API calls the restaurant's backend makes with its tenant key.
 * The paths live in one object so a deployment can follow the worker's
 * published API document.
 */
export const WORKER_API_PATHS = Object.freeze({
  /** POST `{ tenantId, role: 'peer' }` with the tenant key: `{ token, expiresAt }`. */
  tokens: '/api/tunnel/tokens',
  /** GET: the session, `{ status, ... }`. */
  session: '/api/baileys/sessions/:tenant',
  /** POST: start (or create and start) the session. */
  start: '/api/baileys/sessions/:tenant/start',
  /** GET: the current QR as a PNG; 404 while there is none. */
  qrPng: '/api/baileys/sessions/:tenant/qr.png',
  /** POST `{ phoneNumber }` (international form): `{ code }`. */
  pairingCode: '/api/baileys/sessions/:tenant/pairing-code',
});

/** The worker refused or failed; the code is the worker's own when it gave one. */
export class WorkerApiError extends Error {
  override readonly name = 'WorkerApiError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface WorkerApiOptions {
  readonly baseUrl: URL;
  readonly tenant: string;
  readonly tenantKey: string;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

export interface MintedPeerToken {
  readonly token: string;
  readonly expiresAt: number;
}

export class WorkerApi {
  readonly #options: WorkerApiOptions;
  readonly #fetch: typeof fetch;

  constructor(options: WorkerApiOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
  }

  async peerToken(): Promise<MintedPeerToken> {
    const body = (await this.#json('POST', 'tokens', {
      tenantId: this.#options.tenant,
      role: 'peer',
    })) as {
      token?: unknown;
      expiresAt?: unknown;
    };
    if (typeof body.token !== 'string' || typeof body.expiresAt !== 'number') {
      throw new WorkerApiError(
        'bad_answer',
        502,
        'the worker answered a token request without a token',
      );
    }
    return { token: body.token, expiresAt: body.expiresAt };
  }

  async sessionStatus(): Promise<string | null> {
    try {
      const body = (await this.#json('GET', 'session')) as { status?: unknown };
      return typeof body.status === 'string' ? body.status : null;
    } catch (error) {
      // No session yet for this tenant: nothing is linked, which the page shows as such.
      if (error instanceof WorkerApiError && error.status === 404) return null;
      throw error;
    }
  }

  async start(): Promise<string | null> {
    const body = (await this.#json('POST', 'start', {})) as { status?: unknown };
    return typeof body.status === 'string' ? body.status : null;
  }

  /** The QR image, or null while the session shows none. */
  async qrPng(): Promise<Uint8Array | null> {
    const response = await this.#request('GET', 'qrPng');
    if (response.status === 404) {
      await response.arrayBuffer();
      return null;
    }
    if (!response.ok) throw await this.#error(response, 'qrPng');
    return new Uint8Array(await response.arrayBuffer());
  }

  /** `digits`: the number with its country code, digits only. */
  async pairingCode(digits: string): Promise<string> {
    const body = (await this.#json('POST', 'pairingCode', { phoneNumber: `+${digits}` })) as {
      code?: unknown;
    };
    if (typeof body.code !== 'string') {
      throw new WorkerApiError('bad_answer', 502, 'the worker answered without a pairing code');
    }
    return body.code;
  }

  #url(path: keyof typeof WORKER_API_PATHS): URL {
    const relative = WORKER_API_PATHS[path].replace(
      ':tenant',
      encodeURIComponent(this.#options.tenant),
    );
    return new URL(relative, this.#options.baseUrl);
  }

  async #request(
    method: string,
    path: keyof typeof WORKER_API_PATHS,
    body?: unknown,
  ): Promise<Response> {
    try {
      return await this.#fetch(this.#url(path), {
        method,
        headers: {
          authorization: `Bearer ${this.#options.tenantKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new WorkerApiError(
        'worker_unreachable',
        502,
        `${method} ${WORKER_API_PATHS[path]}: ` +
          (timedOut ? 'no answer in time' : 'the worker did not answer'),
      );
    }
  }

  async #json(
    method: string,
    path: keyof typeof WORKER_API_PATHS,
    body?: unknown,
  ): Promise<unknown> {
    const response = await this.#request(method, path, body);
    if (!response.ok) throw await this.#error(response, path);
    try {
      return await response.json();
    } catch {
      throw new WorkerApiError('bad_answer', 502, `${WORKER_API_PATHS[path]}: not JSON`);
    }
  }

  async #error(response: Response, path: keyof typeof WORKER_API_PATHS): Promise<WorkerApiError> {
    const body = (await response.json().catch(() => null)) as {
      error?: { code?: unknown; message?: unknown };
    } | null;
    const code =
      typeof body?.error?.code === 'string' ? body.error.code : `http_${response.status}`;
    const message =
      typeof body?.error?.message === 'string' ? body.error.message : response.statusText;
    return new WorkerApiError(code, response.status, `${WORKER_API_PATHS[path]}: ${message}`);
  }
}
