import { defineConfig } from 'vitest/config';

// The peer in Debian's Chromium against a real room under `wrangler dev`,
// the stand-in and the suite's own servers; each file starts its own stack.
export default defineConfig({
  test: {
    name: 'web-browser',
    include: ['test/browser/**/*.test.ts'],
    setupFiles: ['test/browser/support/setup.ts'],
    // The hidden-tab file mostly waits (three minutes); one other file runs beside it.
    maxWorkers: 2,
    // A project with its own worker count runs as a group of its own in the
    // root run, after the others.
    sequence: { groupOrder: 1 },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
