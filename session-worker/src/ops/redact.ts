import { redactTokens } from '@pasarela/shared';

/**
 * Text scrubbing for log lines. Pino's path redaction covers known fields;
 * this covers secrets wherever they hide in text: a token in a URL, an API
 * key in an error message, a media URL's `auth` parameter in a line Baileys
 * wrote. Applied to every finished line, so nothing gets past it.
 */

export const REDACTED = '[redacted]';

/** Tenant API keys: `psk_<key id>_<secret>`; the id may stay, the secret never. */
const API_KEY = /\b(psk_[a-z2-7]{12})_[A-Za-z0-9_-]{16,}/g;
/** Webhook signing secrets. */
const WEBHOOK_SECRET = /\bwhsec_[A-Za-z0-9_-]{16,}/g;
/** Query parameters that carry credentials (WhatsApp media URLs carry `auth`). */
const SECRET_NAMES = 'auth|token|key|apikey|api_key|access_token|signature|sig|secret|password';
const SECRET_PARAM = new RegExp(`([?&;](?:${SECRET_NAMES})=)[^&#\\s"'\\\\]*`, 'gi');
/** Credentials in an Authorization header written out as text. */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/g;

export function scrubText(text: string, secrets: readonly string[] = []): string {
  let out = redactTokens(text)
    .replace(API_KEY, `$1_${REDACTED}`)
    .replace(WEBHOOK_SECRET, `whsec_${REDACTED}`)
    .replace(SECRET_PARAM, `$1${REDACTED}`)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`);
  for (const secret of secrets) {
    if (secret.length >= 8 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Field paths pino blanks before a line is written: creds, keys, QR strings, codes, headers. */
export const REDACT_PATHS: readonly string[] = [
  'creds',
  'keys',
  'qr',
  'pairingCode',
  'token',
  'apiKey',
  'secret',
  'authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  '*.creds',
  '*.keys',
  '*.qr',
  '*.pairingCode',
  '*.token',
  '*.apiKey',
  '*.secret',
  '*.authorization',
  // Baileys' registration line: the device's keys and signatures.
  'node.devicePairingData',
  '*.privKey',
  '*.private',
];
