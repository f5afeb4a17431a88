import type { AccountStore } from './accounts/store.js';
import type { FaultBoard } from './faults.js';
import type { MediaStore } from './media/store.js';
import type { NoiseIdentity } from './noise/cert-chain.js';
import type { ResolvedOptions } from './options.js';
import type { Records } from './records.js';
import type { RegistrationBoard } from './session/registrations.js';
import type { ConnectionRegistry } from './session/registry.js';
import type { HandlerTable } from './session/handlers.js';

/** Everything a running stand-in shares between its listeners, connections and control API. */
export interface StandinContext {
  readonly options: ResolvedOptions;
  readonly noise: NoiseIdentity;
  readonly accounts: AccountStore;
  readonly faults: FaultBoard;
  readonly records: Records;
  readonly connections: ConnectionRegistry;
  readonly registrations: RegistrationBoard;
  readonly media: MediaStore;
  readonly handlers: HandlerTable;
}
