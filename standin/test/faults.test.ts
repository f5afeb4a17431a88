import { describe, expect, it } from 'vitest';
import { StandinError } from '../src/errors.js';
import {
  FaultBoard,
  parseAccountFaults,
  parseHostFaults,
  ruleRefuses,
  type OriginRule,
} from '../src/faults.js';

function fieldOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error instanceof StandinError ? error.context.field : error;
  }
  return 'no error';
}

describe('fault bodies', () => {
  it('names the bad field', () => {
    expect(fieldOf(() => parseAccountFaults({ stallFrames: 'yes' }))).toBe('stallFrames');
    expect(fieldOf(() => parseAccountFaults({ delayFramesMs: -1 }))).toBe('delayFramesMs');
    expect(fieldOf(() => parseAccountFaults({ slowDown: true }))).toBe('slowDown');
    expect(fieldOf(() => parseHostFaults({ refuseUpgrades: 'some' }))).toBe('refuseUpgrades');
    expect(fieldOf(() => parseHostFaults({ refusalStatus: 200 }))).toBe('refusalStatus');
  });

  it('accepts a partial body', () => {
    expect(parseAccountFaults({ holdAcks: true, loginFailure: 403 })).toEqual({
      holdAcks: true,
      loginFailure: 403,
    });
  });
});

describe('origin rules', () => {
  it.each([
    ['none', 'https://orders.restaurant.example', false],
    ['all', 'https://web.whatsapp.com', true],
    ['foreign-origin', 'https://web.whatsapp.com', false],
    ['foreign-origin', 'https://orders.restaurant.example', true],
    ['foreign-origin', null, true],
    ['foreign-origin', 'http://web.whatsapp.com', true],
  ] as const)('%s refuses Origin %s: %s', (rule, origin, refused) => {
    expect(ruleRefuses(rule as OriginRule, origin)).toBe(refused);
  });
});

describe('the fault board', () => {
  it("applies the '*' faults to every account and to connections not tied to one yet", () => {
    const board = new FaultBoard();
    board.setAccount('*', { delayFramesMs: 100, ignorePings: true });
    board.setAccount('15550100001', { delayFramesMs: 50, holdAcks: true, loginFailure: 403 });
    expect(board.forAccount('15550100001')).toMatchObject({
      delayFramesMs: 100,
      ignorePings: true,
      holdAcks: true,
      loginFailure: 403,
    });
    expect(board.forAccount(null)).toMatchObject({ delayFramesMs: 100, holdAcks: false });
  });

  it('tells listeners about each change, so held work can be released', () => {
    const board = new FaultBoard();
    const seen: string[] = [];
    board.on('account', (account) => seen.push(`account ${account}`));
    board.on('host', (host) => seen.push(`host ${host}`));
    board.setAccount('15550100001', { stallFrames: true });
    board.clearAccount('15550100001');
    board.setHost('MMG.whatsapp.net', { refusePreflights: 'all' });
    expect(seen).toEqual(['account 15550100001', 'account 15550100001', 'host mmg.whatsapp.net']);
    expect(board.forHost('mmg.whatsapp.net').refusePreflights).toBe('all');
  });
});
