import { defineConfig } from 'vitest/config';

// A restaurant's day end to end: the worker process on a cloud host's
// network and Debian's Chromium on each restaurant's (network namespaces
// the suite creates and removes; root is required, nothing is skipped),
// the room under `wrangler dev` and the WhatsApp stand-in on this host.
export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/**/*.test.ts'],
    // libsignal (under the stand-in) prints every session it closes; the log leaves that out.
    setupFiles: ['../web/test/browser/support/setup.ts'],
    // The day starts three Chromiums, the room and the worker on two namespaces: in the
    // root run it goes last and alone, so the other suites' load does not decide its timing.
    maxWorkers: 1,
    sequence: { groupOrder: 2 },
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
