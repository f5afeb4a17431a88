/** One event of the worker's log as SSE carries it (`session-worker/src/events`). */
export interface WorkerEvent {
  readonly id: number;
  readonly type: string;
  readonly tenantId: string | null;
  readonly at: number;
  readonly data: Record<string, unknown>;
}

export interface FollowOptions {
  readonly workerUrl: string;
  readonly key: string;
  readonly tenant?: string;
  readonly types?: readonly string[];
  /** Events after this id (the log keeps days of them). */
  readonly since?: number;
  readonly signal: AbortSignal;
  /**
   * Called once the stream is open: the worker reads where to start before
   * it answers, so any event published after this is delivered.
   */
  readonly onOpen?: () => void;
}

/**
 * Reads `GET /api/events` until `signal` aborts or the worker ends the
 * stream, calling `onEvent` for each event in id order.
 */
export async function followEvents(
  options: FollowOptions,
  onEvent: (event: WorkerEvent) => void,
): Promise<void> {
  const url = new URL('/api/events', options.workerUrl);
  if (options.tenant) url.searchParams.set('tenantId', options.tenant);
  if (options.types) url.searchParams.set('types', options.types.join(','));
  if (options.since !== undefined) url.searchParams.set('since', String(options.since));
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${options.key}`, accept: 'text/event-stream' },
    signal: options.signal,
  });
  if (!response.ok || !response.body) {
    throw new Error(`GET /api/events answered ${response.status}`);
  }
  options.onOpen?.();
  const decoder = new TextDecoder();
  let pending = '';
  let data: string[] = [];
  let name = '';
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      pending += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, end).replace(/\r$/, '');
        pending = pending.slice(end + 1);
        if (line === '') {
          // `gap` says part of what was asked for was pruned; it is not an event of the log.
          if (data.length > 0 && name !== 'gap') {
            onEvent(JSON.parse(data.join('\n')) as WorkerEvent);
          }
          data = [];
          name = '';
        } else if (line.startsWith('event:')) {
          name = line.slice(6).trim();
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).trimStart());
        }
      }
    }
  } catch (error) {
    if (!options.signal.aborted) throw error;
  }
}
