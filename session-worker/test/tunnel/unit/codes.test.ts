import { describe, expect, it } from 'vitest';
import {
  closeForClient,
  closeForUpstream,
  refusalKind,
  refusalProblem,
  socketProblem,
} from '../../../src/tunnel/index.js';

describe('the upstream close as Baileys sees it', () => {
  it.each([
    [1000, 'bye', { kind: 'close', code: 1000, reason: 'bye' }],
    [1001, 'going', { kind: 'close', code: 1001, reason: 'going' }],
    [1011, 'server error', { kind: 'close', code: 1011, reason: 'server error' }],
    [4001, 'app', { kind: 'close', code: 4001, reason: 'app' }],
    [1005, '', { kind: 'close', code: undefined, reason: '' }],
    [1006, '', { kind: 'terminate' }],
    [1015, 'tls', { kind: 'terminate' }],
    [1004, '', { kind: 'terminate' }],
    [2999, '', { kind: 'terminate' }],
  ] as const)('%i %j → %j', (code, reason, expected) => {
    expect(closeForClient(code, reason)).toEqual(expected);
  });

  it('cuts a long reason to the 123 characters a close frame holds', () => {
    expect(closeForClient(1000, 'x'.repeat(200))).toEqual({
      kind: 'close',
      code: 1000,
      reason: 'x'.repeat(123),
    });
  });
});

describe("Baileys' close as the WsClose to the peer", () => {
  it.each([
    [1000, 'done', { code: 1000, reason: 'done' }],
    [4100, 'app', { code: 4100, reason: 'app' }],
    [1005, '', { code: 1000, reason: '' }],
    [1006, '', { code: 1000, reason: '' }],
  ] as const)('%i → %j', (code, reason, expected) => {
    expect(closeForUpstream(code, reason)).toEqual(expected);
  });
});

describe('why a room could not be reached', () => {
  const errno = (code: string) => Object.assign(new Error(code), { code });
  it.each([
    ['a refused port', errno('ECONNREFUSED'), undefined, 'ECONNREFUSED', 'room unreachable'],
    [
      'a name that does not resolve',
      errno('ENOTFOUND'),
      undefined,
      'ENOTFOUND',
      'room unreachable (name not resolved)',
    ],
    [
      'a resolver that does not answer',
      errno('EAI_AGAIN'),
      undefined,
      'EAI_AGAIN',
      'room unreachable (name not resolved)',
    ],
    [
      'a port that never answers',
      new Error('TIMEOUT'),
      'TIMEOUT',
      'connect_timeout',
      'room unreachable',
    ],
    [
      'an HTTP answer instead of an upgrade',
      new Error('Unexpected server response: 502'),
      undefined,
      'http_502',
      'room unreachable',
    ],
    ['anything else', new Error('odd'), undefined, 'socket_error', 'room unreachable'],
  ] as const)('%s', (_name, error, message, code, reason) => {
    expect(socketProblem(error, message)).toEqual({ code, reason });
  });
});

describe("what the room's refusal means for the link", () => {
  it.each([
    ['replaced', 'fenced'],
    ['auth_stale_epoch', 'fenced'],
    ['auth_unknown_key', 'misconfigured'],
    ['auth_bad_signature', 'misconfigured'],
    ['config_invalid', 'misconfigured'],
    ['version_mismatch', 'misconfigured'],
    ['a_code_not_in_the_catalogue', 'misconfigured'],
    ['auth_expired', 'transient'],
    ['handshake_required', 'transient'],
    ['too_many_peers', 'transient'],
  ] as const)('%s → %s', (code, kind) => {
    expect(refusalKind(code)).toBe(kind);
  });

  it('says another worker holds the tenant when fenced', () => {
    expect(refusalProblem('auth_stale_epoch')).toEqual({
      code: 'auth_stale_epoch',
      reason: 'another worker holds this tenant',
    });
  });
});
