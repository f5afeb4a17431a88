import { defineConfig } from 'vitest/config';

// The extension, as it ships, in Debian's Chromium in a network namespace of
// its own, against the room under `wrangler dev`, the session worker's side
// with real Baileys, and the stand-in refusing foreign origins.
export default defineConfig({
  test: {
    name: 'extension-browser',
    include: ['test/browser/**/*.test.ts'],
    setupFiles: ['../web/test/browser/support/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
