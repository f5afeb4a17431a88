import { describe, expect, it } from 'vitest';
import { redactPath } from '../src/http/request-info.js';
import { Records, type RequestRecord } from '../src/records.js';

function request(records: Records): RequestRecord {
  return records.addRequest({
    kind: 'ws',
    transport: 'tls',
    httpVersion: '1.1',
    sni: 'web.whatsapp.com',
    host: 'web.whatsapp.com',
    method: 'GET',
    path: '/ws/chat',
    remoteAddress: '127.0.0.1',
    remotePort: 50000,
    origin: 'https://web.whatsapp.com',
    userAgent: null,
    headers: [],
    account: null,
    connection: null,
    status: null,
    responseHeaders: null,
    refusedBy: null,
    party: null,
  });
}

describe('records', () => {
  it('counts the connections open per account at each instant and keeps the peak', () => {
    const records = new Records(100);
    const first = records.openConnection(request(records));
    const second = records.openConnection(request(records));
    records.attach(first, '15550100001', 2);
    records.attach(second, '15550100001', 2);
    records.closeConnection(first, 'replaced');
    records.closeConnection(second, 'client-closed');
    const count = records.openCount('15550100001');
    expect(count.timeline.map((sample) => sample.open)).toEqual([1, 2, 1, 0]);
    expect([count.open, count.peak]).toEqual([0, 2]);
  });

  it('fills in the account on the upgrade request once the connection is tied to one', () => {
    const records = new Records(100);
    const upgrade = request(records);
    records.attach(records.openConnection(upgrade), '15550100001', 2);
    expect([upgrade.account, upgrade.connection]).toEqual(['15550100001', 'c1']);
  });

  it('keeps the newest requests up to its limit and counts the dropped', () => {
    const records = new Records(2);
    for (let index = 0; index < 5; index += 1) request(records);
    const snapshot = records.snapshot();
    expect(snapshot.requests.map((item) => item.seq)).toEqual([4, 5]);
    expect([snapshot.droppedRequests, snapshot.lastSeq]).toEqual([3, 5]);
    expect(records.snapshot(4).requests.map((item) => item.seq)).toEqual([5]);
  });

  it('never records a media auth token', () => {
    expect(redactPath('/mms/image/abc?auth=se%2Bcret&token=abc')).toBe(
      '/mms/image/abc?auth=REDACTED&token=abc',
    );
  });
});
