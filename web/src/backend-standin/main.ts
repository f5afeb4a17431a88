/**
 * The backend stand-in as a process:
 *
 *   PASARELA_BACKEND_TENANT=pizzeria-1 PASARELA_BACKEND_TENANT_KEY=... \
 *   PASARELA_BACKEND_WORKER_URL=http://127.0.0.1:3000 PASARELA_BACKEND_ROOM=rooms.example.com \
 *   npm run backend -w @pasarela/web
 *
 * One JSON line per event on stdout; a bad variable exits 78 naming it.
 */
import { BackendConfigError, readBackendEnv } from './config.js';
import { startBackend } from './server.js';

const EXIT_CONFIG = 78;

const print = (line: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);

let config;
try {
  config = readBackendEnv(process.env);
} catch (error) {
  if (!(error instanceof BackendConfigError)) throw error;
  print({ level: 'error', code: error.code, variable: error.variable, msg: error.message });
  process.exit(EXIT_CONFIG);
}

const backend = await startBackend(config, (event) => print({ ...event }));
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    void backend.close().then(() => process.exit(0));
  });
}
