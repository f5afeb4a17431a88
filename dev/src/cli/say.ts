/**
 * `npm run dev:say -- "hola"`: the simulated contact writes to the
 * restaurant, then this waits until the worker received it.
 */
import { callJson, errorCode } from '../http.js';
import type { SessionBody } from '../provision.js';
import { followEvents } from '../sse.js';
import { fail, openCommand, say } from './command.js';

const USAGE = `usage: npm run dev:say -- "text" [--data DIR]
The stand-in's contact sends the text to the restaurant's WhatsApp.`;

/** Delivery to a connected session takes well under a second; an offline one waits. */
const ARRIVAL_WAIT_MS = 15_000;

const { state, secrets, tenantKey, args } = await openCommand(USAGE);
const text = args.join(' ').trim();
if (text === '') fail(USAGE, 2);

const session = await callJson<SessionBody>(
  state.workerUrl,
  `/api/baileys/sessions/${state.tenant}`,
  { key: tenantKey },
);
if (session.status !== 200) fail(`the worker did not answer: ${errorCode(session)}`);
const account = session.body.phoneNumber;
if (!account) fail('WhatsApp is not linked yet: run `npm run dev:scan` first.');

const arrived = new AbortController();
const timer = setTimeout(() => arrived.abort(), ARRIVAL_WAIT_MS);
let seen = false;
let opened: () => void = () => undefined;
const open = new Promise<void>((done) => (opened = done));
const watching = followEvents(
  {
    workerUrl: state.workerUrl,
    key: secrets.adminKey,
    tenant: state.tenant,
    types: ['message.received'],
    signal: arrived.signal,
    onOpen: () => opened(),
  },
  (event) => {
    if (event.data['text'] !== text) return;
    seen = true;
    arrived.abort();
  },
);
await Promise.race([open, watching]);
const sent = await callJson<{ id: string }>(
  state.standinControlUrl,
  `/contacts/${state.contact.phone}/send`,
  { body: { to: account, text } },
);
if (sent.status !== 200 && sent.status !== 201) {
  fail(`the contact could not send it: ${errorCode(sent)}`);
}
const sentAt = Date.now();
say(`${state.contact.name} (+${state.contact.phone}) wrote "${text}" to +${account}.`);
await watching.catch(() => undefined);
clearTimeout(timer);
if (seen) {
  say(`The worker received it ${Date.now() - sentAt} ms later (session ${session.body.status}).`);
} else {
  say(
    `The worker has not received it within ${ARRIVAL_WAIT_MS / 1000} s (session ` +
      `${session.body.status}); WhatsApp keeps it until the session is connected.`,
  );
}
