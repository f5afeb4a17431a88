import type { TokenVerdict } from './token.js';
import { InspectionError } from './api.js';

/** What the operator reads when a token cannot open the dashboard, in words and with the code. */
export function refusalText(verdict: Exclude<TokenVerdict, { ok: true }>): string {
  switch (verdict.reason) {
    case 'malformed':
      return 'This is not a Pasarela token. Paste an admin token: it starts with "pt1.".';
    case 'not-admin':
      return (
        `This is a ${verdict.role ?? 'non-admin'} token. ` +
        'The room inspection dashboard opens only ' +
        "with an admin token: mint one with the worker's admin API key (POST /api/tunnel/tokens)."
      );
    case 'expired':
      return "This admin token has expired. Mint a new one with the worker's admin API key.";
  }
}

/** The room's own refusal of a request, for the operator. */
export function roomRefusalText(error: unknown): string {
  if (!(error instanceof InspectionError)) return `The room could not be read: ${String(error)}`;
  switch (error.code) {
    case 'auth_wrong_role':
      return `The room refused the token: it is not an admin token (${error.code}).`;
    case 'auth_wrong_tenant':
      return `The room refused the token: it is an admin token for another tenant (${error.code}).`;
    case 'auth_expired':
      return `The room refused the token: it has expired (${error.code}).`;
    case 'auth_bad_signature':
    case 'auth_unknown_key':
      return `The room does not recognise the token's signing key (${error.code}).`;
    case 'unreachable':
      return `${error.message}. Check the room URL.`;
    default:
      return `The room refused the request: ${error.message} (${error.code}).`;
  }
}

/** Whether an error means the token itself is no good (sign out), not a passing failure. */
export function isTokenRefusal(error: unknown): boolean {
  return error instanceof InspectionError && error.code.startsWith('auth_');
}
