import { createHash } from 'node:crypto';
import tls from 'node:tls';
import { parseCaPem } from './config.js';

// Node's `ca` option replaces the default roots; passing the extra CA on
// top of `tls.rootCertificates` with every connection would parse some 140
// certificates each time. One context per distinct CA text is built once.
const contexts = new Map<string, tls.SecureContext>();

/**
 * The TLS context trusting Node's default roots plus `ca`, or undefined
 * (Node's own default context) when there is no extra CA.
 */
export function secureContextFor(
  ca: string | Buffer | undefined,
  setting = 'ca',
): tls.SecureContext | undefined {
  if (ca === undefined) return undefined;
  const blocks = parseCaPem(ca, setting);
  const key = createHash('sha256').update(blocks.join('\n')).digest('hex');
  let context = contexts.get(key);
  if (!context) {
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, ...blocks] });
    contexts.set(key, context);
  }
  return context;
}
