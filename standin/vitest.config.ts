import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'standin',
    include: ['test/**/*.test.ts'],
    // libsignal prints every session it closes (keys included): the test log leaves that out.
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
