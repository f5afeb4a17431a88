import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNamespace } from './support/netns.js';
import { ROOM_START_TIMEOUT_MS, RoomServer, testKeys } from './support/room.js';

/**
 * FIELD-NOTES F8: for 60 s, one tenant's room is a port that never
 * answers, another's a refused port, another's a name that does not
 * resolve (its namespace's resolver is a dead loopback port: no real
 * resolver is asked). The worker stays up, the tenant with a working room
 * keeps working, and each of the three runs direct with health "room
 * unreachable" and the code that says why.
 */
const RUN_MS = 60_000;
/** Start-up, four pairings and the final read-back; printed by the fixture. */
const SETUP_MS = 60_000;
const FIXTURE = fileURLToPath(new URL('./fixtures/room-failures-worker.ts', import.meta.url));
const WORKSPACE = fileURLToPath(new URL('../..', import.meta.url));

const keys = testKeys();
const namespace = new TestNamespace('f8');
let room: RoomServer;

interface TenantSummary {
  session: string | null;
  transitions: string[];
  status: { routes: Record<string, string>; protected: boolean; reason: string | null } | null;
  link: { status: string; problem: { code: string; reason: string } | null } | null;
  connections: Array<string | null>;
}

interface Summary {
  runMs: number;
  sent: number;
  received: number;
  problems: string[];
  tenants: Record<string, TenantSummary>;
}

beforeAll(async () => {
  await namespace.create();
  room = new RoomServer({ keysJson: keys.json, ip: namespace.hostAddress });
  const ms = await room.start();
  console.log(`[wrangler dev] answered /health on ${room.host} ${ms} ms after spawn`);
}, ROOM_START_TIMEOUT_MS);

afterAll(async () => {
  await room?.stop();
  await namespace.remove();
});

function runFixture(): Promise<{ summary: Summary; exit: number | null; lines: string[] }> {
  const [command, ...args] = namespace.command([process.execPath, '--import', 'tsx', FIXTURE]);
  const child = spawn(command!, args, {
    cwd: WORKSPACE,
    env: {
      ...process.env,
      F8_RUN_MS: String(RUN_MS),
      F8_ROOM_HOST: room.host,
      F8_TOKEN_KEYS: keys.json,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  return new Promise((resolve, reject) => {
    child.once('exit', (exit) => {
      const last = lines
        .map((line) => {
          try {
            return JSON.parse(line) as { ev?: string };
          } catch {
            return {};
          }
        })
        .find((line) => line.ev === 'summary');
      if (!last) {
        reject(
          new Error(`the fixture ended (${exit}) without a summary:\n${stderr.slice(-3_000)}`),
        );
        return;
      }
      resolve({ summary: last as unknown as Summary, exit, lines });
    });
  });
}

describe('F8: rooms that cannot be reached', () => {
  it(
    'keeps the worker up and the other tenants working; each such tenant runs direct and says why',
    async () => {
      const { summary, exit } = await runFixture();
      console.log(
        `[F8] ran ${summary.runMs} ms; healthy tenant sent ${summary.sent} messages, ` +
          `${summary.received} received; room states: ${Object.entries(summary.tenants)
            .map(([tenant, t]) => `${tenant}=${t.link?.status}/${t.link?.problem?.code ?? '-'}`)
            .join(', ')}`,
      );

      expect(exit).toBe(0);
      expect(summary.problems).toEqual([]);
      expect(summary.received).toBe(summary.sent);
      const healthy = summary.tenants['f8-healthy']!;
      expect(healthy.link?.status).toBe('open');
      expect(healthy.status).toMatchObject({ reason: 'no peer connected' });
      const expected: Record<string, RegExp> = {
        'f8-silent': /^connect_timeout$/,
        'f8-refused': /^ECONNREFUSED$/,
        'f8-unresolvable': /^(EAI_AGAIN|ENOTFOUND)$/,
      };
      for (const [tenant, code] of Object.entries(expected)) {
        const t = summary.tenants[tenant]!;
        expect(t.link?.status, tenant).toBe('down');
        expect(t.link?.problem?.code, tenant).toMatch(code);
        expect(t.link?.problem?.reason, tenant).toMatch(/^room unreachable/);
        expect(t.status?.reason, tenant).toMatch(/^room unreachable/);
        expect(t.status?.routes, tenant).toEqual({
          websocket: 'direct',
          download: 'direct',
          upload: 'direct',
        });
      }
      for (const [tenant, t] of Object.entries(summary.tenants)) {
        expect(t.session, tenant).toBe('connected');
        // Paired, restarted once (515) and never dropped since.
        expect(t.transitions.slice(-3), tenant).toEqual([
          'reconnecting(restart_required)',
          'starting(socket_created)',
          'connected(opened)',
        ]);
      }
    },
    RUN_MS + SETUP_MS,
  );
});
