/**
 * A token key set made fresh for one test run, as the `TOKEN_KEYS` value a
 * broker under test is started with.
 */
export function freshTokenKeys(): string {
  const secret = [...crypto.getRandomValues(new Uint8Array(32))]
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join('');
  return JSON.stringify({ test: secret });
}
