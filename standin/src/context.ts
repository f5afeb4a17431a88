import type { AccountStore } from './accounts/store.js';
import type { ContactStore } from './contacts/store.js';
import type { FaultBoard } from './faults.js';
import type { PartyFetcher } from './media/party-fetch.js';
import type { MediaStore } from './media/store.js';
import type { Delivery } from './messaging/delivery.js';
import type { MessageLog } from './messaging/log.js';
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
  /** The simulated users accounts talk to. */
  readonly contacts: ContactStore;
  /** What simulated devices received and sent, and what could not be handled. */
  readonly messages: MessageLog;
  /** Carries stanzas to companion devices, now or at their next login. */
  readonly delivery: Delivery;
  /** The simulated devices' HTTPS client for media, tagged in the records. */
  readonly partyFetch: PartyFetcher;
}
