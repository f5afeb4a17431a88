import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'web',
    include: ['test/**/*.test.ts'],
    // The Chromium suites and the pages' tests are projects of their own
    // (vitest.browser.config.ts, vitest.pages.config.ts, vitest.pages-browser.config.ts).
    exclude: [...configDefaults.exclude, 'test/browser/**', 'test/pages/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
