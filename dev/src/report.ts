import { relative } from 'node:path';
import type { DevOptions } from './options.js';
import { DEV_DEFAULTS, REPO_ROOT } from './options.js';
import type { WorkerEvent } from './sse.js';

export interface BannerFacts {
  readonly options: DevOptions;
  readonly upMs: number;
  readonly pagesUrl: string;
  readonly roomUrl: string;
  readonly workerUrl: string;
  readonly adminToken: string;
  readonly adminTokenHours: number;
  readonly contact: { readonly name: string; readonly phone: string };
  readonly sessionStatus: string;
}

/** A path as a person in the repository types it. */
export function shown(path: string): string {
  const inside = relative(REPO_ROOT, path);
  return inside.startsWith('..') ? path : inside;
}

/** The few lines that say where everything is and what to type next. */
export function banner(facts: BannerFacts): string[] {
  const { options } = facts;
  const data = shown(options.dataDir);
  const dataFlag = options.dataDir === DEV_DEFAULTS.dataDir ? '' : ` --data ${data}`;
  const runner = (script: string, args = '') =>
    `npm run ${script}${dataFlag || args ? ' --' : ''}${dataFlag}${args}`;
  const room = options.runtime === 'partykit' ? 'partykit dev' : 'wrangler dev';
  return [
    '',
    `Pasarela local stack is up in ${(facts.upMs / 1000).toFixed(1)} s ` +
      `(room: ${room}; WhatsApp: the local stand-in, not the real service).`,
    `  Connect page   ${facts.pagesUrl}/whatsapp-connect   (also /dashboard and /kds)`,
    `  Inspection     ${facts.pagesUrl}/admin/#token=${facts.adminToken}&room=${facts.roomUrl}`,
    `  Admin token    ${facts.adminToken}`,
    `                 (valid ${facts.adminTokenHours} h; ${runner('dev:token')} mints another)`,
    `  Worker API     ${facts.workerUrl}   (admin key: ${data}/secrets.json)`,
    `  Scan the QR with the simulated phone:   ${runner('dev:scan')}`,
    `  Make ${facts.contact.name} (+${facts.contact.phone}) write:   ` +
      `${runner('dev:say', ' "hola"')}`,
    `WhatsApp is ${facts.sessionStatus}. Ctrl-C stops everything; logs are in ${data}/logs/.`,
    '',
  ];
}

const clock = (at: number) => new Date(at).toTimeString().slice(0, 8);

/** One line for an event a person watching the stack cares about, or null. */
export function eventLine(event: WorkerEvent): string | null {
  const d = event.data;
  const text = (key: string) => (typeof d[key] === 'string' ? (d[key] as string) : '');
  let line: string | null = null;
  switch (event.type) {
    case 'session.status':
      // Every socket passes through `starting`; the states after it say more.
      if (text('to') === 'starting') break;
      line = `WhatsApp: ${text('from') || '?'} -> ${text('to')}`;
      if (text('reason')) line += ` (${text('reason')})`;
      break;
    case 'session.qr':
      line = 'WhatsApp: a new QR is shown on the connect page (or run dev:scan)';
      break;
    case 'session.paired':
      line = `WhatsApp: linked to ${text('account')}`;
      break;
    case 'route.changed':
      line =
        `route: ${text('leg')} ${text('from')} -> ${text('to')} (${text('reason')}` +
        `${d['controlled'] === true ? ', a move of the product' : ''})`;
      break;
    case 'tunnel.connected':
      line = `tunnel: a tab is relaying (${text('userAgent') || 'unknown browser'})`;
      break;
    case 'tunnel.disconnected':
      line = `tunnel: no tab relaying (${text('reason')})`;
      break;
    case 'tunnel.unhealthy':
      line = `tunnel: the tab should not carry traffic now (${text('reason')})`;
      break;
    case 'tunnel.leak':
      line = 'tunnel: LEAK, a direct connection while the tab should have carried it';
      break;
    case 'message.received':
      line =
        `message from ${text('pushName') || 'a contact'} (${text('from') || text('chat')}): ` +
        (text('text') || `(${text('type')})`);
      break;
    case 'message.send':
      line = `message ${text('idempotencyKey')}: ${text('state')}`;
      break;
  }
  return line === null ? null : `${clock(event.at)} ${line}`;
}
