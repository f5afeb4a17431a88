import { describe, expect, it } from 'vitest';
import { protectionOf } from '../../../src/pages/ui/indicator.js';
import type { Protection } from '../../../src/pages/ui/indicator.js';
import { coalesceNotices, isWarning, noticesBetween } from '../../../src/pages/ui/notices.js';
import { ALL_DIRECT, HEALTHY_PEER, input, LEGS_OK, status, UNPROTECTED } from './fixtures.js';

const PROTECTED = protectionOf(input());
const SLOW = protectionOf(
  input({ status: status({ peer: { ...HEALTHY_PEER, health: 'degraded' } }) }),
);
const LINK_DOWN = protectionOf(input({ link: 'connecting' }));
const NO_PEER = protectionOf(
  input({ status: status({ ...UNPROTECTED, routes: ALL_DIRECT, peer: null }) }),
);
const PAUSED_NO_PEER = protectionOf(
  input({ state: 'paused', status: status({ ...UNPROTECTED, routes: ALL_DIRECT, peer: null }) }),
);
const MOVING = protectionOf(input({ status: status({ ...UNPROTECTED, routes: ALL_DIRECT }) }));
const WAITING = protectionOf(
  input({
    state: 'paused',
    status: status({
      ...UNPROTECTED,
      policy: 'tunnel-only',
      routes: { websocket: 'none', download: 'none', upload: 'none' },
      peer: null,
    }),
  }),
);
const leaked = (leaks: number) =>
  protectionOf(input({ status: status({ ...UNPROTECTED, leaks }) }));
const refused = (...legs: ('websocket' | 'download')[]): Protection =>
  protectionOf(
    input({
      legs: Object.fromEntries(
        Object.entries(LEGS_OK).map(([leg, state]) => [
          leg,
          legs.includes(leg as 'websocket') ? { status: 'unavailable' } : state,
        ]),
      ) as typeof LEGS_OK,
      status: status({ ...UNPROTECTED, routes: ALL_DIRECT }),
    }),
  );

describe('notices on a change of protection', () => {
  it('says nothing on the first reading of a page', () => {
    expect(noticesBetween(null, NO_PEER, false)).toEqual([]);
  });

  it('says protection is on the first time it is', () => {
    expect(noticesBetween(MOVING, PROTECTED, false)).toEqual([{ kind: 'protection-on' }]);
  });

  it('says protection is restored when it had been on before', () => {
    expect(noticesBetween(NO_PEER, PROTECTED, true)).toEqual([{ kind: 'protection-restored' }]);
  });

  it('says protection is off but WhatsApp works when the peer goes', () => {
    expect(noticesBetween(PROTECTED, NO_PEER, true)).toEqual([{ kind: 'protection-off' }]);
  });

  it('says protection is off when this browser loses the room', () => {
    expect(noticesBetween(PROTECTED, LINK_DOWN, true)).toEqual([{ kind: 'protection-off' }]);
  });

  it('says the connection is slow when latency sets in, and restored when it ends', () => {
    expect(noticesBetween(PROTECTED, SLOW, true)).toEqual([{ kind: 'slow' }]);
    expect(noticesBetween(SLOW, PROTECTED, true)).toEqual([{ kind: 'protection-restored' }]);
  });

  it('names the pause instead of a general "protection off"', () => {
    expect(noticesBetween(PROTECTED, PAUSED_NO_PEER, true)).toEqual([{ kind: 'paused' }]);
    expect(noticesBetween(PAUSED_NO_PEER, MOVING, true)).toEqual([{ kind: 'resumed' }]);
  });

  it('names a leak, and each new one', () => {
    expect(noticesBetween(PROTECTED, leaked(1), true)).toEqual([{ kind: 'leak', leaks: 1 }]);
    expect(noticesBetween(leaked(1), leaked(3), true)).toEqual([{ kind: 'leak', leaks: 3 }]);
    expect(noticesBetween(leaked(3), leaked(3), true)).toEqual([]);
  });

  it('names only the legs newly found unservable', () => {
    expect(noticesBetween(PROTECTED, refused('websocket'), true)).toEqual([
      { kind: 'leg', legs: ['websocket'] },
    ]);
    expect(noticesBetween(refused('websocket'), refused('websocket', 'download'), true)).toEqual([
      { kind: 'leg', legs: ['download'] },
    ]);
  });

  it('says WhatsApp waits for a tab under tunnel-only when the carrying browser leaves', () => {
    const pausedHere = protectionOf(input({ state: 'paused' }));
    expect(noticesBetween(pausedHere, WAITING, true)).toEqual([{ kind: 'whatsapp-waiting' }]);
  });

  it('says nothing when protection was already off and stays off', () => {
    expect(noticesBetween(MOVING, NO_PEER, true)).toEqual([]);
  });

  it('marks bad news as warnings and good news as not', () => {
    expect(isWarning({ kind: 'protection-off' })).toBe(true);
    expect(isWarning({ kind: 'leak', leaks: 1 })).toBe(true);
    expect(isWarning({ kind: 'protection-restored' })).toBe(false);
    expect(isWarning({ kind: 'resumed' })).toBe(false);
  });
});

describe('one burst of changes, told once', () => {
  it('drops "protection off" when a cause says it', () => {
    expect(coalesceNotices([{ kind: 'paused' }, { kind: 'protection-off' }])).toEqual([
      { kind: 'paused' },
    ]);
    expect(coalesceNotices([{ kind: 'protection-off' }, { kind: 'leak', leaks: 1 }])).toEqual([
      { kind: 'leak', leaks: 1 },
    ]);
  });

  it('drops a change undone within the burst, with its undoing', () => {
    expect(coalesceNotices([{ kind: 'protection-off' }, { kind: 'protection-restored' }])).toEqual(
      [],
    );
    expect(coalesceNotices([{ kind: 'slow' }, { kind: 'protection-restored' }])).toEqual([]);
    expect(coalesceNotices([{ kind: 'paused' }, { kind: 'resumed' }])).toEqual([]);
  });

  it('keeps good news that undoes nothing', () => {
    expect(coalesceNotices([{ kind: 'resumed' }, { kind: 'protection-restored' }])).toEqual([
      { kind: 'resumed' },
      { kind: 'protection-restored' },
    ]);
  });

  it('says a kind once, as it stands last', () => {
    expect(
      coalesceNotices([
        { kind: 'leak', leaks: 1 },
        { kind: 'leak', leaks: 2 },
      ]),
    ).toEqual([{ kind: 'leak', leaks: 2 }]);
  });
});

describe('latency on the server route', () => {
  it('says nothing more when the tab recovers toward a move', () => {
    const slowDirect = protectionOf(
      input({
        status: status({
          ...UNPROTECTED,
          routes: ALL_DIRECT,
          peer: { ...HEALTHY_PEER, health: 'degraded' },
        }),
      }),
    );
    expect(slowDirect.meanwhile).toBe('server');
    expect(noticesBetween(slowDirect, MOVING, true)).toEqual([]);
  });
});
