/** One JSON call's answer: the status and the parsed body (or the text, when not JSON). */
export interface JsonAnswer<T = unknown> {
  readonly status: number;
  readonly body: T;
}

export interface CallOptions {
  readonly method?: string;
  /** Sent as `Authorization: Bearer <key>`. */
  readonly key?: string;
  readonly body?: unknown;
  readonly timeoutMs?: number;
}

/** A JSON request to one of the stack's own servers. Never logs the key. */
export async function callJson<T = unknown>(
  base: string,
  path: string,
  options: CallOptions = {},
): Promise<JsonAnswer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.key) headers['authorization'] = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(new URL(path, base), {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON: the text is the body.
  }
  return { status: response.status, body: body as T };
}

/** The catalogue code of an error answer (`{ error: { code } }`), or the status. */
export function errorCode(answer: JsonAnswer): string {
  const code = (answer.body as { error?: { code?: unknown } } | null)?.error?.code;
  return typeof code === 'string' ? code : `http_${answer.status}`;
}

/** Thrown from a poll's attempt to stop polling at once (the process it waits for died). */
export class GiveUp extends Error {
  override readonly name = 'GiveUp';
}

/**
 * Calls `attempt` until it returns a value, or fails after `timeoutMs`
 * naming `what`. Other errors count as "not yet"; `GiveUp` ends it at once.
 */
export async function pollUntil<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      last = error;
    }
    if (Date.now() > deadline) {
      const cause = last instanceof Error ? ` (last error: ${last.message})` : '';
      throw new Error(`${what} did not happen within ${timeoutMs} ms${cause}`);
    }
    await new Promise((done) => setTimeout(done, intervalMs));
  }
}
