import http from 'node:http';
import https from 'node:https';
import { setGlobalDispatcher } from 'undici';
import { getProcessAudit } from '../audit.js';
import type { EgressAudit } from '../audit.js';
import { parseGuardMode } from '../config.js';
import { EGRESS_DEFAULTS } from '../defaults.js';
import type { GuardMode } from '../defaults.js';
import { EgressError } from '../errors.js';
import { SILENT_LOGGER } from '../logger.js';
import type { EgressLogger } from '../logger.js';
import { GuardHttpAgent, GuardHttpsAgent } from './agents.js';
import { installCatchAll } from './catch-all.js';
import { createGuardDispatcher } from './dispatcher.js';
import type { GuardContext } from './judge.js';
import { installTlsGuard } from './tls.js';

export interface ProcessGuardOptions {
  /** Defaults to the process-wide audit. */
  readonly audit?: EgressAudit;
  /** `refuse` (default) or `record` (let it through, still counted and logged). */
  readonly mode?: GuardMode;
  readonly logger?: EgressLogger;
}

export interface ProcessGuards {
  readonly mode: GuardMode;
  readonly installed: boolean;
  /** Puts back what the guards replaced. */
  uninstall(): void;
}

// Node 20's bundled undici reads version 1 of the slot, undici 7 version 2.
const DISPATCHER_SLOTS = [
  Symbol.for('undici.globalDispatcher.1'),
  Symbol.for('undici.globalDispatcher.2'),
] as const;

type Globals = Record<symbol, unknown>;
let active: ProcessGuards | undefined;

/**
 * Installs the process-wide guards against WhatsApp-bound traffic that
 * carries no tenant: the global undici dispatcher (global `fetch`), the
 * `http`/`https` global agents (requests without an agent), `tls.connect`
 * (a `ws` socket without an agent) and, last, the `net.client.socket`
 * channel. Each refusal is an `EgressError` `tenant_missing`, recorded in
 * the audit and logged. One installation per process.
 */
export function installProcessGuards(options: ProcessGuardOptions = {}): ProcessGuards {
  if (active?.installed) {
    throw new EgressError('internal', 'process guards are already installed');
  }
  const context: GuardContext = {
    audit: options.audit ?? getProcessAudit(),
    mode: parseGuardMode(options.mode ?? EGRESS_DEFAULTS.guardMode, 'mode'),
    logger: options.logger ?? SILENT_LOGGER,
  };
  const globals = globalThis as unknown as Globals;
  const previousDispatchers = DISPATCHER_SLOTS.map((slot) => globals[slot]);
  const dispatcher = createGuardDispatcher(context);
  setGlobalDispatcher(dispatcher);

  const agents = http as { globalAgent: http.Agent };
  const secureAgents = https as { globalAgent: https.Agent };
  const previousHttp = agents.globalAgent;
  const previousHttps = secureAgents.globalAgent;
  const httpAgent = new GuardHttpAgent(context);
  const httpsAgent = new GuardHttpsAgent(context);
  agents.globalAgent = httpAgent;
  secureAgents.globalAgent = httpsAgent;

  const removeTlsGuard = installTlsGuard(context);
  const removeCatchAll = installCatchAll(context);

  let installed = true;
  const guards: ProcessGuards = {
    mode: context.mode,
    get installed() {
      return installed;
    },
    uninstall() {
      if (!installed) return;
      installed = false;
      removeCatchAll();
      removeTlsGuard();
      if (agents.globalAgent === httpAgent) agents.globalAgent = previousHttp;
      if (secureAgents.globalAgent === httpsAgent) secureAgents.globalAgent = previousHttps;
      httpAgent.destroy();
      httpsAgent.destroy();
      DISPATCHER_SLOTS.forEach((slot, index) => {
        if (globals[slot] === dispatcher) globals[slot] = previousDispatchers[index];
      });
      void dispatcher.close().catch(() => undefined);
      if (active === guards) active = undefined;
    },
  };
  active = guards;
  return guards;
}
