import { defineConfig } from 'vitest/config';

// The restaurant pages and the inspection dashboard in Debian's Chromium,
// against the room under `wrangler dev`, the worker side with real
// Baileys, the stand-in and the backend stand-in; each file starts its own
// stack.
export default defineConfig({
  test: {
    name: 'web-pages-browser',
    include: ['test/pages/browser/**/*.test.ts'],
    setupFiles: ['test/browser/support/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
