import { defineConfig } from 'vitest/config';

/**
 * libsignal (Baileys' and the simulated devices') prints each session it
 * closes, private keys included, and a warning when a prekey message
 * replaces a session. Both happen in normal use (Baileys refetches keys for
 * every newly mapped LID), so the test log leaves them out.
 */
const LIBSIGNAL_CHATTER = [
  'Closing session:',
  'Closing open session in favor of incoming prekey bundle',
  'Closing stale open session',
  'Decrypted message with closed session.',
];

export default defineConfig({
  test: {
    name: 'standin',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    onConsoleLog: (log) => !LIBSIGNAL_CHATTER.some((line) => log.startsWith(line)),
  },
});
