import { ProtocolError, SendCredit } from '@pasarela/shared';
import type { ErrorCode, Leg, Message, RequestHead, StreamMessage } from '@pasarela/shared';
import { classifyFetchFailure, failureMessage, originAnswers } from './classify.js';
import type { AbortCause } from './classify.js';
import { pageRequestHeaders } from './headers.js';
import { LinkClosedError } from './link.js';
import { RequestBody } from './request-body.js';
import { isOpaqueRedirect, responseHead } from './response-head.js';
import type { FinishListener, RelayStream, SilentEnd, StreamContext, StreamIds } from './stream.js';
import type { ResolvedTarget } from './targets.js';
import { bodyMode, fetchUpstream } from './upstream-fetch.js';
import { until, Wakeup } from './wakeup.js';

const BODYLESS_METHODS = new Set(['GET', 'HEAD']);

/**
 * One relayed HTTP exchange: RequestHead and credited Body chunks from the
 * worker, one `fetch` under the exchange's whole deadline, then ResponseHead
 * and credited Body chunks back, or a Reset with a catalogue code.
 */
export class HttpExchange implements RelayStream {
  readonly kind = 'http';
  readonly streamId: number;
  readonly connectionId: number;
  readonly leg: Leg;
  readonly method: string;
  readonly host: string;
  readonly #head: RequestHead;
  readonly #target: ResolvedTarget;
  readonly #context: StreamContext;
  readonly #onFinish: FinishListener;
  readonly #abort = new AbortController();
  readonly #dropped: string[];
  readonly #headers: [string, string][];
  readonly #body: RequestBody | null;
  readonly #credit: SendCredit;
  readonly #creditArrived = new Wakeup();
  #cause: AbortCause | null = null;
  #finished = false;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #headSent = false;
  #status: number | undefined;
  #inFlight = 0;
  #bytesReceived = 0;

  constructor(
    ids: StreamIds,
    head: RequestHead,
    target: ResolvedTarget,
    context: StreamContext,
    onFinish: FinishListener,
  ) {
    this.streamId = ids.streamId;
    this.connectionId = ids.connectionId;
    this.leg = head.leg;
    this.method = head.method.toUpperCase();
    this.host = target.host;
    this.#head = head;
    this.#target = target;
    this.#context = context;
    this.#onFinish = onFinish;
    const filtered = pageRequestHeaders(head.headers);
    this.#headers = filtered.headers;
    this.#dropped = filtered.dropped;
    this.#credit = new SendCredit(context.link.limits.streamWindow);
    const bodyless = BODYLESS_METHODS.has(this.method);
    this.#body = bodyless
      ? null
      : new RequestBody({
          window: context.link.limits.streamWindow,
          expectedLength: head.bodyLength,
          maxBuffered: context.config.maxBufferedBodyBytes,
          grant: (bytes) => this.#send({ kind: 'credit', ...this.#ids, bytes }),
        });
  }

