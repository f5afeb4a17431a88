import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTabPeer, PeerConfigError } from '../src/peer/index.js';
import type { TabPeer, TabPeerOptions, TabRole, TabView } from '../src/peer/index.js';
import { MemoryLocks } from './support/locks.js';
import { NodeWebSocket, peerToken, TENANT } from './support/peer.js';
import { TestRoom } from './support/room.js';

let room: TestRoom;
let locks: MemoryLocks;
const tabs: TabPeer[] = [];

beforeEach(async () => {
  room = await TestRoom.start({ tenant: TENANT });
  locks = new MemoryLocks();
});

afterEach(async () => {
  for (const tab of tabs.splice(0)) tab.stop();
  await room.close();
});

function openTab(options: Partial<TabPeerOptions> = {}): TabPeer {
  const tab = createTabPeer({
    host: room.host,
    tenant: TENANT,
    getToken: () => peerToken(),
    WebSocket: NodeWebSocket,
    fetch: (input, init) => fetch(input, init),
    page: null,
    probes: { websocket: null, download: null, upload: null },
    locks,
    ...options,
  });
  tabs.push(tab);
  return tab;
}

function untilRole(tab: TabPeer, role: TabRole): Promise<void> {
  if (tab.role === role) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = tab.on('role', (next) => {
      if (next !== role) return;
      stop();
      resolve();
    });
  });
}

function untilView(tab: TabPeer, test: (view: TabView) => boolean): Promise<TabView> {
  if (test(tab.view)) return Promise.resolve(tab.view);
  return new Promise((resolve) => {
    const stop = tab.on('view', (view) => {
      if (!test(view)) return;
      stop();
      resolve(view);
    });
  });
}

describe('tabs of one browser', () => {
  it('elect the first as leader; the second stands by and opens no socket', async () => {
    const first = openTab();
    first.start();
    await untilView(first, (view) => view.status === 'connected');
    const second = openTab();
    second.start();
    await untilRole(second, 'standby');

    expect([first.role, second.role]).toEqual(['leader', 'standby']);
    expect(second.peer).toBeNull();
    expect(room.sockets).toHaveLength(1);
    expect(locks.held).toEqual([`pasarela-peer:${TENANT}`]);
  });

  it('let a standby hear the leader and send it a pause', async () => {
    const first = openTab();
    first.start();
    await untilView(first, (view) => view.status === 'connected');
    const second = openTab();
    second.start();
    const heard = await untilView(second, (view) => view.status === 'connected');
    expect(heard).toMatchObject({ role: 'standby', state: 'active' });

    second.pause();
    await untilView(first, (view) => view.state === 'paused');
    const socket = await room.socket(0);
    const state = await socket.take((m) => m.kind === 'peer-state' && m.body.state === 'paused');
    expect(state.kind).toBe('peer-state');
  });

  it(
    'hand over when the leader stops: the standby ' + 'leads with a fresh socket, still paused',
    async () => {
      const first = openTab();
      first.start();
      await untilView(first, (view) => view.status === 'connected');
      const second = openTab();
      second.start();
      await untilView(second, (view) => view.status === 'connected');
      first.pause();
      await untilView(second, (view) => view.state === 'paused');

      first.stop();
      await untilView(second, (view) => view.role === 'leader' && view.status === 'connected');

      expect(first.role).toBe('stopped');
      expect(second.peer?.state).toBe('paused');
      expect(room.sockets).toHaveLength(2);
    },
  );

  it('leave the queue when a standby stops, so it never leads', async () => {
    const first = openTab();
    first.start();
    const second = openTab();
    const roles: TabRole[] = [];
    second.on('role', (role) => roles.push(role));
    second.start();
    await untilRole(second, 'standby');
    second.stop();
    first.stop();

    await expect.poll(() => locks.held).toEqual([]);
    expect(roles).toEqual(['electing', 'standby', 'stopped']);
    expect(second.peer).toBeNull();
  });
});

describe('a page without Web Locks', () => {
  it('is refused, naming the option, unless the election is turned off', () => {
    const scope = globalThis as { navigator?: unknown };
    expect(scope.navigator === undefined || !('locks' in (scope.navigator as object))).toBe(true);
    expect(() => openTab({ locks: undefined })).toThrow(PeerConfigError);
    expect(() => openTab({ locks: undefined })).toThrow(/secure context/);
  });

  it('leads at once with the election turned off', async () => {
    const tab = openTab({ locks: null });
    tab.start();
    await untilView(tab, (view) => view.status === 'connected');
    expect(tab.role).toBe('leader');
  });
});
