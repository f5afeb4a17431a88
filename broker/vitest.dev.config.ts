import { defineConfig } from 'vitest/config';

// The behaviour suite against real `wrangler dev` and `partykit dev`
// processes that the tests start on loopback ports and stop themselves.
export default defineConfig({
  test: {
    name: 'broker-dev',
    include: ['test/dev/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
