import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import WebSocket from 'ws';
import { pipeTransport, wsTransport } from './cdp-transport.js';
import type { CdpTransport } from './cdp-transport.js';
import type { PageHandle } from './page.js';
import { CHROMIUM_PATH } from './profile.js';
import type { BrowserProfile } from './profile.js';

const START_TIMEOUT_MS = 30_000;

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/**
 * A plain DevTools-protocol client over `ws`: JSON commands with ids, flat
 * sessions per tab. It adds no switch and emulates nothing, unlike
 * Playwright, which launches Chromium with switches that keep background
 * tabs visible and their timers unthrottled.
 */
export class CdpConnection {
  readonly #transport: CdpTransport;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<string, Set<(params: Record<string, unknown>) => void>>();
  #nextId = 0;

  constructor(transport: CdpTransport) {
    this.#transport = transport;
    transport.onMessage((data) => {
      const message = JSON.parse(data) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
        method?: string;
        params?: Record<string, unknown>;
        sessionId?: string;
      };
      if (message.id === undefined) {
        const key = `${message.sessionId ?? ''} ${message.method ?? ''}`;
        for (const listener of this.#listeners.get(key) ?? []) listener(message.params ?? {});
        return;
      }
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      if (message.error) pending.reject(new Error(`CDP: ${message.error.message}`));
      else pending.resolve(message.result);
    });
    transport.onClose(() => {
      for (const pending of this.#pending.values()) pending.reject(new Error('CDP closed'));
      this.#pending.clear();
    });
  }

  call<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<T> {
    const id = ++this.#nextId;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      this.#transport.send(
        JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }),
      );
    });
  }

  /** Listens to one event of one session (or of the browser, without a session). */
  on(
    method: string,
    sessionId: string | undefined,
    listener: (params: Record<string, unknown>) => void,
  ): void {
    const key = `${sessionId ?? ''} ${method}`;
    const set = this.#listeners.get(key) ?? new Set();
    set.add(listener);
    this.#listeners.set(key, set);
  }

  close(): void {
    this.#transport.close();
  }
}

/** One tab, attached with its own flat session. */
export class CdpTab implements PageHandle {
  readonly targetId: string;
  readonly #cdp: CdpConnection;
  readonly #sessionId: string;

  constructor(cdp: CdpConnection, targetId: string, sessionId: string) {
    this.#cdp = cdp;
    this.targetId = targetId;
    this.#sessionId = sessionId;
  }

  async evaluate<T>(expression: string): Promise<T> {
    const reply = await this.#cdp.call<{
      result: { value?: unknown };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    }>(
      'Runtime.evaluate',
      { expression, returnByValue: true, awaitPromise: true },
      this.#sessionId,
    );
    if (reply.exceptionDetails) {
      const detail = reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text;
      throw new Error(`in the page: ${detail}`);
    }
    return reply.result.value as T;
  }

  /** Every URL the tab asks the network for, from now on (DevTools' Network domain). */
  async recordRequests(into: string[]): Promise<void> {
    this.#cdp.on('Network.requestWillBeSent', this.#sessionId, (params) => {
      const request = params.request as { url?: string } | undefined;
      if (request?.url) into.push(request.url);
    });
    await this.#cdp.call('Network.enable', {}, this.#sessionId);
  }

  /** Brings the tab to the front of its window, as a user clicking its tab does. */
  async activate(): Promise<void> {
    await this.#cdp.call('Target.activateTarget', { targetId: this.targetId });
  }

  async close(): Promise<void> {
    await this.#cdp.call('Target.closeTarget', { targetId: this.targetId });
  }
}

/**
 * Debian's Chromium started by the suite itself, headless, with the
 * profile's switches and nothing else but the given ones, driven over its
 * `--remote-debugging-port`.
 */
export class PlainChromium {
  readonly #child: ChildProcess;
  readonly cdp: CdpConnection;
  output = '';

  private constructor(child: ChildProcess, cdp: CdpConnection) {
    this.#child = child;
    this.cdp = cdp;
  }

  /**
   * Starts Chromium with the profile's switches and `extra`. With a
   * `wrapper` (a command that runs its arguments elsewhere, such as `ip
   * netns exec NAME`), DevTools goes over a pipe instead of a port, since
   * the suite may not reach the wrapped Chromium's loopback.
   */
  static async launch(
    profile: BrowserProfile,
    extra: readonly string[],
    options: { readonly wrapper?: readonly string[] } = {},
  ): Promise<PlainChromium> {
    const pipe = options.wrapper !== undefined && options.wrapper.length > 0;
    const argv = [
      CHROMIUM_PATH,
      '--headless',
      pipe ? '--remote-debugging-pipe' : '--remote-debugging-port=0',
      `--user-data-dir=${profile.userDataDir}`,
      ...profile.switches,
      ...extra,
      'about:blank',
    ];
    const [command, ...args] = pipe ? [...options.wrapper!, ...argv] : argv;
    const child = spawn(command!, args, {
      env: profile.env,
      stdio: pipe ? ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'ignore', 'pipe'],
    });
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const transport = pipe
      ? pipeTransport(child.stdio[3] as Writable, child.stdio[4] as Readable)
      : await PlainChromium.#portTransport(profile, child, () => output);
    const browser = new PlainChromium(child, new CdpConnection(transport));
    if (pipe) {
      const answered = browser.cdp.call('Browser.getVersion');
      const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
      await answered.catch((error: Error) => {
        throw new Error(`Chromium answered nothing on its pipe (${error.message}):\n${output}`);
      });
      clearTimeout(timer);
    }
    browser.output = output;
    return browser;
  }

  static async #portTransport(
    profile: BrowserProfile,
    child: ChildProcess,
    output: () => string,
  ): Promise<CdpTransport> {
    const portFile = join(profile.userDataDir, 'DevToolsActivePort');
    const deadline = Date.now() + START_TIMEOUT_MS;
    let endpoint: string | null = null;
    while (endpoint === null) {
      const lines = await readFile(portFile, 'utf8').then(
        (text) => text.split('\n'),
        () => [],
      );
      if (lines[0] && lines[1]) endpoint = `ws://127.0.0.1:${lines[0]}${lines[1]}`;
      else if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`Chromium gave no DevTools port:\n${output().slice(-2_000)}`);
      } else await new Promise((done) => setTimeout(done, 50));
    }
    const ws = new WebSocket(endpoint, { perMessageDeflate: false });
    await new Promise<void>((done, fail) => {
      ws.once('open', () => done());
      ws.once('error', fail);
    });
    return wsTransport(ws);
  }

  /** Opens a tab in the existing window; it comes to the front, hiding the one before. */
  async openTab(url: string): Promise<CdpTab> {
    const { targetId } = await this.cdp.call<{ targetId: string }>('Target.createTarget', {
      url,
      newWindow: false,
    });
    const { sessionId } = await this.cdp.call<{ sessionId: string }>('Target.attachToTarget', {
      targetId,
      flatten: true,
    });
    return new CdpTab(this.cdp, targetId, sessionId);
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((done) => {
      if (this.#child.exitCode !== null) done();
      else this.#child.once('exit', () => done());
    });
    await this.cdp.call('Browser.close').catch(() => undefined);
    this.cdp.close();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
