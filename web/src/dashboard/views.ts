import type {
  Inspection,
  PeerInspection,
  RoomEvent,
  RoomListing,
  StreamView,
} from '@pasarela/broker';
import type { Legs } from '@pasarela/shared';
import { fill, h } from '../pages/ui/dom.js';
import type { RoomSeries } from './series.js';

const time = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '–' : new Date(ms).toLocaleTimeString();
const ms = (value: number | null | undefined) =>
  value === null || value === undefined ? '–' : `${Math.round(value)} ms`;
const bytes = (value: number) =>
  value >= 1_048_576 ? `${(value / 1_048_576).toFixed(1)} MB` : `${(value / 1024).toFixed(1)} KB`;

function table(caption: string, headings: readonly string[], rows: readonly (readonly string[])[]) {
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headings.map((text) => h('th', { scope: 'col' }, text)))),
    h(
      'tbody',
      {},
      ...(rows.length > 0
        ? rows.map((cells) => h('tr', {}, ...cells.map((text) => h('td', {}, text))))
        : [h('tr', {}, h('td', { colspan: headings.length }, 'none'))]),
    ),
  );
}

function legs(value: Legs): string {
  return (['websocket', 'download', 'upload'] as const)
    .map(
      (leg) => `${leg} ${value[leg].status}${value[leg].reason ? ` (${value[leg].reason})` : ''}`,
    )
    .join(', ');
}

export function roomList(
  rooms: readonly RoomListing[],
  open: (tenant: string) => void,
): HTMLElement {
  const items = rooms.map((room) => {
    const button = h(
      'button',
      { type: 'button', 'data-tenant': room.tenant },
      room.tenant,
      h(
        'span',
        { class: 'meta' },
        ` ${room.peers} peer${room.peers === 1 ? '' : 's'}, worker ${room.worker ? 'on' : 'off'},` +
          ` ${room.primary ? 'primary' : 'no primary'}, seen ${time(room.lastSeenAt)}`,
      ),
    );
    button.addEventListener('click', () => open(room.tenant));
    return h('li', {}, button);
  });
  return h('ul', { class: 'room-list', 'data-testid': 'rooms' }, ...items);
}

function peersTable(peers: readonly PeerInspection[]): HTMLElement {
  const element = table(
    'Peers',
    ['peer', 'role', 'state', 'health', 'round trip', 'legs', 'user agent', 'since', 'last pong'],
    peers.map((peer) => [
      peer.peerId,
      peer.role,
      peer.state,
      peer.health,
      ms(peer.rttMs),
      legs(peer.legs),
      peer.userAgent ?? '–',
      time(peer.connectedAt),
      time(peer.lastPongAt),
    ]),
  );
  element.dataset['testid'] = 'peers';
  return element;
}

function streamsTable(streams: readonly StreamView[], now: number): HTMLElement {
  const element = table(
    'Open streams',
    ['stream', 'connection', 'kind', 'peer', 'open for', 'to peer', 'to worker', 'queued frames'],
    streams.map((stream) => [
      String(stream.streamId),
      String(stream.connectionId),
      stream.kind,
      stream.peer,
      `${Math.round((now - stream.openedAt) / 1000)} s`,
      bytes(stream.bytesToPeer),
      bytes(stream.bytesToWorker),
      String(stream.queuedFrames),
    ]),
  );
  element.dataset['testid'] = 'streams';
  return element;
}

function eventsList(events: readonly RoomEvent[]): HTMLElement {
  const newest = [...events].reverse().slice(0, 60);
  const element = table(
    'Recent events',
    ['time', 'event', 'connection', 'role', 'code', 'detail'],
    newest.map((event) => [
      time(event.at),
      event.kind,
      event.connection ?? '–',
      event.role ?? '–',
      event.code ?? '–',
      event.detail ?? '',
    ]),
  );
  element.dataset['testid'] = 'events';
  return element;
}

function routeChanges(room: Inspection, series: RoomSeries): HTMLElement {
  const primaries = room.events
    .filter((event) => event.kind === 'primary')
    .reverse()
    .slice(0, 20)
    .map((event) => [time(event.at), 'primary peer', event.detail ?? event.connection ?? '–']);
  const routes = series.routeChanges.map((change) => [
    time(change.at),
    `${change.leg} route`,
    `${change.from} → ${change.to}`,
  ]);
  const element = table('Route changes', ['time', 'what', 'change'], [...routes, ...primaries]);
  element.dataset['testid'] = 'route-changes';
  return element;
}

function summary(room: Inspection): HTMLElement {
  const status = room.tenantStatus;
  const stats = room.stats;
  const failed = Object.values(stats.requestsFailed).reduce((a, b) => a + b, 0);
  const rows: [string, string][] = [
    [
      'worker',
      room.worker
        ? `${room.worker.connectionName}, epoch ${room.worker.epoch ?? '–'}`
        : 'not connected',
    ],
    ['session', status?.session ?? '–'],
    ['policy', status?.policy ?? '–'],
    [
      'routes',
      status
        ? (['websocket', 'download', 'upload'] as const)
            .map((leg) => `${leg} ${status.routes[leg]}`)
            .join(', ')
        : '–',
    ],
    ['protected', status ? (status.protected ? 'yes' : `no: ${status.reason ?? ''}`) : '–'],
    ['leaks', String(status?.leaks ?? 0)],
    ['requests', `${stats.requestsSent} sent, ${stats.requestsSucceeded} ok, ${failed} failed`],
    ['bytes', `${bytes(stats.bytesToPeers)} to peers, ${bytes(stats.bytesToWorker)} to worker`],
    ['in flight', `${bytes(room.bytesInFlight)} (${bytes(room.queuedBytes)} queued)`],
    ['primary changes', String(stats.routeChanges)],
    ['frames dropped', String(stats.framesDropped)],
    ['last heartbeat', time(stats.lastHeartbeatAt)],
  ];
  return h(
    'dl',
    { class: 'summary', 'data-testid': 'summary' },
    ...rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
  );
}

/**
 * One room's inspection around the charts, which keep their own canvases:
 * what is connected now above them, what happened below.
 */
export function renderRoom(
  targets: { readonly now: HTMLElement; readonly history: HTMLElement },
  room: Inspection,
  series: RoomSeries,
): void {
  fill(targets.now, summary(room), peersTable(room.peers), streamsTable(room.streams, room.now));
  fill(targets.history, routeChanges(room, series), eventsList(room.events));
}
