import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AccountStore } from './accounts/store.js';
import { ContactStore } from './contacts/store.js';
import type { StandinContext } from './context.js';
import { ControlClient } from './control/client.js';
import { STANDIN_NOTICE, type StandinInfo } from './control/info.js';
import { startControl } from './control/server.js';
import { FaultBoard } from './faults.js';
import { startListeners } from './http/listeners.js';
import { PartyFetcher } from './media/party-fetch.js';
import { MediaStore } from './media/store.js';
import { Delivery } from './messaging/delivery.js';
import { MessageLog } from './messaging/log.js';
import { createNoiseIdentity } from './noise/cert-chain.js';
import { resolveOptions, servedHosts, type StandinOptions } from './options.js';
import { Records } from './records.js';
import { createDefaultHandlers } from './session/answers/table.js';
import { RegistrationBoard } from './session/registrations.js';
import { ConnectionRegistry } from './session/registry.js';
import { certificateNames, createTlsMaterial } from './tls/ca.js';

export interface Standin extends StandinInfo {
  /** The certificate authority, PEM: pass it as the egress's `ca` option. */
  readonly caPem: string;
  /** The stand-in's temp folder; nothing is written outside it, and close() removes it. */
  readonly tmpDir: string;
  /** The Noise root public key (32 bytes) for `useStandinNoiseRoot`. */
  readonly noiseRootPublicKey: Buffer;
  /** A typed client of the control API. */
  readonly control: ControlClient;
  /** Closes every socket and listener and removes the temp folder. */
  close(): Promise<void>;
}

/** An address the stand-in can reach its own listener on, for a wildcard bind. */
function loopbackFor(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '::1';
  return address;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Starts a local WhatsApp stand-in: a fresh certificate authority and Noise
 * identity, the TLS listener for every WhatsApp host name, the plain
 * development listener and the control API.
 */
export async function startStandin(options: StandinOptions = {}): Promise<Standin> {
  const resolved = resolveOptions(options);
  const tmpDir = await mkdtemp(join(resolved.tmpParent, resolved.tmpPrefix));
  try {
    const hosts = servedHosts(resolved);
    const tls = createTlsMaterial(certificateNames(hosts), resolved.caValidityDays);
    const caPath = join(tmpDir, 'ca.pem');
    await writeFile(caPath, tls.caPem, { mode: 0o644 });
    const noise = createNoiseIdentity();
    const connections = new ConnectionRegistry();
    // Accounts and contacts share one numbering plan: a number is one or the other.
    let contacts: ContactStore | null = null;
    const accounts = new AccountStore((phone) => contacts?.get(phone) !== undefined);
    contacts = new ContactStore((phone) => accounts.get(phone) !== undefined);
    const ctx: StandinContext = {
      options: resolved,
      noise,
      accounts,
      faults: new FaultBoard(),
      records: new Records(resolved.recordLimit),
      connections,
      registrations: new RegistrationBoard(),
      media: new MediaStore(resolved.mediaStoreBytes),
      handlers: createDefaultHandlers(),
      contacts,
      messages: new MessageLog(resolved.recordLimit),
      delivery: new Delivery(connections),
      partyFetch: new PartyFetcher(),
    };
    // Released media responses and connections each listen for fault changes.
    ctx.faults.setMaxListeners(0);
    const listeners = await startListeners(ctx, tls);
    ctx.partyFetch.bind({
      host: loopbackFor(listeners.tls.address),
      port: listeners.tls.port,
      caPem: tls.caPem,
    });
    const tlsTarget = hostPort(resolved.tlsHost, listeners.tls.port);
    const hostMap: Record<string, string> = {};
    for (const host of [...hosts, '*.whatsapp.net', '*.whatsapp.com']) hostMap[host] = tlsTarget;
    const plain = listeners.plain
      ? {
          ws: `ws://${hostPort(listeners.plain.address, listeners.plain.port)}/ws/chat`,
          http: `http://${hostPort(listeners.plain.address, listeners.plain.port)}`,
        }
      : null;
    let info: StandinInfo | null = null;
    const control = await startControl(
      ctx,
      () => info as StandinInfo,
      resolved.controlHost,
      resolved.controlPort,
    );
    const controlUrl = `http://${hostPort(control.address.address, control.address.port)}`;
    info = {
      name: 'pasarela-standin',
      notice: STANDIN_NOTICE,
      hostMap,
      plain,
      controlUrl,
      caPath,
      noiseRoot: noise.root.public.toString('base64'),
      webHost: resolved.webHost,
      mediaHost: resolved.mediaHost,
      uploadHosts: resolved.uploadHosts,
    };
    let closing: Promise<void> | null = null;
    return {
      ...info,
      caPem: tls.caPem,
      tmpDir,
      noiseRootPublicKey: Buffer.from(noise.root.public),
      control: new ControlClient(controlUrl),
      close() {
        closing ??= (async () => {
          for (const connection of ctx.connections.all()) connection.close('standin-closed');
          await Promise.all([listeners.close(), control.close()]);
          await rm(tmpDir, { recursive: true, force: true });
        })();
        return closing;
      },
    };
  } catch (error) {
    await rm(tmpDir, { recursive: true, force: true });
    throw error;
  }
}
