import { describe, expect, it } from 'vitest';
import { EgressAudit } from '../../src/egress/index.js';
import type { AuditInput, AuditRecord, PeerView } from '../../src/egress/index.js';

const READY: PeerView = {
  health: 'healthy',
  state: 'active',
  legs: { websocket: { status: 'ok' }, download: { status: 'ok' }, upload: { status: 'ok' } },
};

const direct: AuditInput = {
  tenant: 'pizza-roma',
  source: 'agent',
  host: 'web.whatsapp.com',
  port: 443,
  leg: 'websocket',
  route: 'direct',
  reason: 'no_peer',
  policy: 'prefer-tunnel',
  peer: null,
};

describe('the egress audit', () => {
  it('counts connections, refusals and failures per tenant and in total', () => {
    const audit = new EgressAudit();
    audit.record(direct);
    audit.record({ ...direct, tenant: 'taco-loco', leg: 'download', host: 'mmg.whatsapp.net' });
    audit.record({ ...direct, route: null, refused: 'no_peer', policy: 'tunnel-only' });
    audit.recordFailure('pizza-roma');

    const snapshot = audit.snapshot();
    expect(snapshot.totals).toEqual({
      connections: 2,
      direct: 2,
      tunnel: 0,
      refused: 1,
      failed: 1,
      leaks: 0,
      reasons: { no_peer: 3 },
      lastLeakAt: null,
    });
    expect(snapshot.tenants['pizza-roma']).toMatchObject({ connections: 1, refused: 1, failed: 1 });
    expect(snapshot.tenants['taco-loco']).toMatchObject({ connections: 1, refused: 0, failed: 0 });
    expect(audit.tenant('nobody')).toMatchObject({ connections: 0, leaks: 0 });
  });

  it(
    'flags a direct WhatsApp connection while a ' +
      'ready peer says tunnel as a leak, and emits it',
    () => {
      const audit = new EgressAudit();
      const leaks: AuditRecord[] = [];
      audit.on('leak', (record) => leaks.push(record));
      const record = audit.record({ ...direct, peer: READY });

      expect(record).toMatchObject({ leak: true, peer: 'ready', whatsapp: true });
      expect(leaks).toEqual([record]);
      expect(audit.tenant('pizza-roma')).toMatchObject({ leaks: 1, lastLeakAt: record.at });
    },
  );

  it('does not flag a fallback after a tunnel failure', () => {
    const audit = new EgressAudit();
    const record = audit.record({ ...direct, peer: READY, reason: 'tunnel_failed' });
    expect(record.leak).toBe(false);
  });

  it('keeps tenant-less traffic apart from the tenants', () => {
    const audit = new EgressAudit();
    const guard = {
      ...direct,
      tenant: null,
      policy: null,
      peer: null,
      leg: null,
      reason: 'no_tenant',
    };
    audit.record({ ...guard, source: 'guard:fetch', route: null, refused: 'tenant_missing' });
    audit.record({ ...guard, source: 'guard:tls', route: 'direct' });

    const snapshot = audit.snapshot();
    expect(snapshot.unattributed).toEqual({
      refused: 1,
      allowed: 1,
      bySource: { 'guard:fetch': 1, 'guard:tls': 1 },
    });
    expect(snapshot.totals.connections).toBe(0);
    expect(snapshot.tenants).toEqual({});
    expect(snapshot.recent.map((record) => record.peer)).toEqual([null, null]);
  });

  it('keeps only the newest records, numbered in order', () => {
    const audit = new EgressAudit({ recentLimit: 3 });
    for (let port = 1; port <= 5; port += 1) audit.record({ ...direct, port });

    expect(audit.snapshot().recent.map(({ seq, port }) => [seq, port])).toEqual([
      [3, 3],
      [4, 4],
      [5, 5],
    ]);
    expect(audit.snapshot().totals.connections).toBe(5);
  });

  it('serves a plain object that survives JSON and later records do not change', () => {
    const audit = new EgressAudit();
    audit.record(direct);
    const snapshot = audit.snapshot();
    audit.record(direct);

    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(snapshot.totals.connections).toBe(1);
    expect(snapshot.recent).toHaveLength(1);
  });
});
