import { defineConfig } from 'vitest/config';

// The local stack: its options, secrets and banner, and `npm run dev` itself
// started on free ports with a data folder of its own, then stopped with
// Ctrl-C (SIGINT) and checked for leftover processes.
export default defineConfig({
  test: {
    name: 'dev',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
