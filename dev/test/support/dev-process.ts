import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../../src/options.js';
import { descendants } from './tree.js';

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/**
 * `npm run dev`'s own entry started as a terminal starts a foreground job:
 * in a process group of its own, so a Ctrl-C is SIGINT to that group.
 */
export class DevProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #waiters = new Set<() => void>();

  constructor(args: readonly string[]) {
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'dev/src/main.ts'), ...args],
      {
        cwd: REPO_ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.lines.push(line);
        for (const wake of this.#waiters) wake();
      });
    }
    this.exited = new Promise((done) =>
      this.child.once('exit', (code, signal) => {
        for (const wake of this.#waiters) wake();
        done({ code, signal });
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The first printed line matching `pattern`, within `timeoutMs`. */
  async line(pattern: RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find((line) => pattern.test(line));
      if (found) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`npm run dev exited before printing ${pattern}:\n${this.lines.join('\n')}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `npm run dev printed no ${pattern} in ${timeoutMs} ms:\n${this.lines.join('\n')}`,
        );
      }
      await new Promise<void>((done) => {
        const wake = () => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          done();
        };
        const timer = setTimeout(wake, Math.min(left, 1_000));
        this.#waiters.add(wake);
      });
    }
  }

  /** What a terminal does on Ctrl-C: SIGINT to the foreground process group. */
  ctrlC(): void {
    process.kill(-this.pid, 'SIGINT');
  }

  /**
   * After a failed case: Ctrl-C and its bound, then SIGKILL to whatever of
   * the stack is still there, so the next case starts on free ports and an
   * unlocked data folder.
   */
  async stopAfterFailure(boundMs: number): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const tree = await descendants(this.pid);
    this.ctrlC();
    const timer = setTimeout(() => {
      for (const pid of [this.pid, ...tree.keys()]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone.
        }
      }
    }, boundMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Runs one of the stack's small commands (`dev:scan`, `dev:say`, ...) to its end. */
export function runCommand(
  name: 'scan' | 'say' | 'token',
  args: readonly string[],
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, `dev/src/cli/${name}.ts`), ...args],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`dev:${name} did not end within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}
