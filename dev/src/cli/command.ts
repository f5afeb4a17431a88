import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_DEFAULTS } from '../options.js';
import { readRunningStack } from '../state.js';
import type { StackState } from '../state.js';
import type { DevSecrets } from '../secrets.js';

export interface Command {
  readonly state: StackState;
  readonly secrets: DevSecrets;
  readonly tenantKey: string;
  /** Positional arguments. */
  readonly args: readonly string[];
}

/**
 * The running stack for one of its small commands (`--data DIR` when it
 * was started with one). Prints the reason and exits 1 when it is not up.
 */
export async function openCommand(usage: string): Promise<Command> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: { data: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (error) {
    fail(`${(error as Error).message}\n${usage}`, 2);
  }
  if (parsed.values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const dataDir = resolve(parsed.values.data ?? DEV_DEFAULTS.dataDir);
  try {
    const { state, secrets } = await readRunningStack(dataDir);
    const tenantKey = secrets.tenantKeys[state.tenant];
    if (!tenantKey) throw new Error(`no key for ${state.tenant} yet: is the stack still starting?`);
    return { state, secrets, tenantKey, args: parsed.positionals };
  } catch (error) {
    return fail((error as Error).message, 1);
  }
}

export function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

export const say = (line: string) => process.stdout.write(`${line}\n`);
