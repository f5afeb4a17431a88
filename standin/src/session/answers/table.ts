import { ANY, HandlerTable } from '../handlers.js';
import { handleClientAck, handleClientReceipt } from '../../messaging/client-receipts.js';
import { handleClientMessage } from '../../messaging/client-messages.js';
import { answerAppStateSync } from './app-state.js';
import {
  answerBlocklist,
  answerEmpty,
  answerPrivacy,
  answerProfilePicture,
  answerProps,
} from './account-queries.js';
import { answerLinkCode, answerRemoveCompanion } from './companion.js';
import { answerPing } from './keepalive.js';
import { answerMediaConn } from './media-conn.js';
import {
  answerDigest,
  answerPreKeyCount,
  storePreKeyUpload,
  storeSignedPreKeyRotation,
} from './prekeys.js';
import { answerKeyFetch } from './keys.js';
import { answerUsync } from './usync.js';

/**
 * Every stanza the stand-in answers with more than an empty result. Baileys
 * sends the first three in sequence before it reports the connection open
 * (pre-key count, passive active, digest), then props, blocklist and
 * privacy; pings run from the handshake on. Messages, receipts and acks go
 * to the messaging layer, which carries them between devices.
 */
export function createDefaultHandlers(): HandlerTable {
  return (
    new HandlerTable()
      .iq('w:p', 'get', 'ping', answerPing)
      .iq('encrypt', 'get', 'count', answerPreKeyCount)
      .iq('encrypt', 'get', 'digest', answerDigest)
      .iq('encrypt', 'get', 'key', answerKeyFetch)
      .iq('encrypt', 'set', 'rotate', storeSignedPreKeyRotation)
      // The upload's first child is <registration>.
      .iq('encrypt', 'set', ANY, storePreKeyUpload)
      .iq('passive', 'set', ANY, answerEmpty)
      .iq('abt', 'get', 'props', answerProps)
      .iq('blocklist', 'get', ANY, answerBlocklist)
      .iq('privacy', 'get', 'privacy', answerPrivacy)
      .iq('privacy', 'set', ANY, answerEmpty)
      .iq('w:stats', ANY, ANY, answerEmpty)
      .iq('urn:xmpp:whatsapp:dirty', ANY, ANY, answerEmpty)
      .iq('w:profile:picture', 'get', ANY, answerProfilePicture)
      .iq('w:sync:app:state', 'set', 'sync', answerAppStateSync)
      .iq('w:m', 'set', 'media_conn', answerMediaConn)
      .iq('usync', 'get', 'usync', answerUsync)
      .iq('md', 'set', 'link_code_companion_reg', answerLinkCode)
      .iq('md', 'set', 'remove-companion-device', answerRemoveCompanion)
      .stanza('message', handleClientMessage)
      .stanza('receipt', handleClientReceipt)
      .stanza('ack', handleClientAck)
  );
}
