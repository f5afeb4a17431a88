import type { BinaryNode } from '../wire/nodes.js';
import type { UpstreamConnection } from './connection.js';

/** Handles one stanza from the client. The connection carries the context and account. */
export type StanzaHandler = (
  node: BinaryNode,
  connection: UpstreamConnection,
) => void | Promise<void>;

/** Any value of an IQ attribute or first child. */
export const ANY = '*';

/**
 * Which handler answers which stanza. IQs are keyed by xmlns, type and the
 * first child's tag (the shape Baileys' own listeners key on); the most
 * specific registration wins. Other stanzas are keyed by tag.
 */
export class HandlerTable {
  private readonly iqs = new Map<string, StanzaHandler>();
  private readonly stanzas = new Map<string, StanzaHandler>();

  iq(xmlns: string, type: string, childTag: string, handler: StanzaHandler): this {
    this.iqs.set(`${xmlns} ${type} ${childTag}`, handler);
    return this;
  }

  stanza(tag: string, handler: StanzaHandler): this {
    this.stanzas.set(tag, handler);
    return this;
  }

  findIq(xmlns: string, type: string, childTag: string): StanzaHandler | undefined {
    return (
      this.iqs.get(`${xmlns} ${type} ${childTag}`) ??
      this.iqs.get(`${xmlns} ${type} ${ANY}`) ??
      this.iqs.get(`${xmlns} ${ANY} ${ANY}`)
    );
  }

  findStanza(tag: string): StanzaHandler | undefined {
    return this.stanzas.get(tag);
  }
}
