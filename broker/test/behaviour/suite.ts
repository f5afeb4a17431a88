import { admissionBehaviour } from './admission.js';
import { fencingBehaviour } from './fencing.js';
import { httpBehaviour } from './http.js';
import { lifecycleBehaviour } from './lifecycle.js';
import { limitsBehaviour } from './limits.js';
import { peersBehaviour } from './peers.js';
import { relayBehaviour } from './relay.js';
import type { BehaviourTarget } from '../support/target.js';

/**
 * The one behaviour suite. Each runtime's test file starts its broker and
 * registers these same cases against it.
 */
export function describeBehaviour(
  get: () => BehaviourTarget,
  runtime: 'workers' | 'partykit',
): void {
  admissionBehaviour(get);
  fencingBehaviour(get);
  relayBehaviour(get);
  limitsBehaviour(get);
  peersBehaviour(get);
  httpBehaviour(get, runtime);
  lifecycleBehaviour(get);
}
