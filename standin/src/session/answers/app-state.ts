import { seedAppState } from '../../phone/app-state-seed.js';
import {
  child,
  childrenOf,
  contentBytes,
  iqError,
  iqResult,
  type BinaryNode,
} from '../../wire/nodes.js';
import type { UpstreamConnection } from '../connection.js';

/**
 * `<iq xmlns='w:sync:app:state' type='set'><sync><collection name version
 * return_snapshot>[<patch>]…`: for each collection, an uploaded patch is
 * stored at the next version, and the answer carries the snapshot (when
 * asked for) and every patch after the device's version. Every requested
 * collection is in the answer: Baileys loops until each one appears without
 * `has_more_patches`.
 */
export async function answerAppStateSync(node: BinaryNode, connection: UpstreamConnection) {
  const account = connection.account;
  const requested = childrenOf(child(node, 'sync'), 'collection').filter(
    (item) => item.attrs.name !== undefined,
  );
  if (account) await seedAppState(connection.ctx, account);
  const answers: BinaryNode[] = [];
  for (const item of requested) {
    const name = item.attrs.name as string;
    const version = Number(item.attrs.version ?? 0);
    if (!account) {
      answers.push({ tag: 'collection', attrs: { name, version: String(version) } });
      continue;
    }
    const upload = contentBytes(child(item, 'patch'));
    if (upload) {
      const stored = account.appState.applyPatch(name, version, upload);
      if (stored === null) {
        connection.send(iqError(node, 409, 'conflict'));
        return;
      }
      answers.push({ tag: 'collection', attrs: { name, version: String(stored) } });
      continue;
    }
    const answer = account.appState.answer(name, version, item.attrs.return_snapshot === 'true');
    const content: BinaryNode[] = [];
    if (answer.snapshot) content.push({ tag: 'snapshot', attrs: {}, content: answer.snapshot });
    if (answer.patches.length > 0) {
      content.push({
        tag: 'patches',
        attrs: {},
        content: answer.patches.map((patch) => ({ tag: 'patch', attrs: {}, content: patch })),
      });
    }
    answers.push({
      tag: 'collection',
      attrs: { name, version: String(answer.version) },
      ...(content.length > 0 ? { content } : {}),
    });
  }
  connection.send(iqResult(node, [{ tag: 'sync', attrs: {}, content: answers }]));
}
