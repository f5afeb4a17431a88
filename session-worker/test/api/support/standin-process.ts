import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ControlClient } from '@pasarela/standin';

/** The stand-in as the worker's tests use it: another process, reached over its control API. */
export interface StandinProcess {
  readonly hostMap: Record<string, string>;
  readonly caPath: string;
  readonly caPem: string;
  readonly control: ControlClient;
  close(): Promise<void>;
}

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.resolve('@pasarela/standin')));

/**
 * Starts `npm run standin`'s entry in a child process. The worker under
 * test installs process-wide guards that refuse WhatsApp-bound traffic
 * without a tenant; the stand-in's simulated contacts fetch media from the
 * same names, so they must live in a process of their own, as WhatsApp does.
 */
export async function startStandinProcess(): Promise<StandinProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CLI], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env },
  });
  // Never outlive this process, whatever ends it.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  child.once('exit', () => process.off('exit', orphanGuard));
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) =>
      reject(new Error(`the stand-in exited (${code}) before it was ready: ${stderr.join('')}`)),
    );
  });
  // Later lines are not read; keep the pipe drained so the child never blocks on it.
  lines.on('line', () => undefined);
  const info = JSON.parse(first) as {
    hostMap: Record<string, string>;
    caPath: string;
    controlUrl: string;
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    hostMap: info.hostMap,
    caPath: info.caPath,
    caPem: await readFile(info.caPath, 'utf8'),
    control: new ControlClient(info.controlUrl),
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
