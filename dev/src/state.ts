import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSecrets } from './secrets.js';
import type { DevSecrets } from './secrets.js';

/**
 * What the running stack tells its small commands (`npm run dev:scan`,
 * `dev:say`, ...): where each part listens, the demo tenant and the
 * simulated contact. Written once the stack is up, removed when it stops.
 * Keys stay in the secrets file.
 */
export interface StackState {
  readonly pid: number;
  readonly startedAt: string;
  readonly runtime: string;
  readonly tenant: string;
  readonly workerUrl: string;
  readonly roomUrl: string;
  readonly pagesUrl: string;
  readonly standinControlUrl: string;
  readonly contact: { readonly name: string; readonly phone: string };
}

export const STATE_FILE = 'stack.json';

export async function writeState(dataDir: string, state: StackState): Promise<void> {
  const file = join(dataDir, STATE_FILE);
  await writeFile(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}

export async function removeState(dataDir: string): Promise<void> {
  await rm(join(dataDir, STATE_FILE), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A command's view of the running stack: its state and secrets, or an error saying what to do. */
export async function readRunningStack(
  dataDir: string,
): Promise<{ state: StackState; secrets: DevSecrets }> {
  let state: StackState;
  try {
    state = JSON.parse(await readFile(join(dataDir, STATE_FILE), 'utf8')) as StackState;
  } catch {
    throw new Error('the local stack is not running: start it with `npm run dev` first');
  }
  if (!alive(state.pid)) {
    throw new Error('the local stack is not running (its process is gone): `npm run dev`');
  }
  const { secrets } = await loadSecrets(dataDir);
  return { state, secrets };
}
