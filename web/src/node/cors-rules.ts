/**
 * The CORS rules a browser applies to a page's cross-origin requests
 * (Fetch standard, "CORS protocol"), for a Node peer that must prove no
 * more than a browser could.
 */

// CORS-safelisted request headers and the content types a simple request may carry.
const SIMPLE_CONTENT_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);

const SIMPLE_METHODS = new Set(['GET', 'HEAD', 'POST']);

const UNSAFE_PUNCTUATION = new Set('"():<>?@[\\]{}');

/** A byte a safelisted header value may not hold (Fetch, "CORS-unsafe request-header byte"). */
function hasUnsafeByte(value: string): boolean {
  for (const char of value) {
    const code = char.charCodeAt(0);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f || UNSAFE_PUNCTUATION.has(char))
      return true;
  }
  return false;
}

function isSafelisted(name: string, value: string): boolean {
  if (value.length > 128) return false;
  switch (name) {
    case 'accept':
      return !hasUnsafeByte(value);
    case 'accept-language':
    case 'content-language':
      return /^[0-9A-Za-z *,\-.;=]*$/.test(value);
    case 'content-type': {
      if (hasUnsafeByte(value)) return false;
      const essence = value.split(';')[0]?.trim().toLowerCase() ?? '';
      return SIMPLE_CONTENT_TYPES.has(essence);
    }
    case 'range':
      return /^bytes=\d+-\d*$/.test(value);
    default:
      return false;
  }
}

export function isSimpleMethod(method: string): boolean {
  return SIMPLE_METHODS.has(method);
}

/** Lower-case names of the author's headers that need a preflight, sorted. */
export function unsafeHeaderNames(headers: Headers): string[] {
  const names: string[] = [];
  for (const [name, value] of headers) {
    if (!isSafelisted(name, value)) names.push(name);
  }
  return [...new Set(names)].sort();
}

export function allowsOrigin(headers: Headers, origin: string): boolean {
  const allowed = headers.get('access-control-allow-origin');
  // Requests from the peer never carry credentials, so the wildcard counts.
  return allowed === '*' || allowed === origin;
}

function listed(headers: Headers, name: string): Set<string> {
  const value = headers.get(name) ?? '';
  return new Set(
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );
}

/** Whether a preflight answer allows the method and headers of the request that follows. */
export function preflightAllows(
  response: Response,
  origin: string,
  method: string,
  unsafeHeaders: readonly string[],
): boolean {
  if (response.status < 200 || response.status > 299) return false;
  if (!allowsOrigin(response.headers, origin)) return false;
  const methods = listed(response.headers, 'access-control-allow-methods');
  if (!isSimpleMethod(method) && !methods.has('*') && !methods.has(method)) return false;
  const allowed = new Set(
    [...listed(response.headers, 'access-control-allow-headers')].map((name) => name.toLowerCase()),
  );
  // The wildcard never covers Authorization (Fetch standard).
  return unsafeHeaders.every(
    (name) => allowed.has(name) || (allowed.has('*') && name !== 'authorization'),
  );
}
