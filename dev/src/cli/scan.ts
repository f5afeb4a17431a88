/**
 * `npm run dev:scan`: the stand-in's simulated phone scans the QR the
 * worker shows now, as a restaurant's phone scans the connect page; then
 * waits until WhatsApp is connected (the 515 restart and the login).
 */
import { callJson, errorCode, pollUntil } from '../http.js';
import type { SessionBody } from '../provision.js';
import { fail, openCommand, say } from './command.js';

const USAGE = `usage: npm run dev:scan [-- --data DIR]
Scans the pairing QR with the stand-in's simulated phone, then waits for the login.`;

/** A QR appears within Baileys' connect timeout (20 s) of a start; twice that is plenty. */
const QR_WAIT_MS = 40_000;
/** Pair-success, the 515 restart and the login with saved creds. */
const CONNECT_WAIT_MS = 60_000;

const { state, tenantKey } = await openCommand(USAGE);
const session = (path = '') =>
  callJson<SessionBody>(state.workerUrl, `/api/baileys/sessions/${state.tenant}${path}`, {
    key: tenantKey,
  });

const now = await session();
if (now.status !== 200) fail(`the worker did not answer for ${state.tenant}: ${errorCode(now)}`);
if (now.body.status === 'connected') {
  say(`Already linked to +${now.body.phoneNumber}: nothing to scan.`);
  process.exit(0);
}
if (!now.body.qr && now.body.status !== 'starting') {
  const started = await callJson(state.workerUrl, `/api/baileys/sessions/${state.tenant}/start`, {
    key: tenantKey,
    body: {},
  });
  if (started.status !== 200) fail(`the worker would not start it: ${errorCode(started)}`);
  say('No QR was shown (it had expired): the session was started again.');
}
const qr = await pollUntil(
  'a QR to be shown',
  async () => {
    const answer = await callJson<{ qr: string }>(
      state.workerUrl,
      `/api/baileys/sessions/${state.tenant}/qr`,
      { key: tenantKey },
    );
    return answer.status === 200 ? answer.body.qr : undefined;
  },
  QR_WAIT_MS,
).catch((error: Error) => fail(error.message));

const scannedAt = Date.now();
const scan = await callJson<{ phone: string; method: string }>(
  state.standinControlUrl,
  '/phone/scan',
  { body: { qr } },
);
if (scan.status !== 200) fail(`the simulated phone could not scan it: ${errorCode(scan)}`);
say(`The simulated phone +${scan.body.phone} scanned the QR; waiting for WhatsApp to connect...`);
const connected = await pollUntil(
  'WhatsApp to connect',
  async () => {
    const answer = await session();
    return answer.status === 200 && answer.body.status === 'connected' ? answer.body : undefined;
  },
  CONNECT_WAIT_MS,
).catch((error: Error) => fail(error.message));
say(
  `Connected in ${((Date.now() - scannedAt) / 1000).toFixed(1)} s as +${connected.phoneNumber}; ` +
    `WhatsApp's connection goes ` +
    `${connected.route === 'tunnel' ? 'through a tab' : connected.route}` +
    ` (${connected.tunnel}).`,
);