  get #ids(): StreamIds {
    return { streamId: this.streamId, connectionId: this.connectionId };
  }

  start(): void {
    this.#deadline = setTimeout(() => this.#stop('deadline'), this.#head.deadlineMs);
    this.#run().then(
      () => this.#finish('ok'),
      (error: unknown) => this.#failed(error),
    );
  }

  handle(message: StreamMessage): void {
    try {
      switch (message.kind) {
        case 'body':
          if (!this.#body) throw new ProtocolError('bad_frame', `${this.method} carries no body`);
          this.#body.push(message.data);
          return;
        case 'end':
          this.#body?.end();
          return;
        case 'credit': {
          this.#credit.grant(message.bytes);
          const released = Math.min(message.bytes, this.#inFlight);
          this.#inFlight -= released;
          this.#context.budget.release(released);
          this.#creditArrived.notify();
          return;
        }
        case 'reset':
          this.end('worker-reset');
          return;
        default:
          throw new ProtocolError('bad_frame', `${message.kind} on an HTTP stream`);
      }
    } catch (error) {
      this.#protocolFault(error);
    }
  }

  end(cause: SilentEnd): void {
    if (this.#finished) return;
    this.#stop(cause);
    this.#finish(cause);
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    const request = {
      head: this.#head,
      method: this.method,
      headers: this.#headers,
      target: this.#target,
      body: this.#body,
      context: this.#context,
    };
    const response = await fetchUpstream(request, bodyMode(request), signal);
    this.#status = isOpaqueRedirect(response) ? 0 : response.status;
    const head = responseHead(response, this.#head.url, this.#dropped);
    if (!this.#send({ kind: 'response-head', ...this.#ids, body: head })) {
      throw new LinkClosedError('room socket closed');
    }
    this.#headSent = true;
    if (head.opaque) await response.body?.cancel().catch(() => undefined);
    else if (response.body) await this.#pump(response.body, signal);
    if (!this.#send({ kind: 'end', ...this.#ids })) throw new LinkClosedError('room socket closed');
  }

  async #ready(signal: AbortSignal): Promise<void> {
    const { budget, link } = this.#context;
    await until(
      () => this.#credit.available > 0 && budget.available > 0,
      [this.#creditArrived, budget.released],
      signal,
    );
    await link.writable(signal);
  }

  async #pump(stream: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
    const { budget, link } = this.#context;
    const reader = stream.getReader();
    try {
      for (;;) {
        await this.#ready(signal);
        const { done, value } = await reader.read();
        if (done) return;
        for (let offset = 0; offset < value.byteLength;) {
          await this.#ready(signal);
          const room = Math.min(link.maxChunk, this.#credit.available, budget.available);
          const size = Math.min(value.byteLength - offset, room);
          this.#credit.tryConsume(size);
          budget.take(size);
          this.#inFlight += size;
          const data = value.subarray(offset, offset + size);
          if (!this.#send({ kind: 'body', ...this.#ids, data })) {
            throw new LinkClosedError('room socket closed');
          }
          offset += size;
          this.#bytesReceived += size;
        }
      }
    } catch (error) {
      await reader.cancel().catch(() => undefined);
      throw error;
    }
  }

  #send(message: Message): boolean {
    return this.#context.link.send(message);
  }

  #stop(cause: AbortCause): void {
    if (this.#cause || this.#finished) return;
    this.#cause = cause;
    this.#abort.abort(new Error(`exchange stopped: ${cause}`));
  }

  async #failed(error: unknown): Promise<void> {
    if (this.#finished) return;
    if (error instanceof LinkClosedError) {
      this.#finish('link-lost');
      return;
    }
    let code: ErrorCode | null;
    if (this.#headSent && !this.#cause && !(error instanceof ProtocolError)) {
      // The body was cut after the head went out.
      code = 'browser_network';
    } else {
      const { fetch } = this.#context.config;
      const target = this.#target.effective;
      code = await classifyFetchFailure(error, this.#cause, () =>
        originAnswers(fetch, target, this.#abort.signal),
      );
      // The deadline may pass while the origin is being asked.
      if (this.#cause === 'deadline') code = 'upstream_timeout';
    }
    if (this.#finished) return;
    if (code === null) {
      this.#finish(this.#cause === 'protocol' ? 'internal' : (this.#cause as SilentEnd));
      return;
    }
    const detail = error instanceof ProtocolError ? error.message : undefined;
    this.#reset(code, failureMessage(code, this.host, detail));
  }

  #protocolFault(error: unknown): void {
    if (this.#finished) return;
    const code = error instanceof ProtocolError ? error.code : 'internal';
    this.#stop('protocol');
    this.#reset(code, failureMessage(code, this.host, (error as Error).message));
  }

  #reset(code: ErrorCode, message: string): void {
    this.#send({ kind: 'reset', ...this.#ids, body: { code, message } });
    this.#stop('protocol');
    this.#finish(code);
  }

  #finish(outcome: Parameters<FinishListener>[0]['outcome']): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#deadline);
    // Whatever is still running (a fetch, a body read) has nobody to serve.
    if (!this.#abort.signal.aborted) this.#abort.abort(new Error('exchange finished'));
    this.#context.budget.release(this.#inFlight);
    this.#inFlight = 0;
    this.#onFinish({
      outcome,
      ...(this.#status === undefined ? {} : { status: this.#status }),
      bytesSent: this.#body?.received ?? 0,
      bytesReceived: this.#bytesReceived,
    });
  }
}
