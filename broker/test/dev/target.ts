import { parseBrokerConfig, parseTokenKeys } from '../../src/core/config.js';
import { freshTokenKeys } from '../support/keys.js';
import { TEST_BROKER_OVERRIDES } from '../support/overrides.js';
import type { BehaviourTarget } from '../support/target.js';
import { openNodeSocket } from './node-socket.js';
import { DevServer } from './process.js';
import type { Runtime } from './process.js';

/** Both dev runtimes bundle the TypeScript sources before they listen. */
export const START_TIMEOUT_MS = 90_000;

export interface DevTarget extends BehaviourTarget {
  readonly server: DevServer;
}

/** A broker under a real dev process, reached by Node clients over loopback. */
export function devTarget(runtime: Runtime, vars: Record<string, string> = {}): DevTarget {
  const tokenKeys = freshTokenKeys();
  const brokerConfig = JSON.stringify(TEST_BROKER_OVERRIDES);
  const server = new DevServer({
    runtime,
    vars: { TOKEN_KEYS: tokenKeys, BROKER_CONFIG: brokerConfig, ...vars },
    startTimeoutMs: START_TIMEOUT_MS,
  });
  return {
    name: `${runtime} dev`,
    server,
    config: parseBrokerConfig(brokerConfig),
    keys: parseTokenKeys(tokenKeys),
    open: (path) =>
      openNodeSocket(`ws://127.0.0.1:${server.port}${path}`, {
        'user-agent': 'broker-behaviour-suite (Node)',
      }),
    fetch: (path, init) => fetch(server.origin + path, init),
    restart: () => server.restart(),
  };
}
