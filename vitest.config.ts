import { defineConfig } from 'vitest/config';

// One run covers every workspace; each workspace names its own project
// in its vitest config (the broker adds one that runs inside workerd).
export default defineConfig({
  test: {
    projects: ['*/vitest.config.{ts,mts}', '*/vitest.*.config.{ts,mts}'],
  },
});
