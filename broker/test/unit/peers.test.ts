import { describe, expect, it } from 'vitest';
import { choosePrimary, healthForRtt, smoothRtt } from '../../src/core/peers.js';
import type { ConnectionRecord } from '../../src/core/records.js';

type Peer = Pick<ConnectionRecord, 'name' | 'stage' | 'state' | 'health' | 'rttMs' | 'connectedAt'>;

const peer = (name: string, fields: Partial<Peer> = {}): Peer => ({
  name,
  stage: 'open',
  state: 'active',
  health: 'healthy',
  rttMs: 50,
  connectedAt: 1_000,
  ...fields,
});

describe('primary choice', () => {
  it.each<[string, string | null, Peer[], string | null]>([
    ['no peers: none', null, [], null],
    [
      'a peer that has not answered a ping yet: none',
      null,
      [peer('a', { health: 'unknown' })],
      null,
    ],
    ['a gone peer: none', null, [peer('a', { health: 'gone' })], null],
    ['a paused peer: none', null, [peer('a', { state: 'paused' })], null],
    ['a peer still in its handshake: none', null, [peer('a', { stage: 'hello' })], null],
    [
      'the lowest round trip first',
      null,
      [peer('a', { rttMs: 90 }), peer('b', { rttMs: 40 })],
      'b',
    ],
    [
      'healthy before degraded',
      null,
      [peer('a', { health: 'degraded', rttMs: 5 }), peer('b', { rttMs: 80 })],
      'b',
    ],
    ['a degraded peer when nothing better exists', null, [peer('a', { health: 'degraded' })], 'a'],
    [
      'the sitting primary stays although another is faster',
      'a',
      [peer('a', { rttMs: 90 }), peer('b', { rttMs: 10 })],
      'a',
    ],
    [
      'a degraded primary yields to a healthy peer',
      'a',
      [peer('a', { health: 'degraded' }), peer('b')],
      'b',
    ],
    [
      'a degraded primary stays when no one is healthy',
      'a',
      [peer('a', { health: 'degraded' }), peer('b', { health: 'degraded', rttMs: 1 })],
      'a',
    ],
    ['a paused primary is replaced', 'a', [peer('a', { state: 'paused' }), peer('b')], 'b'],
    [
      'equal round trips: the earliest connection',
      null,
      [peer('b', { connectedAt: 2_000 }), peer('a', { connectedAt: 3_000 })],
      'b',
    ],
  ])('%s', (_case, current, peers, expected) => {
    expect(choosePrimary(current, peers)).toBe(expected);
  });
});

describe('round trip and health', () => {
  it('smooths round trips so one slow pong does not flip a peer', () => {
    expect(smoothRtt(null, 40)).toBe(40);
    expect(smoothRtt(40, 1_000)).toBe(328);
    expect(smoothRtt(328, 40)).toBe(241.6);
  });

  it('calls a peer degraded only above the threshold', () => {
    expect(healthForRtt(300, 300)).toBe('healthy');
    expect(healthForRtt(300.1, 300)).toBe('degraded');
  });
});
