import { describe, expect, it } from 'vitest';
import { TabChannel } from '../src/peer/tab-channel.js';
import type { BroadcastChannelLike, TabCommand } from '../src/peer/tab-channel.js';

/** A channel whose incoming messages the test delivers by hand. */
class HandChannel implements BroadcastChannelLike {
  static last: HandChannel | null = null;
  readonly posted: unknown[] = [];
  closed = false;
  #listener: ((event: { data: unknown }) => void) | null = null;

  constructor() {
    HandChannel.last = this;
  }

  postMessage(message: unknown): void {
    this.posted.push(message);
  }

  close(): void {
    this.closed = true;
  }

  addEventListener(_type: 'message', listener: (event: { data: unknown }) => void): void {
    this.#listener = listener;
  }

  deliver(data: unknown): void {
    this.#listener?.({ data });
  }
}

function listening() {
  const channel = new TabChannel(HandChannel, 'pasarela-peer:t');
  const heard: string[] = [];
  channel.listen({
    view: (view) => heard.push(`view ${view.status}`),
    ask: () => heard.push('ask'),
    command: (command: TabCommand) => heard.push(`command ${command}`),
  });
  return { channel, hand: HandChannel.last as HandChannel, heard };
}

describe('the channel between tabs', () => {
  it('sends version 1 envelopes', () => {
    const { channel, hand } = listening();
    channel.send({ kind: 'command', command: 'pause' });
    expect(hand.posted).toEqual([{ v: 1, message: { kind: 'command', command: 'pause' } }]);
  });

  it('hears views, asks and the three commands', () => {
    const { hand, heard } = listening();
    const view = { status: 'connected', state: 'active', legs: null, tenantStatus: null };
    hand.deliver({ v: 1, message: { kind: 'view', view } });
    hand.deliver({ v: 1, message: { kind: 'ask' } });
    for (const command of ['pause', 'resume', 'reconnect']) {
      hand.deliver({ v: 1, message: { kind: 'command', command } });
    }
    expect(heard).toEqual([
      'view connected',
      'ask',
      'command pause',
      'command resume',
      'command reconnect',
    ]);
  });

  it('ignores other versions, unknown kinds and commands, and non-objects', () => {
    const { hand, heard } = listening();
    hand.deliver({ v: 2, message: { kind: 'ask' } });
    hand.deliver({ v: 1, message: { kind: 'command', command: 'stop' } });
    hand.deliver({ v: 1, message: { kind: 'shout' } });
    hand.deliver({ v: 1, message: { kind: 'view', view: null } });
    hand.deliver('ask');
    hand.deliver(null);
    expect(heard).toEqual([]);
  });

  it('neither sends nor hears once closed', () => {
    const { channel, hand, heard } = listening();
    channel.close();
    channel.send({ kind: 'ask' });
    hand.deliver({ v: 1, message: { kind: 'ask' } });
    expect([hand.closed, hand.posted, heard]).toEqual([true, [], []]);
  });
});
