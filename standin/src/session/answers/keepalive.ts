import { iqResult, type BinaryNode } from '../../wire/nodes.js';
import type { UpstreamConnection } from '../connection.js';

/**
 * `<iq xmlns='w:p' type='get'><ping/>`: Baileys sends one every keepalive
 * interval, during the QR phase too, and closes with 408 when nothing has
 * arrived for the interval plus 5 s. The `ignorePings` fault leaves them
 * unanswered.
 */
export function answerPing(node: BinaryNode, connection: UpstreamConnection): void {
  if (connection.faults().ignorePings) {
    connection.record.pingsIgnored += 1;
    return;
  }
  connection.record.pingsAnswered += 1;
  connection.send(iqResult(node));
}
