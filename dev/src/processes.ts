import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { groupEmptied } from './group.js';

export interface ChildSpec {
  /** Short name for the console and the log file. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Every line the process prints goes here (created fresh). */
  readonly logFile: string;
}

export interface ExitInfo {
  readonly name: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** How many of a process's last lines are kept for an error message. */
const TAIL_LINES = 30;
/** A SIGKILLed process is gone within moments; this bounds the wait for the whole group. */
const KILL_SETTLE_MS = 3_000;

/** One process of the stack, in a process group of its own. */
export class StackChild {
  readonly spec: ChildSpec;
  readonly process: ChildProcess;
  readonly exited: Promise<ExitInfo>;
  readonly #tail: string[] = [];
  readonly #lineListeners = new Set<(line: string, stream: 'stdout' | 'stderr') => void>();
  readonly #log: WriteStream;

  constructor(spec: ChildSpec, relay: ((line: string) => void) | null) {
    this.spec = spec;
    this.#log = createWriteStream(spec.logFile, { flags: 'w' });
    // detached: a group of its own, so Ctrl-C in the terminal reaches only
    // the stack, which stops each part in order and then kills what is left
    // of each group (wrangler's workerd, tsx's node).
    this.process = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: this.process[stream]! }).on('line', (line) => {
        this.#log.write(`${line}\n`);
        this.#tail.push(line);
        if (this.#tail.length > TAIL_LINES) this.#tail.shift();
        relay?.(line);
        for (const listener of this.#lineListeners) listener(line, stream);
      });
    }
    this.exited = new Promise((done) => {
      this.process.once('error', (error) => {
        this.#log.write(`spawn failed: ${error.message}\n`);
        done({ name: spec.name, code: null, signal: null });
      });
      this.process.once('exit', (code, signal) => done({ name: spec.name, code, signal }));
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** The last lines it printed, for a message saying why it failed. */
  tail(): string {
    return this.#tail.join('\n');
  }

  /** Resolves with the first line `pick` accepts, or rejects when the process exits first. */
  firstLine<T>(pick: (line: string) => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.spec.name}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (line: string) => {
        const value = pick(line);
        if (value === undefined) return;
        finish();
        resolve(value);
      };
      const finish = () => {
        clearTimeout(timer);
        this.#lineListeners.delete(listener);
      };
      this.#lineListeners.add(listener);
      void this.exited.then((exit) => {
        finish();
        reject(new Error(`${this.spec.name} exited (${exit.signal ?? exit.code}) before ${what}`));
      });
    });
  }

  signalGroup(signal: NodeJS.Signals): void {
    if (this.pid === undefined) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // The group is gone.
    }
  }

  /**
   * SIGTERM to the whole group (each part flushes: the worker saves creds
   * and releases leases), SIGKILL to the group after `graceMs`, and SIGKILL
   * once more after the leader exits, for anything it left behind (workerd
   * under wrangler), then waits until no member of the group is alive.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.running) {
      this.signalGroup('SIGTERM');
      const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    this.signalGroup('SIGKILL');
    if (this.pid !== undefined) await groupEmptied(this.pid, KILL_SETTLE_MS);
    await new Promise<void>((done) => this.#log.end(done));
  }
}

/** The stack's processes, started in order and stopped in the reverse order. */
export class ProcessSet {
  readonly children: StackChild[] = [];
  readonly #relay: boolean;
  readonly #print: (line: string) => void;
  #stopping: Promise<void> | null = null;

  constructor(options: { relay: boolean; print: (line: string) => void }) {
    this.#relay = options.relay;
    this.#print = options.print;
  }

  start(spec: ChildSpec): StackChild {
    if (this.#stopping) throw new Error('the stack is stopping');
    const relay = this.#relay ? (line: string) => this.#print(`[${spec.name}] ${line}`) : null;
    const child = new StackChild(spec, relay);
    this.children.push(child);
    return child;
  }

  /** A step that runs to its end (a build); Ctrl-C meanwhile stops it like the rest. */
  async runToEnd(spec: ChildSpec): Promise<ExitInfo & { tail: string }> {
    const child = this.start(spec);
    const exit = await child.exited;
    await child.stop(0);
    this.children.splice(this.children.indexOf(child), 1);
    return { ...exit, tail: child.tail() };
  }

  /** Resolves with the first child that exits while the stack runs. */
  firstExit(): Promise<ExitInfo> {
    return Promise.race(this.children.map((child) => child.exited));
  }

  get stopping(): boolean {
    return this.#stopping !== null;
  }

  stopAll(graceMs: number): Promise<void> {
    this.#stopping ??= (async () => {
      for (const child of [...this.children].reverse()) await child.stop(graceMs);
    })();
    return this.#stopping;
  }

  /** Ends every group at once, for a second Ctrl-C. */
  killAll(): void {
    for (const child of this.children) child.signalGroup('SIGKILL');
  }
}
