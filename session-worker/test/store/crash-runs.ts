import { BufferJSON } from '@whiskeysockets/baileys';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { AuthStore } from '../../src/store/index.js';
import { Child, type Line } from '../helpers/child.js';
import { crashPayload, crashPreKey } from './fixtures/crash-values.js';

const writer = new URL('./fixtures/crash-writer.ts', import.meta.url);
export const RUNS = 20;
const START_MS = 30_000;

export interface KeyRow {
  type: string;
  id: string;
  value: string;
}

/**
 * Kills a writer with SIGKILL at a random moment RUNS times over one store,
 * and after each kill checks that the store loads and is consistent:
 * - every step the writer saw acknowledged is there (commit before resolve);
 * - the creds never count a step whose keys are missing, and no key is more
 *   than one step ahead of the creds (writes keep their order);
 * - each step's keys exist all together or not at all, and exactly one
 *   sender-key-memory row exists (a delete and an insert in one set are atomic).
 */
export async function crashRuns(
  args: string[],
  readRows: () => Promise<KeyRow[]>,
  openStore: () => Promise<AuthStore>,
): Promise<void> {
  const figures: string[] = [];
  let previousNext = 1;
  for (let run = 1; run <= RUNS; run++) {
    const child = new Child(writer, args);
    const delay = 20 + Math.floor(Math.random() * 400);
    try {
      await child.waitFor((l) => l.ev === 'ready', START_MS);
      await sleep(delay);
      child.signal('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');
    } finally {
      await child.stop();
    }
    const ackedKeys = maxStep(child.lines, 'keys');
    const ackedCreds = maxStep(child.lines, 'creds');

    const store = await openStore();
    const auth = await store.load('crash');
    const next = auth.state.creds.nextPreKeyId;
    expect(auth.state.creds.accountSyncCounter).toBe(next - 1);
    expect(auth.state.creds.lastPropHash).toBe('p'.repeat((next - 1) % 400));
    await store.close();

    const rows = await readRows();
    const steps = stepsPresent(rows);
    expect(next).toBeGreaterThanOrEqual(ackedCreds + 1);
    expect(next).toBeGreaterThanOrEqual(previousNext);
    for (let step = 1; step < next; step++) expect(steps.get(step)).toBe('complete');
    const beyond = [...steps.keys()].filter((step) => step >= next);
    expect(beyond.every((step) => step === next && steps.get(step) === 'complete')).toBe(true);
    expect(Math.max(0, ...steps.keys())).toBeGreaterThanOrEqual(ackedKeys);
    const memory = rows.filter((r) => r.type === 'sender-key-memory').map((r) => r.id);
    expect(memory).toEqual([`m${Math.max(...steps.keys())}`]);

    figures.push(`run ${run}: killed after ${delay} ms, steps ${previousNext}..${next - 1}`);
    previousNext = next;
  }
  console.log(`${RUNS} SIGKILLs, store loaded and consistent each time\n${figures.join('\n')}`);
}

function maxStep(lines: Line[], ev: string): number {
  return Math.max(0, ...lines.filter((l) => l.ev === ev).map((l) => Number(l['n'])));
}

/** For each step: 'complete' when its pre-key and both sessions hold the expected values. */
function stepsPresent(rows: KeyRow[]): Map<number, 'complete' | 'partial'> {
  const found = new Map<number, number>();
  for (const row of rows) {
    const value = JSON.parse(row.value, BufferJSON.reviver) as unknown;
    const step =
      row.type === 'pre-key'
        ? Number(row.id)
        : row.type === 'session'
          ? Number(row.id.slice(1, -2))
          : undefined;
    if (step === undefined) continue;
    const expected = row.type === 'pre-key' ? crashPreKey(step) : crashPayload(step);
    expect(value).toEqual(expected);
    found.set(step, (found.get(step) ?? 0) + 1);
  }
  return new Map([...found].map(([step, count]) => [step, count === 3 ? 'complete' : 'partial']));
}
