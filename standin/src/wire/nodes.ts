import {
  decodeBinaryNode,
  encodeBinaryNode,
  getAllBinaryNodeChildren,
  getBinaryNodeChild,
  getBinaryNodeChildren,
  type BinaryNode,
} from '@whiskeysockets/baileys';

export type { BinaryNode };

/** The server's own address in the `from` attribute of its stanzas. */
export const SERVER_JID = 's.whatsapp.net';

export function unixSeconds(): string {
  return Math.floor(Date.now() / 1000).toString();
}

export function child(node: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return getBinaryNodeChild(node, tag);
}

export function childrenOf(node: BinaryNode | undefined, tag?: string): BinaryNode[] {
  if (!node) return [];
  return tag === undefined ? getAllBinaryNodeChildren(node) : getBinaryNodeChildren(node, tag);
}

/**
 * A node's content as bytes. Baileys' decoder returns token- or
 * nibble-packed content as a string and raw binary as a Buffer.
 */
export function contentBytes(node: BinaryNode | undefined): Buffer | undefined {
  const content = node?.content;
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  if (content instanceof Uint8Array) return Buffer.from(content);
  return undefined;
}

export function childBytes(node: BinaryNode | undefined, tag: string): Buffer | undefined {
  return contentBytes(child(node, tag));
}

export function firstChildTag(node: BinaryNode): string | undefined {
  return Array.isArray(node.content) ? node.content[0]?.tag : undefined;
}

/** An `<iq type='result'>` answering `request`, with optional children. */
export function iqResult(request: BinaryNode, content?: BinaryNode[]): BinaryNode {
  const attrs: Record<string, string> = { from: SERVER_JID, type: 'result' };
  if (request.attrs.id !== undefined) attrs.id = request.attrs.id;
  return content === undefined ? { tag: 'iq', attrs } : { tag: 'iq', attrs, content };
}

/** An `<iq type='error'>` with an `<error code text>` child, which Baileys turns into a throw. */
export function iqError(request: BinaryNode, code: number, text: string): BinaryNode {
  const attrs: Record<string, string> = { from: SERVER_JID, type: 'error' };
  if (request.attrs.id !== undefined) attrs.id = request.attrs.id;
  return { tag: 'iq', attrs, content: [{ tag: 'error', attrs: { code: String(code), text } }] };
}

export function encodeNode(node: BinaryNode): Buffer {
  return encodeBinaryNode(node);
}

export function decodeNode(bytes: Buffer): Promise<BinaryNode> {
  return decodeBinaryNode(bytes);
}

/** A one-line description for records: tag, a few attributes and the first child's tag. */
export function describeNode(node: BinaryNode): string {
  const keys = ['type', 'xmlns', 'class'].filter((key) => node.attrs[key] !== undefined);
  const attrs = keys.map((key) => `${key}=${node.attrs[key]}`).join(' ');
  const first = firstChildTag(node);
  return `<${node.tag}${attrs ? ` ${attrs}` : ''}>${first ? `<${first}>` : ''}`;
}
