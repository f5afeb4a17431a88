import { defineConfig } from 'vitest/config';

// The room core and HTTP routes in Node, over an in-memory host.
export default defineConfig({
  test: {
    name: 'broker',
    include: ['test/unit/**/*.test.ts'],
  },
});
