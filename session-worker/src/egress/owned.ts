/**
 * Marks the connections the egress opens itself, so the process guards let
 * them through without counting them as tenant-less. Node opens sockets
 * synchronously inside `tls.connect`, `net.connect` and undici's connector
 * (and publishes `net.client.socket` inside `net.connect`), so a depth
 * counter around the call is exact in a single-threaded process.
 */
let depth = 0;

/** Runs `open`, which must open its socket synchronously, as attributed traffic. */
export function asAttributed<T>(open: () => T): T {
  depth += 1;
  try {
    return open();
  } finally {
    depth -= 1;
  }
}

/** Whether the socket being opened right now belongs to the egress. */
export function isAttributed(): boolean {
  return depth > 0;
}
