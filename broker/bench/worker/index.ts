import { routePartykitRequest } from 'partyserver';
import broker from '../../src/workers/index.js';
import type { Env } from '../../src/workers/env.js';
import type { BareRelay } from './bare-relay.js';

export { RoomIndexObject, TunnelRoom } from '../../src/workers/index.js';
export { BareRelay } from './bare-relay.js';

interface BenchEnv extends Env {
  BareRelay: DurableObjectNamespace<BareRelay>;
}

/** The product Worker plus the bare relay room the benchmark compares it with. */
export default {
  async fetch(request, env, context) {
    if (new URL(request.url).pathname.startsWith('/parties/bare-relay/')) {
      return (await routePartykitRequest(request, env)) ?? new Response(null, { status: 404 });
    }
    return broker.fetch(request, env, context);
  },
} satisfies ExportedHandler<BenchEnv>;
