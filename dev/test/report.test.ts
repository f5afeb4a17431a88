import { describe, expect, it } from 'vitest';
import { DEV_DEFAULTS } from '../src/options.js';
import { banner, eventLine } from '../src/report.js';
import type { WorkerEvent } from '../src/sse.js';

const at = new Date(2026, 0, 2, 13, 4, 5).getTime();
const event = (type: string, data: Record<string, unknown>): WorkerEvent => ({
  id: 1,
  type,
  tenantId: 'demo-restaurant',
  at,
  data,
});

describe('what npm run dev prints', () => {
  it('says where to open each page, the admin token and the two commands', () => {
    const lines = banner({
      options: {
        runtime: 'wrangler',
        dataDir: DEV_DEFAULTS.dataDir,
        roomPort: 8787,
        workerPort: 3000,
        pagesPort: 8790,
        tenant: 'demo-restaurant',
        verbose: false,
      },
      upMs: 6_400,
      pagesUrl: 'http://localhost:8790',
      roomUrl: 'http://127.0.0.1:8787',
      workerUrl: 'http://127.0.0.1:3000',
      adminToken: 'pt1.claims.mac',
      adminTokenHours: 24,
      contact: { name: 'Ana', phone: '15550100001' },
      sessionStatus: 'qr',
    });
    expect(lines.filter((line) => line !== '')).toEqual([
      'Pasarela local stack is up in 6.4 s (room: wrangler dev; WhatsApp: the local ' +
        'stand-in, not the real service).',
      '  Connect page   http://localhost:8790/whatsapp-connect   (also /dashboard and /kds)',
      '  Inspection     ' +
        'http://localhost:8790/admin/#token=pt1.claims.mac&room=http://127.0.0.1:8787',
      '  Admin token    pt1.claims.mac',
      '                 (valid 24 h; npm run dev:token mints another)',
      '  Worker API     http://127.0.0.1:3000   (admin key: .data/dev/secrets.json)',
      '  Scan the QR with the simulated phone:   npm run dev:scan',
      '  Make Ana (+15550100001) write:   npm run dev:say -- "hola"',
      'WhatsApp is qr. Ctrl-C stops everything; logs are in .data/dev/logs/.',
    ]);
  });

  it('adds --data to the commands when the stack runs on another data folder', () => {
    const lines = banner({
      options: {
        runtime: 'partykit',
        dataDir: '/srv/pasarela-dev',
        roomPort: 1999,
        workerPort: 3000,
        pagesPort: 8790,
        tenant: 'demo-restaurant',
        verbose: false,
      },
      upMs: 1_000,
      pagesUrl: 'http://localhost:8790',
      roomUrl: 'http://127.0.0.1:1999',
      workerUrl: 'http://127.0.0.1:3000',
      adminToken: 't',
      adminTokenHours: 24,
      contact: { name: 'Ana', phone: '1' },
      sessionStatus: 'connected',
    });
    expect(lines).toContain(
      '  Scan the QR with the simulated phone:   npm run dev:scan -- --data /srv/pasarela-dev',
    );
    expect(lines).toContain(
      '  Make Ana (+1) write:   npm run dev:say -- --data /srv/pasarela-dev "hola"',
    );
    expect(lines[1]).toContain('(room: partykit dev;');
  });

  it.each([
    [
      event('session.status', { from: 'qr', to: 'reconnecting', reason: 'restart_required' }),
      '13:04:05 WhatsApp: qr -> reconnecting (restart_required)',
    ],
    [
      event('session.status', { from: 'reconnecting', to: 'starting', reason: 'socket_created' }),
      null,
    ],
    [
      event('route.changed', {
        leg: 'websocket',
        from: 'direct',
        to: 'tunnel',
        reason: 'tunnel_ready',
        controlled: true,
      }),
      '13:04:05 route: websocket direct -> tunnel (tunnel_ready, a move of the product)',
    ],
    [
      event('message.received', {
        from: '',
        chat: '15550100002@s.whatsapp.net',
        pushName: 'Ana',
        text: 'hola',
        type: 'text',
      }),
      '13:04:05 message from Ana (15550100002@s.whatsapp.net): hola',
    ],
    [
      event('tunnel.disconnected', { reason: 'peer left', code: null }),
      '13:04:05 tunnel: no tab relaying (peer left)',
    ],
    [event('message.receipt', { status: 'read' }), null],
  ])('tells %o as %j', (input, line) => {
    expect(eventLine(input)).toBe(line);
  });
});
