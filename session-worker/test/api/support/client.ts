/** A small client of the worker's API for tests: JSON in, status and JSON out. */
export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
  readonly bytes: Buffer;
}

export interface CallOptions {
  /** The key to send; the client's own when undefined, none when null. */
  readonly key?: string | null;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly key: string | null,
  ) {}

  as(key: string | null): ApiClient {
    return new ApiClient(this.baseUrl, key);
  }

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<Answer<T>> {
    const key = options.key === undefined ? this.key : options.key;
    const headers: Record<string, string> = { ...options.headers };
    if (key !== null) headers['authorization'] = `Bearer ${key}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const bytes = Buffer.from(await response.arrayBuffer());
    let parsed: unknown = {};
    if ((response.headers.get('content-type') ?? '').includes('json')) {
      parsed = JSON.parse(bytes.toString('utf8'));
    }
    return { status: response.status, body: parsed as T, headers: response.headers, bytes };
  }

  get<T = Record<string, unknown>>(path: string, options?: CallOptions) {
    return this.call<T>('GET', path, options);
  }

  post<T = Record<string, unknown>>(path: string, body?: unknown, options?: CallOptions) {
    return this.call<T>('POST', path, { ...options, body: body ?? {} });
  }
}

export interface SseEvent {
  readonly id: string | null;
  readonly event: string;
  readonly data: string;
}

/**
 * Reads an SSE stream into `events` until closed. `next(predicate)` waits
 * for the first event, seen or to come, that matches.
 */
export class SseReader {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  readonly status: Promise<number>;
  readonly #abort = new AbortController();
  readonly #waiters = new Set<() => void>();
  #ended = false;

  constructor(url: string, key: string, headers: Record<string, string> = {}) {
    let setStatus!: (status: number) => void;
    this.status = new Promise((resolve) => (setStatus = resolve));
    void (async () => {
      try {
        const response = await fetch(url, {
          headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', ...headers },
          signal: this.#abort.signal,
        });
        setStatus(response.status);
        if (!response.body) return;
        const decoder = new TextDecoder();
        let buffer = '';
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            this.#frame(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch {
        setStatus(0);
      } finally {
        this.#ended = true;
        this.#wake();
      }
    })();
  }

  get ended(): boolean {
    return this.#ended;
  }

  async next(predicate: (event: SseEvent) => boolean, what: string, limitMs: number) {
    const until = Date.now() + limitMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      if (this.#ended) throw new Error(`stream ended before ${what}`);
      const left = until - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${limitMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        this.#waiters.add(done);
        function done() {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  }

  /** Resolves once the worker wrote the stream's first line; later events are all seen. */
  async ready(limitMs = 5_000): Promise<void> {
    const until = Date.now() + limitMs;
    while (!this.comments.includes('stream open')) {
      if (this.#ended) throw new Error(`stream ended before it opened (${await this.status})`);
      if (Date.now() > until) throw new Error(`stream did not open within ${limitMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, until - Date.now());
        this.#waiters.add(done);
        function done() {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  }

  close(): void {
    this.#abort.abort();
  }

  #frame(text: string): void {
    let id: string | null = null;
    let event = 'message';
    const data: string[] = [];
    for (const line of text.split('\n')) {
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
        this.#wake();
        continue;
      }
      const at = line.indexOf(':');
      const field = at === -1 ? line : line.slice(0, at);
      const value = at === -1 ? '' : line.slice(at + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0 || id !== null) this.events.push({ id, event, data: data.join('\n') });
    this.#wake();
  }

  #wake(): void {
    for (const wake of [...this.#waiters]) {
      this.#waiters.delete(wake);
      wake();
    }
  }
}

/**
 * Prints a measured figure. The worker under test routes the process console
 * into its log (libsignal writes keys there), so tests write to stdout.
 */
export function report(line: string): void {
  process.stdout.write(`${line}\n`);
}
