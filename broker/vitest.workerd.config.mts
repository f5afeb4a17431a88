import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { dirname } from 'node:path';
import { defineConfig } from 'vitest/config';
import { freshTokenKeys } from './test/support/keys.js';
import { TEST_BROKER_OVERRIDES } from './test/support/overrides.js';
import { bundleWorker, wranglerCompatibilityDate } from './test/config/bundle-worker.js';

// The behaviour suite inside workerd: the production Worker, bundled from
// the top-level wrangler.toml's entry, with the same Durable Object
// bindings, a fresh key set and the suite's short intervals. Tests reach it
// through the BROKER service binding.
const compatibilityDate = wranglerCompatibilityDate();
const worker = bundleWorker();
const vars = {
  TOKEN_KEYS: freshTokenKeys(),
  BROKER_CONFIG: JSON.stringify(TEST_BROKER_OVERRIDES),
};

export default defineConfig({
  plugins: [
    cloudflareTest({
      miniflare: {
        compatibilityDate,
        compatibilityFlags: ['nodejs_compat'],
        serviceBindings: { BROKER: 'broker' },
        // The tests sign tokens with the same keys the broker verifies.
        bindings: vars,
        workers: [
          {
            name: 'broker',
            modules: true,
            scriptPath: worker,
            modulesRoot: dirname(worker),
            compatibilityDate,
            durableObjects: {
              Tunnel: { className: 'TunnelRoom', useSQLite: true },
              RoomIndex: { className: 'RoomIndexObject', useSQLite: true },
            },
            bindings: vars,
          },
        ],
      },
    }),
  ],
  test: {
    name: 'broker-workerd',
    include: ['test/workerd/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
