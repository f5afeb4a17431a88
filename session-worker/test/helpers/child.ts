import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** One JSON line a fixture process printed, with the time the test read it. */
export type Line = Record<string, unknown> & { ev: string; readAt: number };

/**
 * A TypeScript fixture run as a real child process (through tsx), speaking
 * JSON lines on stdout. Tests kill, stop and resume it with real signals.
 */
export class Child {
  readonly lines: Line[] = [];
  readonly process: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';
  private waiters: (() => void)[] = [];

  constructor(fixture: URL, args: readonly string[], env: Record<string, string> = {}) {
    this.process = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(fixture), ...args], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    createInterface({ input: this.process.stdout! }).on('line', (text) => {
      try {
        this.lines.push({ ...(JSON.parse(text) as { ev: string }), readAt: Date.now() });
      } catch {
        this.stderr += `\n[stdout] ${text}`;
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.exited = new Promise((resolve) => {
      this.process.on('exit', (code, signal) => {
        for (const wake of this.waiters.splice(0)) wake();
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  /** The first line (from `from` on) matching `match`, waiting up to `timeoutMs`. */
  async waitFor(match: (line: Line) => boolean, timeoutMs: number, from = 0): Promise<Line> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.slice(from).find(match);
      if (found) return found;
      if (this.process.exitCode !== null || this.process.signalCode !== null) {
        throw new Error(`fixture exited before the expected line; stderr: ${this.stderr}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no matching line within ${timeoutMs} ms; stderr: ${this.stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.process.kill(signal);
  }

  /** Kills the child if it still runs; for test clean-up. */
  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      this.process.kill('SIGKILL');
    }
    await this.exited;
  }

  get errors(): string {
    return this.stderr;
  }
}
