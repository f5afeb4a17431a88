import { Agent, buildConnector } from 'undici';
import type { Dispatcher } from 'undici';
import { asAttributed } from '../owned.js';
import { judge } from './judge.js';
import type { GuardContext } from './judge.js';

/**
 * The process-wide undici dispatcher: what `fetch` without a dispatcher
 * uses, Node 20's own `fetch` included (it reads the same global slot that
 * undici 7's `setGlobalDispatcher` writes). Judged at connect, before any
 * byte or even a name lookup, so a refused request never leaves.
 */
export function createGuardDispatcher(context: GuardContext): Dispatcher {
  const connectDefault = buildConnector({});
  return new Agent({
    connect: (options, callback) => {
      const refusal = judge(context, {
        source: 'guard:fetch',
        host: options.hostname,
        servername: options.servername,
        port: options.port,
      });
      if (refusal) {
        process.nextTick(callback, refusal, null);
        return;
      }
      // Judged here; the TLS guard must not count it a second time.
      asAttributed(() => connectDefault(options, callback));
    },
  });
}
