import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.js';

/** A worker without a room (no PASARELA_ROOM_URL): every tenant runs direct. */
let worker: TestService;

beforeAll(async () => {
  worker = await startTestService(null);
});

afterAll(async () => {
  await worker?.close();
});

type Refusal = { error: { code: string } };

describe('a worker without a room', () => {
  it('answers the tunnel routes with tunnel_not_configured', async () => {
    const token = await worker.admin.post<Refusal>('/api/tunnel/tokens', { role: 'admin' });
    expect([token.status, token.body.error.code]).toEqual([503, 'tunnel_not_configured']);
    const stats = await worker.admin.get<Refusal>('/api/tunnel/stats/sin-sala');
    expect([stats.status, stats.body.error.code]).toEqual([503, 'tunnel_not_configured']);
  });

  it('keeps the tunnel events in its catalogue, so subscriptions do not depend on it', async () => {
    const answer = await worker.admin.get<{ types: { type: string }[] }>('/api/events/types');
    expect(answer.body.types.map((t) => t.type)).toEqual(
      expect.arrayContaining([
        'tunnel.connected',
        'tunnel.disconnected',
        'tunnel.unhealthy',
        'route.changed',
        'tunnel.leak',
      ]),
    );
  });

  it('lists every session with no tunnel', async () => {
    await worker.admin.post('/api/baileys/sessions', { tenantId: 'sin-sala' });
    const answer = await worker.admin.get<{ sessions: Record<string, unknown>[] }>(
      '/api/baileys/sessions',
    );
    expect(answer.body.sessions[0]).toMatchObject({
      tenantId: 'sin-sala',
      hasTunnel: false,
      tunnelHealthy: false,
      tunnel: 'no tunnel',
    });
  });
});
