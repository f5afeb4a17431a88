import type { BinaryNode } from '../wire/nodes.js';

/**
 * The disconnect codes the control API can send to a live socket, and the
 * stanza for each. Baileys reads `code` when present and maps a bare
 * `<conflict>` child to 440 (`getErrorCodeFromStreamError`).
 */
export const STREAM_ERROR_CODES = [401, 403, 440, 503, 515] as const;
export type StreamErrorCode = (typeof STREAM_ERROR_CODES)[number];

export function isStreamErrorCode(value: unknown): value is StreamErrorCode {
  return (STREAM_ERROR_CODES as readonly unknown[]).includes(value);
}

/** Another socket logged in with the same device: this one is replaced (440). */
export function conflictNode(): BinaryNode {
  return {
    tag: 'stream:error',
    attrs: {},
    content: [{ tag: 'conflict', attrs: { type: 'replaced' } }],
  };
}

export function streamErrorNode(code: StreamErrorCode): BinaryNode {
  switch (code) {
    case 440:
      return conflictNode();
    case 401:
      // How the service tells a companion it was unlinked from the phone.
      return {
        tag: 'stream:error',
        attrs: { code: '401' },
        content: [{ tag: 'conflict', attrs: { type: 'device_removed' } }],
      };
    default:
      return { tag: 'stream:error', attrs: { code: String(code) } };
  }
}

/** The outcome a connection record shows after each code. */
export function streamErrorOutcome(code: StreamErrorCode): string {
  if (code === 440) return 'replaced';
  if (code === 401) return 'logged-out';
  return `stream-error ${code}`;
}
