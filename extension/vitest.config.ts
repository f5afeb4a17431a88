import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'extension',
    include: ['test/*.test.ts'],
    // One case runs Chromium's own packer, which takes a few seconds on a busy machine.
    testTimeout: 30_000,
  },
});
