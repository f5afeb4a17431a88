import { createHash } from 'node:crypto';
import { iqError, iqResult, type BinaryNode } from '../../wire/nodes.js';
import type { UpstreamConnection } from '../connection.js';

/** Answers that carry nothing beyond the result itself. */
export function answerEmpty(node: BinaryNode, connection: UpstreamConnection): void {
  connection.send(iqResult(node));
}

/**
 * The privacy settings a fresh account has. `readMessages` reads
 * `readreceipts`, so it must be there.
 */
const PRIVACY_DEFAULTS: Readonly<Record<string, string>> = {
  last: 'all',
  online: 'all',
  profile: 'all',
  status: 'contacts',
  groupadd: 'all',
  readreceipts: 'all',
  calladd: 'all',
  messages: 'all',
  defense: 'off',
  stickers: 'all',
};

export function answerPrivacy(node: BinaryNode, connection: UpstreamConnection): void {
  const categories = Object.entries(PRIVACY_DEFAULTS).map(([name, value]) => ({
    tag: 'category',
    attrs: { name, value },
  }));
  connection.send(iqResult(node, [{ tag: 'privacy', attrs: {}, content: categories }]));
}

/**
 * A/B properties. The stand-in has none to flip, so it answers with the
 * protocol and a stable hash (Baileys stores it and sends it back next time).
 */
export function answerProps(node: BinaryNode, connection: UpstreamConnection): void {
  const hash = createHash('sha256').update('pasarela-standin-props-v1').digest('hex').slice(0, 16);
  connection.send(iqResult(node, [{ tag: 'props', attrs: { protocol: '1', hash } }]));
}

export function answerBlocklist(node: BinaryNode, connection: UpstreamConnection): void {
  connection.send(iqResult(node, [{ tag: 'list', attrs: {} }]));
}

/** No profile pictures are stored: the real service answers 404 item-not-found too. */
export function answerProfilePicture(node: BinaryNode, connection: UpstreamConnection): void {
  connection.send(iqError(node, 404, 'item-not-found'));
}
