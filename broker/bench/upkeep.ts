import { BROKER_DEFAULTS } from '../src/core/config.js';
import type { BrokerConfig } from '../src/core/config.js';
import type { StatsView } from '../src/core/stats.js';
import { RoomClient } from '../test/support/client.js';
import {
  healthyPeer,
  inspect,
  newTenant,
  requestHead,
  responseHead,
} from '../test/support/scenario.js';
import type { BehaviourTarget } from '../test/support/target.js';

/** Every interval the room schedules by, divided by `scale`: an hour sampled in minutes. */
export function scaledConfig(scale: number): Partial<BrokerConfig> {
  const scaled = (ms: number) => Math.round(ms / scale);
  return {
    pingIntervalMs: scaled(BROKER_DEFAULTS.pingIntervalMs),
    statsFlushMs: scaled(BROKER_DEFAULTS.statsFlushMs),
    heartbeatPersistMs: scaled(BROKER_DEFAULTS.heartbeatPersistMs),
    handshakeTimeoutMs: scaled(BROKER_DEFAULTS.handshakeTimeoutMs),
    indexUpdateMs: scaled(BROKER_DEFAULTS.indexUpdateMs),
    logLevel: 'warn',
  };
}

export interface PerHour {
  alarmWakeups: number;
  alarmSets: number;
  storageWrites: number;
  messagesIn: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Activity = 'idle, no peer' | 'idle, one peer' | 'busy, one peer';

/**
 * Counts a room's upkeep over `windowMs` of scaled time and turns it into a
 * production tenant-hour: the window stands for `windowMs * scale` of real
 * operation at the default intervals.
 */
export async function upkeepPerHour(
  target: BehaviourTarget,
  activity: Activity,
  scale: number,
  windowMs: number,
  exchangesPerSecond: number,
): Promise<PerHour> {
  const tenant = newTenant('upkeep');
  const worker = await RoomClient.connect(target, { role: 'worker', tenant, epoch: 1 });
  const peer = activity === 'idle, no peer' ? null : await healthyPeer(target, worker, { tenant });
  // Let connection-time writes pass before counting.
  await sleep(target.config.statsFlushMs * 3);
  const before = (await inspect(target, tenant)).stats;
  const started = Date.now();
  let streamId = 0;
  while (Date.now() - started < windowMs) {
    if (activity !== 'busy, one peer' || !peer) {
      await sleep(windowMs - (Date.now() - started));
      continue;
    }
    streamId += 1;
    worker.send(requestHead(streamId, 1));
    worker.send({ kind: 'end', streamId, connectionId: 1 });
    await peer.next('end', (m) => m.streamId === streamId);
    peer.send(responseHead(streamId, 1));
    peer.send({ kind: 'end', streamId, connectionId: 1 });
    await worker.next('end', (m) => m.streamId === streamId);
    await sleep(1_000 / exchangesPerSecond);
  }
  const after = (await inspect(target, tenant)).stats;
  worker.close();
  peer?.close();
  const perHour = (field: keyof StatsView) =>
    (((after[field] as number) - (before[field] as number)) * 3_600_000) / (windowMs * scale);
  return {
    alarmWakeups: perHour('alarmWakeups'),
    alarmSets: perHour('alarmSets'),
    storageWrites: perHour('storageWrites'),
    messagesIn: perHour('messagesIn'),
  };
}
