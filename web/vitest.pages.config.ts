import { defineConfig } from 'vitest/config';

// The restaurant pages' logic (indicator, notices, words, choices), the
// inspection dashboard's token and series, and the backend stand-in
// against a worker API of the test's own. No browser: see
// vitest.pages-browser.config.ts for the Chromium suite.
export default defineConfig({
  test: {
    name: 'web-pages',
    include: ['test/pages/unit/**/*.test.ts'],
    testTimeout: 15_000,
  },
});
